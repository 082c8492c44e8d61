"""Reactions to changes made anywhere (admin, shell, demo set-up), kept to calls into kiosk.services."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from kiosk.models import ReasonCode
from kiosk.services import waiting_intents_map


@receiver(post_save, sender=ReasonCode, dispatch_uid="kiosk.reason_code_mapped")
def reason_code_mapped(sender, instance, **kwargs):
    waiting_intents_map(instance)
