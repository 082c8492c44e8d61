import pytest
import requests

from sandbox import plugin
from sandbox.app import SandboxApp
from sandbox.testing import DEFAULT_BASE_URL as BASE
from sandbox.testing import ManualClock, mock_powerschool

TOKEN_URL = f"{BASE}/oauth/access_token"
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def credentials(sandbox_store):
    row = sandbox_store.query_one("SELECT client_id, client_secret FROM sandbox_plugin")
    return row["client_id"], row["client_secret"]


@pytest.fixture
def mock(sandbox_store, clock):
    with mock_powerschool(SandboxApp(sandbox_store, clock=clock)):
        yield


def set_plugin(store, **columns):
    with store.transaction() as conn:
        for column, value in columns.items():
            conn.execute(f"UPDATE sandbox_plugin SET {column} = ?", (value,))


def token(credentials):
    return requests.post(TOKEN_URL, auth=credentials, data=GRANT)


def district(access_token):
    return requests.get(f"{BASE}/ws/v1/district", headers={"Authorization": f"Bearer {access_token}"})


def test_basic_auth_credentials_get_a_bearer_token_whose_lifetime_is_a_string(mock, credentials):
    answer = token(credentials)

    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], str) and int(body["expires_in"]) > 0
    assert district(body["access_token"]).status_code == 200


def test_form_credentials_and_the_trailing_slash_path_are_accepted(mock, credentials):
    client_id, client_secret = credentials

    answer = requests.post(f"{TOKEN_URL}/", data={**GRANT, "client_id": client_id, "client_secret": client_secret})

    assert answer.status_code == 200


def test_a_wrong_secret_is_refused_as_an_invalid_client(mock, credentials):
    answer = token((credentials[0], "not-the-secret"))

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client", "error_description": "Client authentication failed"}


def test_a_grant_type_other_than_client_credentials_is_unsupported(mock, credentials):
    answer = requests.post(TOKEN_URL, auth=credentials, data={"grant_type": "password"})

    assert answer.status_code == 400
    assert answer.json() == {"error": "unsupported_grant_type"}


def test_a_repeat_token_request_returns_the_same_token_with_less_time_left(mock, credentials, clock):
    first = token(credentials).json()
    clock.now += 100
    second = token(credentials).json()

    assert second["access_token"] == first["access_token"]
    assert int(second["expires_in"]) == int(first["expires_in"]) - 100


def test_without_token_reuse_every_request_gets_a_new_token(mock, credentials, sandbox_store):
    set_plugin(sandbox_store, reuse_token=0)

    assert token(credentials).json()["access_token"] != token(credentials).json()["access_token"]


def test_an_expired_token_is_refused_with_the_expiry_challenge(mock, credentials, sandbox_store, clock):
    set_plugin(sandbox_store, token_lifetime_s=60)
    access_token = token(credentials).json()["access_token"]
    clock.now += 61

    answer = district(access_token)

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == (
        'Bearer error="invalid_token",realm="PowerSchool",error_description="The access token has expired"'
    )
    assert answer.json()["error"] == "invalid_token"


def test_a_missing_or_unknown_token_is_refused_as_invalid(mock):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = requests.get(f"{BASE}/ws/v1/district", headers=headers)

        assert answer.status_code == 401
        assert 'error_description="The access token is invalid"' in answer.headers["WWW-Authenticate"]


def test_revoked_tokens_stop_working_and_a_new_token_is_issued(mock, credentials):
    access_token = token(credentials).json()["access_token"]

    assert requests.put(f"{BASE}/_sandbox/faults", json={"revoke_tokens": 1}).status_code == 200

    assert district(access_token).status_code == 401
    fresh = token(credentials).json()["access_token"]
    assert fresh != access_token
    assert district(fresh).status_code == 200


def test_disabling_the_plugin_stops_its_tokens_and_its_credentials(mock, credentials, sandbox_store):
    access_token = token(credentials).json()["access_token"]

    plugin.set_enabled(sandbox_store, False)

    assert district(access_token).status_code == 401
    assert token(credentials).status_code == 401
