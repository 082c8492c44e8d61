"""`make run`: the whole product on one machine, on embedded defaults.

Migrates the SQLite database, connects a demo district to a PowerSchool sandbox (generated on first run),
creates an admin login (its password printed once), then runs the sandbox, the web server and the
django-q2 cluster together until Ctrl-C, and stops all three cleanly. Once the sandbox answers, the demo district
is synced (first run) and set up to be used at once (`setup_demo`: buildings, school modes, write-back, reasons,
a kiosk per building, whose enrolment links are printed with the other URLs), then gets its sync schedules.
"""

import io
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from raptorlink.models import District, PowerSchoolConnection
from raptorlink.powerschool.access import render_plugin_xml

DEMO_SLUG = "demo"
ADMIN_USERNAME = "admin"
STOP_TIMEOUT_S = 10


class Command(BaseCommand):
    help = "Run the demo: PowerSchool sandbox, web server and task cluster, with a demo district."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Web server port.")
        parser.add_argument("--sandbox-port", type=int, default=8765)
        parser.add_argument("--students", type=int, default=2000, help="Size of the generated demo district.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        stop_on_signals()
        call_command("migrate", interactive=False, verbosity=0)
        sandbox_url = f"http://127.0.0.1:{options['sandbox_port']}"
        site_url = f"http://127.0.0.1:{options['port']}"
        connection = connect_demo_district(sandbox_url)
        password = ensure_admin()
        processes = self.start_all(connection, options)
        try:
            wait_until_up(f"{sandbox_url}/ws/v1/time", processes)
            wait_until_up(f"{site_url}/healthz", processes)
            kiosks = self.set_up(sandbox_url, site_url)
            # Scheduled once the sandbox answers, so the first full sync does not meet a PowerSchool still starting.
            call_command("setup_schedules", verbosity=0)
            self.print_welcome(options, sandbox_url, connection, password, kiosks)
            watch(processes)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            stop_all(processes)
            self.stdout.write("Stopped the sandbox, the web server and the task cluster.")

    def set_up(self, sandbox_url, site_url):
        """The demo district's setup (kiosk lines to print); a failure is shown, and the demo runs on."""
        self.stdout.write("Setting the demo district up (the first run syncs it from the sandbox first)…")
        try:
            return call_command(
                "setup_demo", district=DEMO_SLUG, sandbox_url=sandbox_url, site_url=site_url, stdout=io.StringIO()
            )
        except CommandError as error:
            self.stderr.write(f"The demo district is not set up: {error}")
            return ""

    def start_all(self, connection, options):
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        demo_dir = Path(settings.VAR_DIR) / "demo"
        demo_dir.mkdir(exist_ok=True)
        # The sandbox's plugin grants exactly what RaptorLink's own plugin.xml asks for, as a district's would.
        plugin_xml = demo_dir / "plugin.xml"
        plugin_xml.write_text(render_plugin_xml(connection.district.name))
        sandbox = [
            "powerschool_sandbox",
            "--port", str(options["sandbox_port"]),
            "--seed", str(options["seed"]),
            "--students", str(options["students"]),
            "--db", str(demo_dir / "sandbox.sqlite3"),
            "--client-id", connection.client_id,
            "--client-secret", connection.client_secret,
            "--plugin-xml", str(plugin_xml),
        ]  # fmt: skip
        commands = {
            "sandbox": sandbox,
            "web": ["runserver", f"127.0.0.1:{options['port']}", "--noreload"],
            "tasks": ["qcluster"],
        }
        # New sessions keep Ctrl-C from reaching the children twice; this process stops them in order.
        return {name: subprocess.Popen([*manage, *args], start_new_session=True) for name, args in commands.items()}

    def print_welcome(self, options, sandbox_url, connection, password, kiosks):
        site_url = f"http://127.0.0.1:{options['port']}"
        lines = [
            "",
            "RaptorLink is running.",
            f"  Admin:               {site_url}/admin/",
            f"  Front desk:          {site_url}/desk/",
            f"  Health:              {site_url}/healthz",
            f"  PowerSchool sandbox: {sandbox_url}  (what was written: {sandbox_url}/_sandbox/attendance)",
            f"  Demo district:       {connection.district.name} (--district {DEMO_SLUG})",
        ]
        if kiosks:
            lines.append(kiosks)
        if password:
            lines.append(f"  Log in as '{ADMIN_USERNAME}' with password: {password}   (shown once; keep it)")
        else:
            lines.append(
                f"  Log in as '{ADMIN_USERNAME}' (password shown on the first run; "
                f"reset it with: .venv/bin/python manage.py changepassword {ADMIN_USERNAME})"
            )
        lines.append("Press Ctrl-C to stop everything.")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))


def connect_demo_district(sandbox_url):
    """The demo district and its connection; the sandbox is started with these credentials."""
    district, _ = District.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Demo District (sandbox)", "time_zone": "America/New_York"}
    )
    connection = PowerSchoolConnection.objects.filter(district=district).first()
    if connection is None:
        connection = PowerSchoolConnection.objects.create(
            district=district,
            base_url=sandbox_url,
            client_id=str(uuid.uuid4()),
            client_secret=str(uuid.uuid4()),
        )
    elif connection.base_url != sandbox_url:
        connection.base_url = sandbox_url
        connection.save(update_fields=["base_url", "updated_at"])
    return connection


def ensure_admin():
    """Create the demo superuser once; returns its password only when it was just created."""
    users = get_user_model().objects
    if users.filter(username=ADMIN_USERNAME).exists():
        return None
    password = secrets.token_urlsafe(12)
    users.create_superuser(ADMIN_USERNAME, f"{ADMIN_USERNAME}@localhost", password)
    return password


def wait_until_up(url, processes, timeout_s=180):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        exited = [name for name, process in processes.items() if process.poll() is not None]
        if exited:
            raise SystemExit(f"The {', '.join(exited)} process stopped during start-up; see its output above.")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout_s} s.")


def watch(processes):
    while True:
        for name, process in processes.items():
            if process.poll() is not None:
                raise SystemExit(f"The {name} process stopped (exit status {process.returncode}).")
        time.sleep(1)


def stop_on_signals():
    """Ctrl-C and SIGTERM both stop the demo, even when started from a shell that ignores SIGINT."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def stop_all(processes):
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Each child leads its own session, so this also takes down the cluster's worker processes.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
