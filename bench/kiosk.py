"""Benchmark the kiosk's JSON API: server latency while many kiosks look up, search and sign students in.

    python bench/kiosk.py --kiosks 20 --students 50000 [--seconds 60] [--db-url postgres://postgres@127.0.0.1:5432/raptorlink_bench]

Sets up as bench/sync.py does (a sandbox district served by a child process, a fresh database: a temporary
SQLite file, or the PostgreSQL database named by --db-url, created and dropped here, and a full sync), then
gives every school a building (the first middle and high schools share one, as in the sandbox), offers late
check-in reasons mapped to attendance codes at every school, and enrols one kiosk per simulated kiosk, spread
over the buildings. The real app is served by gunicorn in a child process, DEBUG off, against the same
database; no django-q cluster runs, so the write-back outbox rows just accumulate.

One thread per kiosk, each with its own HTTP session, works through a queue of its building's students like
the line at 8:05: look a student up by number, search a three-letter fragment of a real name, sign the
student in with a fresh idempotency key, with a short pause between steps. Every request's round trip is
measured on the client (and a `Server-Timing` header is read when the view sets one).

Prints count, errors and p50/p95/p99/max per operation, the throughput, the most frequent error messages, the
events and outbox rows recorded, the server's CPU per request and the machine's load average (other work on a
shared machine slows the server down), then one line of JSON with kiosks, students, lookup_p95_ms,
search_p95_ms, signin_p95_ms and db, and the p99s, errors, requests, per_s, server_cpu_ms and load_1m.
"""

import argparse
import base64
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zoneinfo
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from sync import connect, prepare_database, start_sandbox, timed_sync  # noqa: E402

TARGET_MS = {"lookup": 100, "search": 100, "sign-in": 150}
OPERATIONS = tuple(TARGET_MS)
# The sandbox gives the first middle school (2001) and the first high school (3001) one address.
SHARED_ENTRANCE = (2001, 3001)
# (label, excused, attendance code text at every school)
LATE_REASONS = (
    ("Overslept", False, "T"),
    ("Bus was late", True, "TE"),
    ("Doctor appointment", True, "TE"),
)
SERVER_TIMING = re.compile(r"(?:^|,)\s*([\w-]+)[^,]*?dur=([\d.]+)")
REQUEST_TIMEOUT = 30
SERVER_START_TIMEOUT = 60


# --- the district's kiosks -----------------------------------------------------------------------------------


def buildings_for_schools(district):
    """A building per school, named after it, except the two schools that share an entrance."""
    from raptorlink.models import Building, School

    buildings = {}
    for school in School.objects.filter(district=district).order_by("number"):
        key = SHARED_ENTRANCE[0] if school.number in SHARED_ENTRANCE else school.number
        if key not in buildings:
            buildings[key] = Building.objects.create(district=district, name=school.name, time_zone=district.time_zone)
        school.building = buildings[key]
        school.save(update_fields=["building"])
    return list(buildings.values())


def offer_late_reasons(district):
    """Late check-in reasons for the whole district, each mapped to its code at every school."""
    from kiosk.models import EventKind, Reason, ReasonCode
    from raptorlink.models import School

    schools = list(School.objects.filter(district=district))
    for order, (label, excused, code) in enumerate(LATE_REASONS):
        reason = Reason.objects.create(
            district=district, kind=EventKind.LATE_CHECK_IN, label=label, excused=excused, sort_order=order
        )
        ReasonCode.objects.bulk_create(ReasonCode(reason=reason, school=school, code=code) for school in schools)


def open_today(district):
    """Make today a school day at every school, so the benchmark runs on a weekend or a holiday too; returns
    how many schools had it out of session (or not listed)."""
    from django.utils import timezone

    from raptorlink.models import School
    from sis_sync.models import CalendarDay

    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(district.time_zone))
    closed = 0
    for school in School.objects.filter(district=district):
        days = CalendarDay.objects.filter(school=school, date=today)
        if days.filter(in_session=True).exists():
            continue
        closed += 1
        if not days.update(in_session=True):
            CalendarDay.objects.create(
                district=district,
                school=school,
                key=f"bench-{school.number}-{today:%Y%m%d}",
                ps_id=0,
                date=today,
                in_session=True,
                synced_at=timezone.now(),
            )
    return today, closed


def enrol_kiosks(buildings, count):
    """`count` enrolled kiosks, dealt to the buildings in turn; returns [(building, cookie token)]."""
    from kiosk.devices import kiosk_create, kiosk_enrol

    enrolled = []
    for index in range(count):
        building = buildings[index % len(buildings)]
        _, enrolment_token = kiosk_create(building=building, name=f"Entrance {index + 1}")
        _, cookie = kiosk_enrol(enrolment_token)
        enrolled.append((building, cookie))
    return enrolled


