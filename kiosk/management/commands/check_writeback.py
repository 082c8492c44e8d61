from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kiosk.preflight import next_year_id, rollover_report, writeback_problems, year_label
from raptorlink.models import District


class Command(BaseCommand):
    help = "Check that every sign-in reason writes an existing attendance code at every school that writes back."

    def add_arguments(self, parser):
        parser.add_argument("--district", metavar="SLUG", help="Check one district (default: all of them).")
        parser.add_argument(
            "--date", type=date.fromisoformat, help="Check the school year of this day (YYYY-MM-DD; default: today)."
        )
        parser.add_argument(
            "--next-year", action="store_true", help="Also check next school year's codes (before a rollover)."
        )

    def handle(self, *args, district=None, date=None, next_year=False, **options):
        districts = District.objects.all()
        if district:
            districts = districts.filter(slug=district)
            if not districts.exists():
                raise CommandError(f"No district with the slug “{district}”.")
        count = 0
        for one in districts:
            lines = [str(problem) for problem in writeback_problems(one, date)]
            if next_year:
                year = next_year_id(one)
                lines += [f"{year_label(year)}: {problem}" for problem in rollover_report(one, year)]
            for line in lines:
                self.stdout.write(f"{one.slug}: {line}")
            count += len(lines)
        if count:
            raise CommandError(f"{count} problem{'' if count == 1 else 's'} found.", returncode=2)
        self.stdout.write("No problems found: every reason writes an existing attendance code.")
