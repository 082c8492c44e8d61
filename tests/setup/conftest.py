import pytest

from raptorlink.models import AttendanceMode, School
from sandbox.app import SandboxApp
from sandbox.plugin import installed_plugin
from sandbox.server import SandboxServer
from tests.world import PASSWORD

SETUP = "/admin/powerschool-setup/{}/"


def setup_url(district, tab=""):
    return SETUP.format(district.pk) + tab


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def schools(world):
    """Two schools behind the North entrance (the building admin's) and one behind the South entrance."""
    return {
        "north_high": School.objects.create(
            district=world.district,
            building=world.north,
            dcid=1001,
            number=100,
            name="North High",
            low_grade=9,
            high_grade=12,
            attendance_mode=AttendanceMode.MEETING,
        ),
        "north_middle": School.objects.create(
            district=world.district,
            building=world.north,
            dcid=1002,
            number=200,
            name="North Middle",
            low_grade=6,
            high_grade=8,
            writeback_enabled=False,
        ),
        "south_elementary": School.objects.create(
            district=world.district,
            building=world.south,
            dcid=1003,
            number=300,
            name="South Elementary",
            low_grade=0,
            high_grade=5,
            attendance_mode=AttendanceMode.TIME,
        ),
        "riverside_high": School.objects.create(
            district=world.other_district,
            building=world.other_building,
            dcid=1004,
            number=100,
            name="Riverside High",
        ),
    }


@pytest.fixture
def sandbox_server(sandbox_store):
    """The generated district served over real sockets, as a hosted PowerSchool; yields (server, store, app)."""
    app = SandboxApp(sandbox_store)
    with SandboxServer(app) as server:
        yield server, sandbox_store, app


@pytest.fixture
def plugin_credentials(sandbox_store):
    plugin = installed_plugin(sandbox_store)
    return plugin["client_id"], plugin["client_secret"]
