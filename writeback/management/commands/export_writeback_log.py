from datetime import date

from django.core.management.base import BaseCommand, CommandError

from raptorlink.models import District
from writeback.export import csv_lines, intents_between
from writeback.filters import STATUS_GROUPS
from writeback.models import Intent


class Command(BaseCommand):
    help = "Print the write-back log as CSV (the same columns as the log's export), e.g. > log.csv."

    def add_arguments(self, parser):
        parser.add_argument("--district", metavar="SLUG", help="One district's write-backs (default: all).")
        parser.add_argument("--since", type=date.fromisoformat, help="From this attendance date (YYYY-MM-DD).")
        parser.add_argument("--until", type=date.fromisoformat, help="Up to this attendance date, included.")
        parser.add_argument("--status", choices=sorted(STATUS_GROUPS), help="Only rows with this status.")

    def handle(self, *args, district=None, since=None, until=None, status=None, **options):
        intents = intents_between(Intent.objects.all(), since, until)
        if district:
            if not District.objects.filter(slug=district).exists():
                raise CommandError(f"No district with the slug “{district}”.")
            intents = intents.filter(district__slug=district)
        if status:
            intents = intents.filter(status__in=STATUS_GROUPS[status])
        for line in csv_lines(intents):
            self.stdout.write(line, ending="")
