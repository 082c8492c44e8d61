"""Benchmark the write-back: from an event's commit to its record in PowerSchool, through a real qcluster.

    python bench/writeback.py --events 1000 [--rate 40] [--latency-ms 250] [--db-url postgres://postgres@127.0.0.1:5432/raptorlink_bench_wb]

Generates a district into a temporary sandbox store and serves it over HTTP from this process; migrates a fresh
database (a temporary SQLite file, or the PostgreSQL database named by --db-url, created and dropped here) and
syncs the district into it; starts `manage.py qcluster` (ORM broker) in a child process; then records N late
check-ins, spread over the schools of all three modes, at --rate per second with `record_intent`, each in its
own transaction, the way the kiosk does. A thread polls the sandbox's attendance table and notes when each
event's comment first appears there. With --latency-ms, every PowerSchool call is answered that much later once
the setup sync is done, as a hosted PowerSchool answers.

Prints latency percentiles, the sustained rate, the PowerSchool calls per intent of each mode (calls that name no
student — token, metadata — are counted apart), and the qcluster's CPU time per intent and peak memory; then one
line of JSON with events, latency_ms, p50_ms, p95_ms, p99_ms, per_s, calls_per_intent, cpu_ms_per_intent,
peak_rss_mb and db.
"""

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from sync import prepare_database  # noqa: E402

TODAY = datetime.date(2026, 10, 14)  # a Wednesday in session in every generated school
LATE_AT = 9 * 3600  # 09:00: a class is in progress at every level
REFERENCE = re.compile(r"\[(BW-\d+)\]")
POLL_SECONDS = 0.01
Q_WORKERS = 4
MODES = {1002: "time"}  # the sandbox's Attendance Preferences: other elementary schools Daily, the rest Meeting


# --- the sandbox, in this process --------------------------------------------------------------------------


class CallCounter:
    """Counts the sandbox's PowerSchool calls by the student they are about (STUDENTS.ID), or as shared."""

    STUDENT_IN_QUERY = re.compile(r"studentid==(\d+)")
    STUDENT_IN_BODY = re.compile(rb'"studentid":\s*"?(\d+)')

    def __init__(self, app):
        self.by_student = Counter()
        self.shared = 0
        self.counting = False
        self._handle = app.handle
        app.handle = self.handle

    def handle(self, request):
        if self.counting and not request.path.startswith("/_sandbox/"):
            found = self.STUDENT_IN_QUERY.search(request.query.get("q", "")) or self.STUDENT_IN_BODY.search(
                request.body
            )
            if found:
                self.by_student[int(found.group(1))] += 1
            else:
                self.shared += 1
        return self._handle(request)

    def per_mode(self, students):
        """{mode: calls per intent} for one intent per student."""
        calls, intents = Counter(), Counter()
        for student in students:
            mode = student.school.effective_attendance_mode
            calls[mode] += self.by_student[student.ps_id]
            intents[mode] += 1
        return {mode: round(calls[mode] / intents[mode], 2) for mode in sorted(intents)}


def start_sandbox(directory, students, faults=None):
    from raptorlink.powerschool.access import render_plugin_xml
    from sandbox import plugin
    from sandbox.app import SandboxApp
    from sandbox.generator import generate_district
    from sandbox.server import SandboxServer
    from sandbox.store import Store

    store = Store(directory / "sandbox.sqlite3")
    generate_district(store, seed=1, students=students, today=TODAY)
    plugin.install_plugin(store, render_plugin_xml("Benchmark District"))
    plugin.set_options(store, max_table_page_size=1000, max_page_size=100)
    app = SandboxApp(store, faults=faults)
    server = SandboxServer(app).__enter__()
    return store, app, server


# --- RaptorLink's side -------------------------------------------------------------------------------------


def connect_and_sync(store, base_url):
    from raptorlink.models import Building, District, PowerSchoolConnection, School
    from sandbox.plugin import installed_plugin
    from sis_sync.services import run_sync

    credentials = installed_plugin(store)
    district = District.objects.create(name="Benchmark District", slug="bench")
    PowerSchoolConnection.objects.create(
        district=district,
        base_url=base_url,
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
    )
    run = run_sync(district, kind="full", trigger="benchmark")
    if run.status != "succeeded":
        raise SystemExit(f"The sync failed: {run.message}")
    building = Building.objects.create(district=district, name="Main entrance")
    School.objects.filter(district=district).update(building=building)
    for number, mode in MODES.items():
        School.objects.filter(district=district, number=number).update(attendance_mode=mode)
    School.objects.filter(district=district, number__gte=2000).update(attendance_mode="meeting")
    return district, building


