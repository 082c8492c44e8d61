"""A district connected to a sandbox PowerSchool, for sync tests over either transport."""

from raptorlink.models import District, PowerSchoolConnection
from raptorlink.powerschool import PowerSchoolClient
from raptorlink.powerschool.access import render_plugin_xml
from sandbox.plugin import install_plugin, installed_plugin

SANDBOX_URL = "https://sandbox.powerschool.test"


class FakeClock:
    """The sandbox's clock, moved by the client's sleeps: retries and throttling without waiting."""

    def __init__(self, start=1_791_979_200.0):
        self.now = start

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def connect_district(store, base_url=SANDBOX_URL, slug="sandbox"):
    """A district whose PowerSchool connection is the sandbox, with RaptorLink's own plugin.xml installed."""
    install_plugin(store, render_plugin_xml("Sandbox District"))
    plugin = installed_plugin(store)
    district = District.objects.create(name="Sandbox District", slug=slug)
    PowerSchoolConnection.objects.create(
        district=district, base_url=base_url, client_id=plugin["client_id"], client_secret=plugin["client_secret"]
    )
    return district


def sandbox_client(district, clock, page_size=40):
    """A client with small pages (so paging is exercised) whose retries move the fake clock."""
    return PowerSchoolClient(district.powerschool, sleep=clock.sleep, jitter=lambda: 0.5, page_size=page_size)
