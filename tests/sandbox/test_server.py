import re
import time

import pytest
import requests

from sandbox.app import SandboxApp
from sandbox.faults import Faults
from sandbox.http import Response
from sandbox.server import SandboxServer
from sandbox.testing import bearer_session

pytestmark = pytest.mark.slow


@pytest.fixture
def faults():
    return Faults()


@pytest.fixture
def server(sandbox_store, faults):
    with SandboxServer(SandboxApp(sandbox_store, faults=faults)) as running:
        yield running


def test_the_sandbox_answers_over_real_sockets(server, sandbox_store):
    session = bearer_session(sandbox_store, server.base_url)

    answer = session.get(f"{server.base_url}/ws/v1/district/student?pagesize=5", timeout=5)

    assert server.base_url.startswith("http://127.0.0.1:")
    assert answer.status_code == 200
    assert len(answer.json()["students"]["student"]) == 5
    assert answer.headers["Content-Type"].startswith("application/json")


def test_one_connection_serves_many_calls(server, sandbox_store):
    session = bearer_session(sandbox_store, server.base_url)

    for page in range(1, 4):
        assert session.get(f"{server.base_url}/ws/v1/district/student?page={page}&pagesize=5", timeout=5).ok

    pools = session.get_adapter(server.base_url).poolmanager.pools
    assert [pools[key].num_connections for key in pools.keys()] == [1]


def test_an_unanswered_call_times_out_on_the_client(server, faults):
    faults.replace(faults.spec.parse("timeout_rate=1,hold_ms=5000"))

    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{server.base_url}/ws/v1/time", timeout=0.3)


def test_a_dropped_connection_after_a_write_is_a_connection_error(server, faults, sandbox_store):
    def remember(ctx, request):
        ctx.store.set_setting("remembered", True)
        return Response.json({"ok": True})

    server.app.routes.insert(0, ("POST", re.compile(r"/ws/v1/remember"), remember))
    session = bearer_session(sandbox_store, server.base_url)
    faults.replace(faults.spec.parse("drop_after_write_rate=1"))

    with pytest.raises(requests.exceptions.ConnectionError):
        session.post(f"{server.base_url}/ws/v1/remember", json={}, timeout=5)
    assert sandbox_store.get_setting("remembered") is True


def test_the_server_stops_promptly_while_holding_a_connection(sandbox_store):
    app = SandboxApp(sandbox_store, faults="timeout_rate=1,hold_ms=60000")
    started = time.monotonic()
    with SandboxServer(app) as running:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{running.base_url}/ws/v1/time", timeout=0.3)

    assert time.monotonic() - started < 10