def students_across_modes(district, count):
    """Active students with a class at LATE_AT, taken round-robin from the schools so every mode gets its share."""
    from sis_sync.models import Student
    from writeback.engine.periods import student_meetings
    from writeback.errors import WritebackProblem

    by_school = {}
    for student in Student.objects.filter(district=district, enroll_status=0).select_related("school"):
        by_school.setdefault(student.school.number, []).append(student)
    chosen = []
    while len(chosen) < count and any(by_school.values()):
        for number in sorted(by_school):
            if not by_school[number] or len(chosen) == count:
                continue
            student = by_school[number].pop()
            if number >= 2000:
                try:
                    student_meetings(student, student.school, TODAY, LATE_AT, remaining=False)
                except WritebackProblem:
                    continue
            chosen.append(student)
    return chosen


def record_event(district, building, student, number, code="T"):
    """One late check-in, committed in its own transaction; returns the commit's time."""
    from django.db import transaction
    from django.utils import timezone

    from writeback.models import Intent
    from writeback.outbox import record_intent

    reference = f"BW-{number}"
    with transaction.atomic():
        record_intent(
            district=district,
            school=student.school,
            building=building,
            student=student,
            kind=Intent.Kind.LATE_CHECK_IN,
            event_ref=reference,
            occurred_at=timezone.now(),
            att_date=TODAY,
            seconds=LATE_AT,
            reason="Overslept",
            code_text=code,
            comment=f"Late check-in 09:00 — Overslept (kiosk) [{reference}]",
            source="kiosk",
            idempotency_key=f"{reference}:write",
        )
    return time.monotonic()


def start_qcluster(workers=Q_WORKERS):
    env = {**os.environ, "Q_WORKERS": str(workers)}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


class ProcessTree:
    """CPU time and peak memory of a child and every process of its session (the qcluster and its workers)."""

    TICKS = os.sysconf("SC_CLK_TCK")

    def __init__(self, child):
        self.session = child.pid
        self.peak_rss_kb = 0
        self.stopping = threading.Event()
        self.sampler = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
        self.sampler.start()

    def pids(self):
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == self.session:  # the session id, fourth field after the name
                found.append(entry)
        return found

    def cpu_seconds(self):
        total = 0
        for entry in self.pids():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / self.TICKS

    def _rss_kb(self):
        total = 0
        for entry in self.pids():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            found = re.search(r"VmRSS:\s+(\d+)", status)
            total += int(found.group(1)) if found else 0
        return total

    def _sample(self):
        while not self.stopping.is_set():
            self.peak_rss_kb = max(self.peak_rss_kb, self._rss_kb())
            time.sleep(0.2)


def stop_qcluster(child, sig=signal.SIGTERM, grace=10):
    os.killpg(child.pid, sig)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


# --- watching PowerSchool ----------------------------------------------------------------------------------


