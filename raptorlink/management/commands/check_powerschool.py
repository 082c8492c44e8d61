"""manage.py check_powerschool [--district SLUG]: test each district's PowerSchool connection."""

from django.core.management.base import BaseCommand, CommandError

from raptorlink.models import PowerSchoolConnection
from raptorlink.powerschool.checks import check_connection


class Command(BaseCommand):
    help = "Check the PowerSchool connection of one district (or every district that has one), with the fix for each problem."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="The district's slug; every district with a connection when omitted.")

    def handle(self, *args, district=None, **options):
        connections = PowerSchoolConnection.objects.select_related("district").order_by("district__name")
        if district:
            connections = connections.filter(district__slug=district)
        if not connections:
            raise CommandError(
                f"No PowerSchool connection for district “{district}”."
                if district
                else "No district has a PowerSchool connection yet."
            )
        failed = False
        for connection in connections:
            failed |= not self._report(connection)
        if failed:
            raise CommandError("Some PowerSchool checks failed; see the fixes above.")

    def _report(self, connection):
        self.stdout.write(f"{connection.district.name} ({connection.district.slug}) — {connection.base_url}")
        results = check_connection(connection)
        for result in results:
            mark = self.style.SUCCESS("ok  ") if result.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"  {mark} {result.name}: {result.message}")
            if result.fix:
                self.stdout.write(f"       Fix: {result.fix}")
        return all(result.ok for result in results)
