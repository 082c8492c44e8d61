"""manage.py setup_schedules: create or correct every district's sync schedules (run at each deploy)."""

from django.core.management.base import BaseCommand

from raptorlink.models import District
from sis_sync.schedules import orphan_schedules_remove, schedules_update, settings_ensure_for_connected_districts
from writeback.schedules import ensure_drain_schedule


class Command(BaseCommand):
    help = (
        "Create or update the full and changes-only sync schedules of every district from its sync settings, "
        "and the every-minute write-back drain. "
        "Safe to run at every deploy: it creates nothing twice."
    )

    def handle(self, *args, verbosity=1, **options):
        self.verbosity = verbosity
        settings_ensure_for_connected_districts()
        for district in District.objects.order_by("slug"):
            outcome = schedules_update(district)
            summary = ", ".join(f"{kind} {what}" for kind, what in outcome.items()) or "no scheduled syncs"
            self.report(f"{district.slug}: {summary}")
        removed = orphan_schedules_remove()
        if removed:
            self.report(f"Removed the schedules of deleted districts: {removed}.")
        self.report(f"Write-back drain every minute: {ensure_drain_schedule()}")

    def report(self, line):
        if self.verbosity:
            self.stdout.write(line)
