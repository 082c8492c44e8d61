"""Re-encrypt every stored secret with the newest key (the first of FIELD_ENCRYPTION_KEYS).

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy, run this
command, then remove the old keys.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from raptorlink.fields import EncryptedTextField


def encrypted_fields():
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            yield model, names


def rotate_model(model, names):
    """Reading decrypts with any known key; writing encrypts with the newest one."""
    count = 0
    for pk, *values in model.objects.values_list("pk", *names).iterator():
        changes = {name: value for name, value in zip(names, values) if value}
        if changes:
            model.objects.filter(pk=pk).update(**changes)
            count += 1
    return count


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the first key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        with transaction.atomic():
            for model, names in encrypted_fields():
                count = rotate_model(model, names)
                self.stdout.write(f"{model._meta.label}: {count} row(s) re-encrypted ({', '.join(names)})")
        self.stdout.write(self.style.SUCCESS("Done. Old keys can now be removed from FIELD_ENCRYPTION_KEYS."))
