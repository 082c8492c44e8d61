from django.core.management.base import BaseCommand, CommandError

from kiosk.demo import DemoSetupError, demo_setup
from raptorlink.models import District


class Command(BaseCommand):
    help = (
        "Set up the demo district after its first sync: buildings, school modes, write-back, reasons and kiosks. "
        "Prints each kiosk's enrolment link; creates nothing twice. `make run` runs it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", metavar="SLUG", default="demo")
        parser.add_argument("--sandbox-url", required=True, help="The PowerSchool sandbox, e.g. http://127.0.0.1:8765")
        parser.add_argument("--site-url", required=True, help="Where RaptorLink answers, e.g. http://127.0.0.1:8000")

    def handle(self, *args, district, sandbox_url, site_url, **options):
        found = District.objects.filter(slug=district).first()
        if found is None:
            raise CommandError(f"No district with the slug “{district}”.")
        try:
            links = demo_setup(found, sandbox_url=sandbox_url, site_url=site_url)
        except DemoSetupError as error:
            raise CommandError(str(error)) from None
        return "\n".join(kiosk_line(link) for link in links)


def kiosk_line(link):
    if link.enrolment_url:
        return f"  Kiosk, {link.building}: {link.enrolment_url}  (open it once on the kiosk, within 15 minutes)"
    return f"  Kiosk, {link.building}: {link.state}"
