"""The HTTP seam: token, headers, retries, throttling and the typed errors, through `responses`."""

import base64
import logging
from datetime import timedelta

import pytest
import requests
import responses
import time_machine
from django.utils import timezone

from raptorlink.models import PowerSchoolConnection
from raptorlink.powerschool.errors import (
    AccessError,
    AuthError,
    ConflictError,
    NotFoundError,
    RecordValidationError,
    ThrottledError,
    UnavailableError,
    UnexpectedResponseError,
)
from raptorlink.powerschool.session import environment_session
from tests.powerschool.conftest import CLIENT_ID, CLIENT_SECRET, TOKEN, url

DISTRICT = {"district": {"name": "Lincoln County", "district_number": "0410"}}


def test_a_request_carries_the_bearer_token_and_json_headers(client, api):
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    client.district()

    token_call, district_call = api.calls
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert token_call.request.headers["Authorization"] == f"Basic {basic}"
    assert token_call.request.body == "grant_type=client_credentials"
    assert token_call.request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert district_call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert district_call.request.headers["Accept"] == "application/json"


def test_the_token_is_cached_on_the_connection_for_every_process(client, api, connection):
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    client.district()
    client.district()

    assert [call.request.url.endswith("/oauth/access_token") for call in api.calls].count(True) == 1
    stored = PowerSchoolConnection.objects.get(pk=connection.pk)
    assert stored.access_token == TOKEN
    assert stored.token_expires_at > timezone.now() + timedelta(days=28)


def test_a_token_cached_by_another_process_is_used_instead_of_asking_for_a_new_one(client, api, connection):
    other_process = PowerSchoolConnection.objects.get(pk=connection.pk)
    other_process.store_token("token-from-another-process", 3600)
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    client.district()

    assert len(api.calls) == 1
    assert api.calls[0].request.headers["Authorization"] == "Bearer token-from-another-process"


def test_a_numeric_expires_in_is_accepted_too(client, connection):
    with responses.RequestsMock() as api:
        api.add(responses.POST, url("/oauth/access_token"), json={"access_token": "abc", "expires_in": 3600})
        api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)
        client.district()
    connection.refresh_from_db()
    assert connection.access_token == "abc"


def test_the_token_is_renewed_before_it_expires(client, api, connection):
    connection.store_token("old-token", 600)
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        client.district()

    assert api.calls[-1].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_401_renews_the_token_once_and_retries(client, api, connection):
    connection.store_token("revoked-token", 3600)
    api.add(responses.GET, url("/ws/v1/district"), status=401, json={"error": "invalid_token"})
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    assert client.district()["name"] == "Lincoln County"

    authorizations = [call.request.headers.get("Authorization") for call in api.calls]
    assert authorizations == ["Bearer revoked-token", authorizations[1], f"Bearer {TOKEN}"]
    assert authorizations[1].startswith("Basic ")


def test_a_second_401_after_renewing_is_an_auth_error(client, api):
    api.add(responses.GET, url("/ws/v1/district"), status=401)

    with pytest.raises(AuthError) as raised:
        client.district()

    assert raised.value.category == "auth"
    assert not raised.value.retryable
    assert "GET /ws/v1/district → 401" in str(raised.value)
    assert len([call for call in api.calls if "/ws/" in call.request.url]) == 2


def test_wrong_credentials_are_an_auth_error_naming_both_causes(client):
    with responses.RequestsMock() as api:
        api.add(
            responses.POST,
            url("/oauth/access_token"),
            status=401,
            json={"error": "invalid_client", "error_description": "Client authentication failed"},
        )
        with pytest.raises(AuthError) as raised:
            client.district()
    assert "client ID and client secret" in raised.value.hint
    assert "enabled" in raised.value.hint


def test_server_errors_are_retried_with_growing_waits_then_succeed(client, api, sleeps):
    api.add(responses.GET, url("/ws/v1/district"), status=503)
    api.add(responses.GET, url("/ws/v1/district"), status=502)
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    assert client.district()["name"] == "Lincoln County"
    assert sleeps == [0.375, 0.75]


def test_retries_are_bounded_by_the_setting(client, api, sleeps, settings):
    api.add(responses.GET, url("/ws/v1/district"), status=500)

    with pytest.raises(UnavailableError) as raised:
        client.district()

    assert len(sleeps) == settings.POWERSCHOOL_MAX_RETRIES
    assert raised.value.retryable and raised.value.category == "unavailable"


def test_a_read_that_times_out_is_retried(client, api, sleeps):
    api.add(responses.GET, url("/ws/v1/district"), body=requests.exceptions.ReadTimeout("slow"))
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    assert client.district()["name"] == "Lincoln County"
    assert len(sleeps) == 1


def test_every_call_has_the_configured_timeout(connection, api, settings, sleeps):
    from raptorlink.powerschool import PowerSchoolClient

    settings.POWERSCHOOL_TIMEOUT = 7.5
    seen = []
    http = requests.Session()
    original = http.request

    def spy(*args, **kwargs):
        seen.append(kwargs.get("timeout"))
        return original(*args, **kwargs)

    http.request = spy
    http.post = lambda *args, **kwargs: spy("POST", *args, **kwargs)
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    PowerSchoolClient(connection, sleep=sleeps.append, http=http).district()

    assert seen == [7.5, 7.5]


