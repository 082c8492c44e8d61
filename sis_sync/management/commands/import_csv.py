"""manage.py import_csv: import a CSV file of students, contacts or staff who are not in the SIS."""

from django.core.management.base import BaseCommand, CommandError

from raptorlink.models import District
from sis_sync.csvimport.formats import ADD, KINDS, MODES
from sis_sync.csvimport.service import csv_import
from sis_sync.management.commands.sync_powerschool import summary_table
from sis_sync.rosters.csvfiles import RosterError


class Command(BaseCommand):
    help = (
        "Import a CSV file of students, contacts or staff (docs/csv-import.md): all of it or nothing; "
        "exits non-zero and lists every error when the file is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument("--district", required=True, help="The district's slug.")
        parser.add_argument("--kind", required=True, choices=KINDS, help="What the file holds.")
        parser.add_argument(
            "--mode",
            choices=MODES,
            default=ADD,
            help="add (default): create and update what the file lists. full: the file lists everyone of its kind; "
            "records an earlier CSV import created that it leaves out are deactivated.",
        )
        parser.add_argument(
            "--take-over",
            action="store_true",
            help="Let the file change records that came from the SIS (PowerSchool, OneRoster, Clever); they become "
            "the CSV's. Without it such rows are left alone and listed.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything, change nothing.")

    def handle(self, *args, path, district, kind, mode, take_over, dry_run, **options):
        found = District.objects.filter(slug=district).first()
        if found is None:
            known = ", ".join(District.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No district “{district}”. Known districts: {known}.")
        verb = "Checking" if dry_run else "Importing"
        self.stdout.write(f"{verb} the {kind} file {path} ({mode}) for {found.name} ({found.slug})")
        try:
            result = csv_import(found, kind, path, mode=mode, take_over=take_over, dry_run=dry_run)
        except RosterError as error:
            raise CommandError(str(error)) from None
        if not result.succeeded:
            raise CommandError(result.run.message)
        self.stdout.write(summary_table(result.run))
        if result.run.message:
            self.stdout.write(self.style.WARNING(result.run.message))
        done = "Dry run: nothing was changed." if dry_run else "Imported."
        self.stdout.write(self.style.SUCCESS(done))
