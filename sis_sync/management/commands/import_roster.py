"""manage.py import_roster: import a OneRoster or Clever CSV set (a folder or a zip) into one district."""

from django.core.management.base import BaseCommand, CommandError

from raptorlink.models import District
from sis_sync.management.commands.sync_powerschool import summary_table
from sis_sync.rosters.csvfiles import RosterError
from sis_sync.rosters.service import ROSTER_SOURCES, roster_import


class Command(BaseCommand):
    help = "Import a OneRoster or Clever CSV set: all of it or nothing; exits non-zero when the set is refused."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The set: a folder or a zip file of CSV files.")
        parser.add_argument("--district", required=True, help="The district's slug.")
        parser.add_argument("--source", required=True, choices=ROSTER_SOURCES, help="The set's format.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything, change nothing.")

    def handle(self, *args, path, district, source, dry_run, **options):
        found = District.objects.filter(slug=district).first()
        if found is None:
            known = ", ".join(District.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No district “{district}”. Known districts: {known}.")
        verb = "Checking" if dry_run else "Importing"
        self.stdout.write(f"{verb} the {source} set {path} for {found.name} ({found.slug})")
        try:
            result = roster_import(found, source, path, dry_run=dry_run)
        except RosterError as error:
            raise CommandError(str(error)) from None
        run = result.run
        if run.status == run.Status.SKIPPED:
            raise CommandError(run.message)
        if not result.succeeded:
            raise CommandError(run.message)
        self.stdout.write(summary_table(run))
        if run.message:
            self.stdout.write(self.style.WARNING(run.message))
        done = "Dry run: nothing was changed." if dry_run else f"Imported ({run.get_kind_display().lower()})."
        self.stdout.write(self.style.SUCCESS(done))
