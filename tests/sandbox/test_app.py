import re

import pytest
import requests

from sandbox.app import SandboxApp
from sandbox.http import Request, Response
from sandbox.testing import DEFAULT_BASE_URL as BASE
from sandbox.testing import ManualClock, bearer_session, mock_powerschool


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def app(sandbox_store, clock):
    return SandboxApp(sandbox_store, clock=clock)


@pytest.fixture
def api(app):
    with mock_powerschool(app):
        yield bearer_session(app.store)


def throttle_plugin(store, interval_ms):
    with store.transaction() as conn:
        conn.execute("UPDATE sandbox_plugin SET min_request_interval_ms = ?", (interval_ms,))


def test_an_unknown_path_is_a_404_with_a_message(api):
    answer = api.get(f"{BASE}/ws/v1/nothing_here")

    assert answer.status_code == 404
    assert "message" in answer.json()


def test_a_wrong_method_is_a_405_naming_the_allowed_one(api):
    answer = api.delete(f"{BASE}/ws/v1/district")

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET"


def test_a_bad_parameter_is_a_400_with_a_message(api):
    answer = api.get(f"{BASE}/ws/v1/district/student?page=first")

    assert answer.status_code == 400
    assert "page" in answer.json()["message"]


def test_an_unexpected_failure_is_a_500_without_a_traceback(app, api, caplog):
    def broken(ctx, request):
        raise RuntimeError("secret internals")

    app.routes.insert(0, ("GET", re.compile(r"/ws/v1/broken"), broken))

    answer = api.get(f"{BASE}/ws/v1/broken")

    assert answer.status_code == 500
    assert "secret internals" not in answer.text and "Traceback" not in answer.text
    assert "secret internals" in caplog.text


def test_the_server_time_needs_no_token(app):
    with mock_powerschool(app):
        answer = requests.get(f"{BASE}/ws/v1/time")

    assert answer.status_code == 200
    assert set(answer.json()["resource"]) == {"time", "timestamp"}


def test_metadata_without_a_token_leaves_out_the_plugin(app, api):
    with_token = api.get(f"{BASE}/ws/v1/metadata").json()["metadata"]
    without = requests.get(f"{BASE}/ws/v1/metadata").json()["metadata"]

    assert "plugin_id" in with_token and with_token["student_max_page_size"] == 100
    assert "plugin_id" not in without and without["powerschool_version"] == "25.7.0.0"


def test_calls_inside_the_plugins_minimum_interval_are_refused_with_retry_after(app, api, clock):
    throttle_plugin(app.store, 2500)
    assert api.get(f"{BASE}/ws/v1/district").status_code == 200
    clock.now += 1

    refused = api.get(f"{BASE}/ws/v1/district")

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    assert refused.json() == {"message": "Too many requests. Please wait 2 seconds before making another request."}
    clock.now += 1.5
    assert api.get(f"{BASE}/ws/v1/district").status_code == 200


def test_sandbox_control_routes_are_never_throttled_or_faulted(app, api):
    throttle_plugin(app.store, 60_000)
    api.put(f"{BASE}/_sandbox/faults", data="error_rate=1")

    assert api.get(f"{BASE}/_sandbox/faults").status_code == 200
    assert api.get(f"{BASE}/_sandbox/faults").status_code == 200


def test_the_base_url_of_references_follows_the_host_the_client_used(app):
    seen = {}

    def record(ctx, request):
        seen["base_url"] = ctx.base_url
        return Response.empty()

    app.routes.insert(0, ("GET", re.compile(r"/_sandbox/where"), record))
    app.handle(Request.build("GET", "/_sandbox/where", headers={"Host": "ps.example.org:8443"}))

    assert seen["base_url"] == "http://ps.example.org:8443"
