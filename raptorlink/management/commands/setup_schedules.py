"""manage.py setup_schedules: create or correct every recurring task's schedule (run at each deploy)."""

from django.core.management.base import BaseCommand

from raptorlink.schedules import run_schedule_setups


class Command(BaseCommand):
    help = (
        "Create or update the schedules of recurring tasks: every district's full and changes-only syncs from "
        "its sync settings, and the every-minute write-back drain. Safe to run at every deploy: it creates "
        "nothing twice."
    )

    def handle(self, *args, verbosity=1, **options):
        for line in run_schedule_setups():
            if verbosity:
                self.stdout.write(line)
