"""Print the plugin.xml a district installs in PowerSchool (OAuth plus exactly the fields RaptorLink needs)."""

from django.core.management.base import BaseCommand, CommandError

from raptorlink.models import District
from raptorlink.powerschool.access import render_plugin_xml


class Command(BaseCommand):
    help = "Print the district's PowerSchool plugin.xml: python manage.py plugin_xml --district SLUG > plugin.xml"

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, help="The district's slug.")

    def handle(self, *args, **options):
        district = District.objects.filter(slug=options["district"]).first()
        if district is None:
            known = ", ".join(District.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No district with slug '{options['district']}' (known: {known}).")
        self.stdout.write(render_plugin_xml(district.name), ending="")
