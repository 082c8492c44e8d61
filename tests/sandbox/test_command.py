import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings

pytestmark = pytest.mark.slow


def start_sandbox(tmp_path, *options):
    command = [
        sys.executable,
        "manage.py",
        "powerschool_sandbox",
        "--port",
        "0",
        "--students",
        "20",
        "--db",
        str(tmp_path / "sandbox.sqlite3"),
        *options,
    ]
    return subprocess.Popen(
        command,
        cwd=Path(settings.BASE_DIR),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def read_banner(process):
    """The base URL and credentials the command prints before it serves."""
    lines = []
    while len(lines) < 3:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the sandbox exited early: {process.stderr.read()}")
        lines.append(line)
    url = re.search(r"(http://\S+)", lines[0]).group(1)
    client_id = lines[1].split(":", 1)[1].strip()
    client_secret = lines[2].split(":", 1)[1].strip()
    return url, client_id, client_secret


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_command_serves_a_generated_district_until_interrupted(tmp_path):
    process = start_sandbox(
        tmp_path,
        "--client-id",
        "kiosk-id",
        "--client-secret",
        "kiosk-secret",
        "--profile",
        "12",
        "--no-single-element-quirk",
        "--token-lifetime",
        "120",
    )
    try:
        url, client_id, client_secret = read_banner(process)
        token = requests.post(
            f"{url}/oauth/access_token",
            auth=(client_id, client_secret),
            data={"grant_type": "client_credentials"},
            timeout=10,
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        students = requests.get(f"{url}/ws/v1/district/student?pagesize=1", headers=headers, timeout=10).json()
        metadata = requests.get(f"{url}/ws/v1/metadata", headers=headers, timeout=10).json()["metadata"]
    finally:
        exit_code = stop(process)

    assert (client_id, client_secret) == ("kiosk-id", "kiosk-secret")
    assert 0 < int(token["expires_in"]) <= 120
    assert isinstance(students["students"]["student"], list)
    assert metadata["powerschool_version"] == "12.0.0.0"
    assert exit_code == 0
    assert "Traceback" not in process.stderr.read()


def test_a_restart_keeps_the_store_instead_of_generating_again(tmp_path):
    first = start_sandbox(tmp_path)
    _, client_id, _ = read_banner(first)
    stop(first)

    second = start_sandbox(tmp_path)
    try:
        _, same_client_id, _ = read_banner(second)
    finally:
        stop(second)

    assert same_client_id == client_id


def test_a_bad_fault_spec_stops_the_command_with_its_reason(tmp_path):
    process = start_sandbox(tmp_path, "--faults", "error_rate=9")

    assert process.wait(timeout=30) != 0
    assert "error_rate='9' is invalid" in process.stderr.read()