class Watcher(threading.Thread):
    """Notes when each event's comment first shows in the sandbox's attendance table."""

    def __init__(self, store):
        super().__init__(name="attendance-watcher", daemon=True)
        self.store = store
        self.seen = {}
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            now = time.monotonic()
            for row in self.store.query("SELECT DISTINCT att_comment FROM attendance WHERE att_comment LIKE '%[BW-%'"):
                found = REFERENCE.search(row["att_comment"] or "")
                if found and found.group(1) not in self.seen:
                    self.seen[found.group(1)] = now
            time.sleep(POLL_SECONDS)

    def wait_for(self, references, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not set(references) <= set(self.seen):
            time.sleep(0.05)
        return [reference for reference in references if reference not in self.seen]


def stages():
    """Percentiles (ms) of where the time went: recorded → picked up by a drain, and the attempt itself."""
    from writeback.models import Attempt

    first_tries = Attempt.objects.filter(intent__attempts=1).values_list(
        "started_at", "intent__created_at", "duration_ms"
    )
    pickup = [(started - created).total_seconds() * 1000 for started, created, _ in first_tries]
    applying = [duration for _, _, duration in first_tries]
    return {
        "pickup_p50_ms": round(percentile(pickup, 0.5), 1),
        "pickup_p95_ms": round(percentile(pickup, 0.95), 1),
        "apply_p50_ms": percentile(applying, 0.5),
        "apply_p95_ms": percentile(applying, 0.95),
    }


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def record_at_rate(district, building, students, rate, first_number=1):
    """Record one event per student at `rate` per second; returns {reference: commit time}."""
    committed = {}
    started = time.monotonic()
    for offset, student in enumerate(students):
        due = started + offset / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        number = first_number + offset
        committed[f"BW-{number}"] = record_event(district, building, student, number)
    return committed


# --- the run -----------------------------------------------------------------------------------------------


def quiet_logging():
    import logging

    logging.getLogger("django-q").setLevel(logging.WARNING)
    logging.getLogger("raptorlink").setLevel(logging.WARNING)
    logging.getLogger("sis_sync").setLevel(logging.WARNING)


def run(events, rate, db_url, latency_ms=0):
    from sandbox.faults import FaultSpec

    directory = Path(tempfile.mkdtemp(prefix="raptorlink-bench-wb-"))
    label, cleanup = prepare_database(db_url, directory)
    quiet_logging()
    store, app, server = start_sandbox(directory, students=max(events * 2, 400))
    calls = CallCounter(app)
    cluster = None
    try:
        district, building = connect_and_sync(store, server.base_url)
        students = students_across_modes(district, events)
        app.faults.replace(FaultSpec(latency_ms=latency_ms))
        cluster = start_qcluster()
        tree = ProcessTree(cluster)
        time.sleep(3)  # the cluster's workers start up
        cpu_before = tree.cpu_seconds()
        watcher = Watcher(store)
        watcher.start()
        calls.counting = True
        committed = record_at_rate(district, building, students, rate)
        missing = watcher.wait_for(list(committed), timeout=max(120, events / rate * 3))
        watcher.stopping.set()
        tree.stopping.set()
        cpu = tree.cpu_seconds() - cpu_before
        latencies = [(watcher.seen[ref] - at) * 1000 for ref, at in committed.items() if ref in watcher.seen]
        elapsed = max(watcher.seen.values()) - min(committed.values())
        figures = {
            "events": len(committed),
            "latency_ms": latency_ms,
            "p50_ms": round(percentile(latencies, 0.50), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "per_s": round((len(committed) - len(missing)) / elapsed, 1),
            "calls_per_intent": calls.per_mode(students),
            "shared_calls": calls.shared,
            "cpu_ms_per_intent": round(cpu * 1000 / len(committed), 1),
            "peak_rss_mb": round(tree.peak_rss_kb / 1024, 1),
            **stages(),
            "db": label,
        }
        print(f"{len(committed)} events at {rate}/s offered on {label}, PowerSchool answering {latency_ms} ms late;")
        print(f"{len(missing)} never reached PowerSchool")
        print(f"latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms")
        print(f"sustained {figures['per_s']} write-backs/s over {elapsed:.1f} s")
        print(f"PowerSchool calls per intent {figures['calls_per_intent']}, {calls.shared} calls naming no student")
        print(f"qcluster: {figures['cpu_ms_per_intent']} ms CPU per intent, peak {figures['peak_rss_mb']} MB")
        print(
            f"recorded → picked up p50 {figures['pickup_p50_ms']} ms, p95 {figures['pickup_p95_ms']} ms; "
            f"applying p50 {figures['apply_p50_ms']} ms, p95 {figures['apply_p95_ms']} ms"
        )
        return figures
    finally:
        if cluster is not None:
            stop_qcluster(cluster)
        server.__exit__(None, None, None)
        cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=40.0, help="events recorded per second")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every PowerSchool call after the setup")
    parser.add_argument("--db-url", help="a PostgreSQL URL; the database is created and dropped (default: SQLite)")
    options = parser.parse_args()
    print(json.dumps(run(options.events, options.rate, options.db_url, options.latency_ms)))


if __name__ == "__main__":
    main()
