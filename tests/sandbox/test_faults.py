import re

import pytest
import requests

from sandbox.app import SandboxApp
from sandbox.faults import Faults, FaultSpec
from sandbox.http import Response
from sandbox.testing import DEFAULT_BASE_URL as BASE
from sandbox.testing import bearer_session, mock_powerschool


def sandbox(store, spec="", **options):
    return SandboxApp(store, faults=Faults(spec, **options))


def statuses(store, spec, calls=40, seed=7):
    with mock_powerschool(sandbox(store, spec, rng_seed=seed)):
        return [requests.get(f"{BASE}/ws/v1/time").status_code for _ in range(calls)]


def test_a_spec_parses_every_documented_key():
    spec = FaultSpec.parse(
        "error_rate=0.2, latency_ms=300,timeout_rate=0.1,drop_after_write_rate=0.5,revoke_tokens=1,throttle_ms=1000,"
        "hold_ms=50"
    )

    assert spec == FaultSpec(
        error_rate=0.2,
        latency_ms=300,
        timeout_rate=0.1,
        drop_after_write_rate=0.5,
        revoke_tokens=True,
        throttle_ms=1000,
        hold_ms=50,
    )
    assert FaultSpec.parse(spec.text()) == spec
    assert FaultSpec.parse("") == FaultSpec()


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("error_rate=2", "error_rate='2' is invalid"),
        ("latency_ms=-5", "latency_ms='-5' is invalid"),
        ("revoke_tokens=yes", "expected 0 or 1"),
        ("explode=1", "Unknown fault key(s) explode"),
        ("error_rate", "needs a value"),
    ],
)
def test_a_malformed_spec_is_refused_with_a_clear_reason(text, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        FaultSpec.parse(text)


def test_an_error_rate_answers_a_share_of_calls_with_5xx_reproducibly(sandbox_store):
    first = statuses(sandbox_store, "error_rate=0.5")

    assert set(first) <= {200, 500, 502, 503}
    assert 5 < sum(status >= 500 for status in first) < 35
    assert statuses(sandbox_store, "error_rate=0.5") == first


def test_latency_is_added_to_every_call(sandbox_store):
    slept = []
    app = SandboxApp(sandbox_store, faults=Faults("latency_ms=300", sleep=slept.append))

    with mock_powerschool(app):
        requests.get(f"{BASE}/ws/v1/time")

    assert slept == [0.3]


def test_an_unanswered_call_is_a_read_timeout(sandbox_store):
    with mock_powerschool(sandbox(sandbox_store, "timeout_rate=1")):
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{BASE}/ws/v1/time", timeout=1)


def test_a_write_is_committed_before_its_connection_is_dropped(sandbox_store):
    app = sandbox(sandbox_store, "drop_after_write_rate=1")

    def remember(ctx, request):
        ctx.store.set_setting("remembered", request.json()["value"])
        return Response.json({"ok": True})

    app.routes.insert(0, ("POST", re.compile(r"/ws/v1/remember"), remember))
    with mock_powerschool(app):
        session = bearer_session(sandbox_store)
        with pytest.raises(requests.exceptions.ConnectionError):
            session.post(f"{BASE}/ws/v1/remember", json={"value": 42})
        assert session.get(f"{BASE}/ws/v1/district").status_code == 200

    assert sandbox_store.get_setting("remembered") == 42


def test_faults_never_touch_the_sandbox_routes(sandbox_store):
    with mock_powerschool(sandbox(sandbox_store, "error_rate=1,timeout_rate=1")):
        assert requests.get(f"{BASE}/_sandbox/faults").json()["spec"] == "error_rate=1.0,timeout_rate=1.0"


def test_faults_change_while_the_sandbox_serves(sandbox_store):
    with mock_powerschool(sandbox(sandbox_store)):
        assert requests.get(f"{BASE}/ws/v1/time").status_code == 200

        changed = requests.put(f"{BASE}/_sandbox/faults", data="error_rate=1")
        assert changed.json()["error_rate"] == 1.0
        assert requests.get(f"{BASE}/ws/v1/time").status_code >= 500

        requests.put(f"{BASE}/_sandbox/faults", json={})
        assert requests.get(f"{BASE}/ws/v1/time").status_code == 200


def test_a_bad_faults_body_is_a_400(sandbox_store):
    with mock_powerschool(sandbox(sandbox_store)):
        answer = requests.put(f"{BASE}/_sandbox/faults", json={"error_rate": "lots"})

    assert answer.status_code == 400
    assert "error_rate" in answer.json()["message"]


def test_a_throttle_fault_adds_a_minimum_interval(sandbox_store):
    with mock_powerschool(sandbox(sandbox_store, "throttle_ms=60000")):
        session = bearer_session(sandbox_store)
        first = session.get(f"{BASE}/ws/v1/district")
        second = session.get(f"{BASE}/ws/v1/district")

    assert first.status_code == 200
    assert second.status_code == 429 and second.headers["Retry-After"] == "60"


def test_revoking_tokens_at_startup_invalidates_those_already_issued(sandbox_store):
    with mock_powerschool(sandbox(sandbox_store)):
        session = bearer_session(sandbox_store)

    with mock_powerschool(sandbox(sandbox_store, "revoke_tokens=1")):
        assert session.get(f"{BASE}/ws/v1/district").status_code == 401
