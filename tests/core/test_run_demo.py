import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings

from raptorlink.management.commands.run_demo import connect_demo_district, ensure_admin
from raptorlink.models import PowerSchoolConnection


@pytest.mark.django_db
def test_the_demo_district_is_connected_once_and_keeps_its_credentials():
    first = connect_demo_district("http://127.0.0.1:8765")
    again = connect_demo_district("http://127.0.0.1:8765")
    assert PowerSchoolConnection.objects.count() == 1
    assert (again.client_id, again.client_secret) == (first.client_id, first.client_secret)


@pytest.mark.django_db
def test_a_different_sandbox_port_moves_the_connection():
    connect_demo_district("http://127.0.0.1:8765")
    assert connect_demo_district("http://127.0.0.1:9999").base_url == "http://127.0.0.1:9999"


@pytest.mark.django_db
def test_the_admin_password_is_given_only_when_the_admin_is_created():
    assert ensure_admin()
    assert ensure_admin() is None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_the_demo_starts_everything_and_stops_cleanly_on_ctrl_c(tmp_path):
    web_port, sandbox_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "DEBUG": "true"}
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "run_demo", "--port", str(web_port), "--sandbox-port", str(sandbox_port),
         "--students", "40"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = read_until(demo, "Press Ctrl-C", timeout_s=120)
    try:
        assert re.search(r"password: \S+", output)
        assert re.search(rf"Kiosk, .+: http://127\.0\.0\.1:{web_port}/kiosk/enrol/\S+", output)
        assert requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=5).json()["database"] == "ok"
        assert requests.get(f"http://127.0.0.1:{sandbox_port}/ws/v1/time", timeout=5).status_code == 200
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    assert "Stopped the sandbox, the web server and the task cluster." in rest
    for port in (web_port, sandbox_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)


def read_until(process, marker, timeout_s):
    deadline, seen = time.monotonic() + timeout_s, []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    process.kill()
    raise AssertionError("The demo did not start:\n" + "".join(seen))