def arrivals(enrolled, seed):
    """Per kiosk: its share of its building's students in a shuffled order (the visible ids people type) and
    the names its searches take fragments from. Kiosks of one building never share a student."""
    from kiosk.lookup import students_of_building, visible_id

    rng = random.Random(seed)
    kiosks_of = Counter(building.pk for building, _ in enrolled)
    seen = Counter()
    plans = []
    for building, cookie in enrolled:
        students = list(students_of_building(building).order_by("pk"))
        rng.shuffle(students)
        share = students[seen[building.pk] :: kiosks_of[building.pk]]
        seen[building.pk] += 1
        numbers = [visible_id(student, building.district) for student in share]
        names = [name for student in students for name in (student.first_name, student.last_name)]
        plans.append((cookie, numbers, names))
    return plans


def gather_statistics(db):
    """PostgreSQL plans by table statistics, which autovacuum gathers soon after a bulk load like the sync's; a
    server run with autovacuum off (as a test server may be) has none, and plans a name search badly."""
    from django.db import connection

    if db == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def set_up_kiosks(district, count, seed):
    buildings = buildings_for_schools(district)
    offer_late_reasons(district)
    today, closed = open_today(district)
    if closed:
        print(f"{today:%A %m/%d/%Y} is no school day in the sandbox's calendar: marked in session at {closed} schools")
    enrolled = enrol_kiosks(buildings, count)
    print(f"{len(buildings)} buildings, {len(LATE_REASONS)} late check-in reasons, {count} kiosks enrolled")
    return arrivals(enrolled, seed)


# --- the server, in a child process --------------------------------------------------------------------------


def server_secrets():
    """Fresh secrets for this run, in this process's environment too, so both encrypt alike."""
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["FIELD_ENCRYPTION_KEYS"] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(workers, threads, log_path):
    """gunicorn serving config.wsgi on a free local port, production settings but plain HTTP; returns
    (child, base URL) once /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", f"--workers={workers}", f"--threads={threads}"]
    command += [f"--bind=127.0.0.1:{port}", f"--error-logfile={log_path}", "--graceful-timeout=5"]
    # A session of its own keeps Ctrl-C away from gunicorn; stop_server ends it however this process stops.
    child = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(child, base_url, log_path)
    except BaseException:
        stop_server(child)
        raise
    return child, base_url


def wait_until_serving(child, base_url, log_path):
    import requests

    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline and child.poll() is None:
        try:
            requests.get(f"{base_url}/healthz", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start; its log:\n{Path(log_path).read_text()[-3000:]}")


def server_cpu_seconds(master_pid):
    """CPU seconds gunicorn's master and workers have used so far, from /proc: what the requests cost whatever
    else the machine is doing."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if master_pid in (int(stat.parent.name), int(fields[1])):
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def stop_server(child):
    if child.poll() is not None:
        return
    os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


# --- the kiosks, one thread each -----------------------------------------------------------------------------


class Sample:
    __slots__ = ("operation", "ms", "server_ms", "problem")

    def __init__(self, operation, ms, server_ms, problem):
        self.operation, self.ms, self.server_ms, self.problem = operation, ms, server_ms, problem


def server_duration(header):
    """The view's own time from a `Server-Timing` header: its `total` (or `app`) metric, else the longest."""
    durations = {name: float(value) for name, value in SERVER_TIMING.findall(header or "")}
    if not durations:
        return None
    return durations.get("total", durations.get("app", max(durations.values())))


