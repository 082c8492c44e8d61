import pytest
import responses

from raptorlink.models import District, PowerSchoolConnection
from raptorlink.powerschool import PowerSchoolClient
from sandbox.app import SandboxApp
from sandbox.plugin import install_plugin, installed_plugin
from sandbox.testing import mock_powerschool
from tests.fixtures import powerschool_fixture

BASE_URL = "https://lincoln.powerschool.test"
CLIENT_ID = "0f8a2c1e-client-id"
CLIENT_SECRET = "9b7d-very-secret-value"
TOKEN = "672d3201-c925-4e74-9418-985463e60654"


@pytest.fixture
def fixture_json():
    return powerschool_fixture


@pytest.fixture
def connection(db):
    district = District.objects.create(name="Lincoln County", slug="lincoln-ps")
    return PowerSchoolConnection.objects.create(
        district=district, base_url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(connection, sleeps):
    return PowerSchoolClient(connection, sleep=sleeps.append, jitter=lambda: 0.5)


@pytest.fixture
def api():
    """`responses` with the token endpoint answering like PowerSchool (expires_in as a string)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.POST,
            BASE_URL + "/oauth/access_token",
            json={"access_token": TOKEN, "token_type": "Bearer", "expires_in": "2504956"},
        )
        yield mock


def url(path):
    return BASE_URL + path


# --- the sandbox: a generated district behind `responses` --------------------------------------


SANDBOX_URL = "https://sandbox.powerschool.test"


class FakeClock:
    """The sandbox's clock, moved by the client's sleeps: throttling and token expiry without waiting."""

    def __init__(self, start=1_791_979_200.0):
        self.now = start

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def connect_to_sandbox(store, slug="sandbox", base_url=SANDBOX_URL):
    from raptorlink.powerschool.access import render_plugin_xml

    install_plugin(store, render_plugin_xml("Sandbox District"))
    plugin = installed_plugin(store)
    district = District.objects.create(name="Sandbox District", slug=slug)
    return PowerSchoolConnection.objects.create(
        district=district, base_url=base_url, client_id=plugin["client_id"], client_secret=plugin["client_secret"]
    )


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sandbox(db, sandbox_store, clock):
    """(client, store, app) with the district's own plugin.xml installed and every request served by the sandbox."""
    connection = connect_to_sandbox(sandbox_store)
    app = SandboxApp(sandbox_store, clock=clock)
    with mock_powerschool(app, base_url=SANDBOX_URL):
        yield PowerSchoolClient(connection, sleep=clock.sleep, jitter=lambda: 0.5, page_size=7), sandbox_store, app
