import json
from pathlib import Path

import pytest
import responses
from django.conf import settings

from raptorlink.models import District, PowerSchoolConnection
from raptorlink.powerschool import PowerSchoolClient

BASE_URL = "https://lincoln.powerschool.test"
CLIENT_ID = "0f8a2c1e-client-id"
CLIENT_SECRET = "9b7d-very-secret-value"
TOKEN = "672d3201-c925-4e74-9418-985463e60654"


def fixtures_dir():
    return Path(settings.BASE_DIR).parent / "shared" / "powerschool-fixtures"


@pytest.fixture
def fixture_json():
    directory = fixtures_dir()
    if not directory.is_dir():
        pytest.skip(f"The real PowerSchool fixtures are not at {directory}")

    def load(name):
        return json.loads((directory / name).read_text())

    return load


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