def answer_problem(response):
    """Why an answer counts as an error (any non-2xx, a body that is not JSON, or ok: false), or ""."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}, not JSON: {response.text[:120]!r}"
    if not 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}: {json.dumps(body)[:200]}"
    if body.get("ok") is False:
        return f"ok: false: {json.dumps(body)[:200]}"
    return ""


class KioskRefused(Exception):
    """The kiosk page did not open, so the kiosk cannot make a single request."""


class Kiosk(threading.Thread):
    """One kiosk at the door: its own session (the kiosk cookie, the CSRF cookie), its own queue of students."""

    def __init__(self, base_url, cookie, numbers, names, *, seed, think, start, deadline):
        super().__init__(daemon=True)
        self.base_url, self.cookie, self.numbers, self.names = base_url, cookie, numbers, names
        self.rng = random.Random(seed)
        self.think, self.start_barrier, self.deadline = think, start, deadline
        self.samples = []
        self.failure = None

    def run(self):
        import requests

        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        try:
            self.open_page()
        except (requests.RequestException, KioskRefused) as error:
            self.failure = str(error)
        self.start_barrier.wait()
        if self.failure:
            return
        for number in self.numbers:
            if time.monotonic() >= self.deadline[0]:
                break
            self.serve_one(number)

    def open_page(self):
        """GET /kiosk/ as the kiosk's browser does, for the CSRF cookie its POSTs must echo."""
        self.session.headers["Cookie"] = f"raptorlink_kiosk={self.cookie}"
        page = self.session.get(f"{self.base_url}/kiosk/", headers={"Accept": "text/html"}, timeout=REQUEST_TIMEOUT)
        csrf = page.cookies.get("csrftoken")
        if page.status_code != 200 or not csrf:
            raise KioskRefused(f"/kiosk/ answered {page.status_code} without a csrftoken cookie")
        # The cookies are Secure (DEBUG off) and this is plain HTTP on localhost: send them by hand.
        self.session.headers["Cookie"] = f"raptorlink_kiosk={self.cookie}; csrftoken={csrf}"
        self.session.headers["X-CSRFToken"] = csrf

    def serve_one(self, number):
        found = self.request("lookup", "GET", "/kiosk/api/student", params={"id": number})
        self.pause()
        self.request("search", "GET", "/kiosk/api/search", params={"q": self.fragment()})
        self.pause()
        if found and found.get("student"):
            reasons = (found.get("reasons") or {}).get("late_check_in") or []
            if not reasons:
                self.samples.append(Sample("sign-in", None, None, "the lookup offered no late check-in reason"))
                return
            sign_in = {
                "key": str(uuid.uuid4()),
                "student": found["student"]["id"],
                "kind": "late_check_in",
                "reason": self.rng.choice(reasons)["id"],
                "note": "",
            }
            self.request("sign-in", "POST", "/kiosk/api/sign-in", json=sign_in)
            self.pause()

    def fragment(self):
        """Three letters from inside a real name of the building, e.g. "art" of Martinez."""
        while True:
            letters = "".join(char for char in self.rng.choice(self.names) if char.isalpha())
            if len(letters) >= 3:
                start = self.rng.randrange(len(letters) - 2)
                return letters[start : start + 3]

    def pause(self):
        time.sleep(self.rng.uniform(0.4, 1.6) * self.think)

    def request(self, operation, method, path, **options):
        """Send one request, note its latency and whether it failed; returns the JSON body when it did not."""
        import requests

        started = time.perf_counter()
        try:
            response = self.session.request(method, f"{self.base_url}{path}", timeout=REQUEST_TIMEOUT, **options)
        except requests.RequestException as error:
            self.samples.append(Sample(operation, None, None, f"{type(error).__name__}: {error}"))
            return None
        ms = (time.perf_counter() - started) * 1000
        problem = answer_problem(response)
        self.samples.append(Sample(operation, ms, server_duration(response.headers.get("Server-Timing")), problem))
        return None if problem else response.json()


def drive(base_url, plans, seconds, think, seed):
    """Run the kiosks together for `seconds` (or until their queues run out); returns (samples, wall seconds)."""
    deadline = [float("inf")]
    start = threading.Barrier(len(plans) + 1)
    kiosks = [
        Kiosk(base_url, cookie, numbers, names, seed=seed + index, think=think, start=start, deadline=deadline)
        for index, (cookie, numbers, names) in enumerate(plans)
    ]
    for kiosk in kiosks:
        kiosk.start()
    start.wait()
    started = time.monotonic()
    failures = [kiosk.failure for kiosk in kiosks if kiosk.failure]
    deadline[0] = started if failures else started + seconds
    for kiosk in kiosks:
        kiosk.join()
    if failures:
        raise SystemExit(f"{len(failures)} kiosks could not start: {failures[0]}")
    return [sample for kiosk in kiosks for sample in kiosk.samples], time.monotonic() - started


# --- the figures ---------------------------------------------------------------------------------------------