def test_a_write_whose_answer_was_lost_is_not_sent_again(client, api, sleeps):
    api.add(responses.DELETE, url("/ws/schema/table/u_note/5"), body=requests.exceptions.ConnectionError("dropped"))

    with pytest.raises(UnavailableError) as raised:
        client.session.delete("/ws/schema/table/u_note/5")

    assert raised.value.may_have_been_applied
    assert sleeps == []
    assert len([call for call in api.calls if call.request.method == "DELETE"]) == 1


def test_an_idempotent_write_is_retried_after_a_lost_answer(client, api, sleeps):
    api.add(responses.POST, url("/ws/schema/query/com.example.q"), body=requests.exceptions.ConnectionError("dropped"))
    api.add(responses.POST, url("/ws/schema/query/com.example.q"), json={"record": []})

    assert client.session.post("/ws/schema/query/com.example.q", {}, idempotent=True) == {"record": []}
    assert len(sleeps) == 1


def test_a_429_waits_for_retry_after_then_succeeds(client, api, sleeps):
    api.add(
        responses.GET,
        url("/ws/v1/district"),
        status=429,
        headers={"Retry-After": "3"},
        json={"message": "Too many requests. Please wait 3 seconds before making another request."},
    )
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    client.district()

    assert sleeps == [3.0]


def test_a_429_asking_for_a_long_wait_is_handed_back_as_throttled(client, api, sleeps):
    api.add(
        responses.GET,
        url("/ws/v1/district"),
        status=429,
        json={"message": "Too many requests. Please wait 120 seconds before making another request."},
    )

    with pytest.raises(ThrottledError) as raised:
        client.district()

    assert raised.value.retry_after == 120.0
    assert raised.value.retryable and raised.value.category == "throttled"
    assert sleeps == []


def test_a_403_with_validation_failed_names_the_fields_without_access(client, api):
    api.add(
        responses.GET,
        url("/ws/schema/table/students"),
        status=403,
        json={
            "message": "Validation Failed",
            "errors": [
                {"resource": "students", "field": "students.dob", "code": "No access to the field"},
                {"resource": "students", "field": "students.home_phone", "code": "No access to the field"},
            ],
        },
    )

    with pytest.raises(AccessError) as raised:
        client.session.get("/ws/schema/table/students", {"projection": "dob,home_phone"})

    assert raised.value.fields == ["students.dob", "students.home_phone"]
    assert raised.value.category == "access" and not raised.value.retryable
    assert "students.dob" in raised.value.hint and "plugin.xml" in raised.value.hint


def test_a_plain_403_on_a_v1_resource_points_at_the_v1_access_level(client, api):
    api.add(responses.GET, url("/ws/v1/district"), status=403, json={"message": "Forbidden"})

    with pytest.raises(AccessError) as raised:
        client.district()

    assert "Access Level for v1 APIs" in raised.value.hint


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("Record Not Saved. : 35 doesn't match the term's year value: 36", "year_mismatch"),
        ("Record Not Saved. : The student Jane Doe isn't enrolled on 2026-10-14.", "not_enrolled"),
        ("You have ATT_ModeMeeting set as the method to use for this school", "mode_mismatch"),
        ("Something else entirely", "unknown"),
    ],
)
def test_a_400_is_a_validation_error_categorised_by_powerschools_message(client, api, message, category):
    api.add(responses.POST, url("/ws/schema/query/com.example.q"), status=400, json={"message": message})

    with pytest.raises(RecordValidationError) as raised:
        client.session.post("/ws/schema/query/com.example.q", {}, idempotent=True)

    assert raised.value.category == category
    assert raised.value.messages == [message]
    assert not raised.value.retryable


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(404, NotFoundError), (409, ConflictError)],
)
def test_other_client_errors_have_their_own_types(client, api, status, error_type):
    api.add(responses.GET, url("/ws/v1/student/1"), status=status, json={"message": "nope"})

    with pytest.raises(error_type) as raised:
        client.student(1)

    assert f"GET /ws/v1/student/1 → {status}" in str(raised.value)


def test_an_answer_that_is_not_json_is_an_unexpected_response(client, api):
    api.add(responses.GET, url("/ws/v1/district"), body="<html>Sign in</html>", content_type="text/html")

    with pytest.raises(UnexpectedResponseError):
        client.district()


def test_no_secret_or_token_reaches_errors_or_logs(client, api, caplog, sleeps):
    caplog.set_level(logging.DEBUG)
    api.add(responses.GET, url("/ws/v1/district"), status=500)
    api.add(responses.GET, url("/ws/v1/district"), status=401)

    with pytest.raises(Exception) as raised:
        client.district()

    shown = " ".join([str(raised.value), repr(raised.value), raised.value.hint, caplog.text, repr(client)])
    assert CLIENT_SECRET not in shown and TOKEN not in shown


def test_the_environments_proxy_and_ca_bundle_apply_to_powerschool_but_not_to_hosts_it_exempts(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.district.internal:3128")
    monkeypatch.setenv("NO_PROXY", "ps.internal")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/district/ca.pem")

    proxied = environment_session("https://lincoln.powerschool.com")
    exempt = environment_session("https://ps.internal")

    assert proxied.proxies["https"] == "http://proxy.district.internal:3128"
    assert proxied.verify == "/etc/district/ca.pem"
    assert "https" not in exempt.proxies
