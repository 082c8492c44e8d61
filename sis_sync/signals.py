"""Deleting a district cascades to its sync settings; its schedules must go with them."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from sis_sync.models import SyncSettings
from sis_sync.schedules import schedules_remove


@receiver(post_delete, sender=SyncSettings)
def remove_schedules_of_deleted_settings(sender, instance, **kwargs):
    schedules_remove(instance.district_id)