def percentile(values, share):
    """Nearest-rank percentile of `values` (None when there are none)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def rounded(value):
    return None if value is None else round(value, 1)


def operation_figures(samples, operation):
    mine = [sample for sample in samples if sample.operation == operation]
    timed = [sample.ms for sample in mine if sample.ms is not None]
    server = [sample.server_ms for sample in mine if sample.server_ms is not None]
    return {
        "count": len(mine),
        "errors": sum(1 for sample in mine if sample.problem),
        "p50": rounded(percentile(timed, 0.50)),
        "p95": rounded(percentile(timed, 0.95)),
        "p99": rounded(percentile(timed, 0.99)),
        "max": rounded(max(timed, default=None)),
        "server_p95": rounded(percentile(server, 0.95)),
    }


def print_figures(figures, samples, wall_s):
    print(f"\n  {'operation':10} {'count':>7} {'errors':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}   ms")
    for operation, row in figures.items():
        cells = " ".join(f"{'—' if row[key] is None else row[key]:>8}" for key in ("p50", "p95", "p99", "max"))
        server = f"   Server-Timing p95 {row['server_p95']}" if row["server_p95"] is not None else ""
        verdict = "ok" if row["p95"] is not None and row["p95"] <= TARGET_MS[operation] else "MISSED"
        print(
            f"  {operation:10} {row['count']:>7} {row['errors']:>7} {cells}   "
            f"(p95 target {TARGET_MS[operation]}: {verdict}){server}"
        )
    if all(row["server_p95"] is None for row in figures.values()):
        print("  (the views send no Server-Timing header: these are round trips on localhost)")
    print(f"\n{len(samples)} requests in {wall_s:.1f} s: {len(samples) / wall_s:.1f} requests/s")
    problems = Counter(sample.problem for sample in samples if sample.problem)
    if problems:
        print(f"\n{sum(problems.values())} errors; the most frequent:")
        for problem, count in problems.most_common(10):
            print(f"  {count:6} × {problem}")


def recorded_counts(district):
    from kiosk.models import StudentEvent
    from writeback.models import Intent

    return StudentEvent.objects.filter(district=district).count(), Intent.objects.filter(district=district).count()


# --- the run -------------------------------------------------------------------------------------------------


def run(options):
    directory = Path(tempfile.mkdtemp(prefix="raptorlink-bench-kiosk-"))
    store_path = directory / "sandbox.sqlite3"
    server_secrets()
    sandbox, sandbox_url = start_sandbox(store_path, options.students)
    try:
        db, cleanup = prepare_database(options.db_url, directory)
        try:
            return measure(options, db, sandbox_url, store_path, directory)
        finally:
            cleanup()
    finally:
        sandbox.stdin.close()
        sandbox.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


def measure(options, db, sandbox_url, store_path, directory):
    from django.db import connections

    district, client = connect(sandbox_url, store_path)
    _, sync_s, _ = timed_sync(district, "full", client)
    print(f"Full sync of {options.students} students: {sync_s:.1f} s ({db})")
    plans = set_up_kiosks(district, options.kiosks, options.seed)
    gather_statistics(db)
    connections.close_all()
    server, base_url = start_server(options.workers, options.threads, directory / "gunicorn.log")
    try:
        print(
            f"gunicorn --workers {options.workers} --threads {options.threads}; no django-q cluster runs, "
            f"so the write-back outbox rows accumulate"
        )
        load_before, cpu_before = os.getloadavg()[0], server_cpu_seconds(server.pid)
        samples, wall_s = drive(base_url, plans, options.seconds, options.think, options.seed)
        load_after, server_cpu_s = os.getloadavg()[0], server_cpu_seconds(server.pid) - cpu_before
    finally:
        stop_server(server)
    figures = {operation: operation_figures(samples, operation) for operation in OPERATIONS}
    print_figures(figures, samples, wall_s)
    events, intents = recorded_counts(district)
    signed_in = figures["sign-in"]["count"] - figures["sign-in"]["errors"]
    print(f"{signed_in} sign-ins answered ok; {events} events recorded, {intents} outbox rows waiting")
    cpu_ms = server_cpu_s * 1000 / max(1, len(samples))
    print(f"Server CPU: {cpu_ms:.1f} ms per request, {server_cpu_s / wall_s:.2f} cores busy on average")
    # Other work on the machine takes cores from the server; a high load explains slow figures.
    print(f"Load average (1 min) on {os.cpu_count()} cores: {load_before:.1f} before, {load_after:.1f} after")
    return {
        "kiosks": options.kiosks,
        "students": options.students,
        "lookup_p95_ms": figures["lookup"]["p95"],
        "search_p95_ms": figures["search"]["p95"],
        "signin_p95_ms": figures["sign-in"]["p95"],
        "db": db,
        **{f"{operation.replace('-', '')}_p99_ms": figures[operation]["p99"] for operation in OPERATIONS},
        "errors": sum(row["errors"] for row in figures.values()),
        "requests": len(samples),
        "per_s": round(len(samples) / wall_s, 1),
        "server_cpu_ms": round(cpu_ms, 1),
        "events": events,
        "workers": options.workers,
        "threads": options.threads,
        "load_1m": round(load_after, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=60, help="how long the kiosks work (default 60)")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between a kiosk's steps, seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (default 8)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-url", help="a PostgreSQL URL; the database is created and dropped (default: SQLite)")
    options = parser.parse_args()
    print(json.dumps(run(options)))


if __name__ == "__main__":
    main()
