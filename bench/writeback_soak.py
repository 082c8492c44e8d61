"""Soak the write-back under a misbehaving PowerSchool and a crashing worker, then check nothing was lost.

    python bench/writeback_soak.py --events 5000 [--outage-seconds 600] [--latency-ms 150] [--db-url postgres://...]

The setup is bench/writeback.py's (sandbox over HTTP in this process, a fresh database synced from it, a real
qcluster in a child process, the every-minute drain schedule). While the events are recorded the sandbox answers
10 % of calls with 5xx, never answers 5 %, drops the connection after 2 % of the writes it saved, and throttles
calls closer than a few milliseconds apart, and with --latency-ms answers every call that much later; once it
revokes every token, once it is down for --outage-seconds,
and twice the qcluster is killed (SIGKILL) and started again. When every intent is finished, PowerSchool's
attendance is compared with the events.

Prints the outcome, then one line of JSON with events, lost, duplicates, wrong, succeeded and seconds.
"""

import argparse
import importlib.util
import json
import signal
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

spec = importlib.util.spec_from_file_location("writeback_bench", Path(__file__).with_name("writeback.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

NOISE = "error_rate=0.10,timeout_rate=0.05,hold_ms=2000,drop_after_write_rate=0.02,throttle_ms=5"
OUTAGE = NOISE.replace("error_rate=0.10", "error_rate=1.0")
KILLS_AT = (0.3, 0.7)
REVOKE_AT = 0.2
OUTAGE_AT = 0.45
RATE = 40.0
FINISH_TIMEOUT_SECONDS = 3600


class Disturbances:
    """Changes the sandbox's faults and kills the worker as the recording reaches given shares of the events."""

    def __init__(self, app, store, events, outage_seconds, latency_ms=0):
        self.app, self.store, self.events, self.outage_seconds = app, store, events, outage_seconds
        self.noise = f"{NOISE},latency_ms={latency_ms}"
        self.outage = f"{OUTAGE},latency_ms={latency_ms}"
        self.cluster = None
        self.done = set()

    def set_faults(self, text):
        from sandbox.faults import FaultSpec

        self.app.faults.replace(FaultSpec.parse(text))

    def at(self, recorded):
        share = recorded / self.events
        if share >= REVOKE_AT and "revoke" not in self.done:
            from sandbox.api.oauth import tokens_revoke

            self.done.add("revoke")
            tokens_revoke(self.store)
            print(f"{recorded}: every token revoked")
        if share >= OUTAGE_AT and "outage" not in self.done:
            self.done.add("outage")
            self.set_faults(self.outage)
            threading.Timer(self.outage_seconds, self.set_faults, args=(self.noise,)).start()
            print(f"{recorded}: PowerSchool down for {self.outage_seconds} s")
        for kill_at in KILLS_AT:
            if share >= kill_at and kill_at not in self.done:
                self.done.add(kill_at)
                bench.stop_qcluster(self.cluster, signal.SIGKILL)
                self.cluster = bench.start_qcluster()
                print(f"{recorded}: worker killed and started again")


def record_with_disturbances(district, building, students, disturbances):
    committed = {}
    started = time.monotonic()
    for offset, student in enumerate(students):
        pause = started + offset / RATE - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        disturbances.at(offset)
        committed[f"BW-{offset + 1}"] = (student, bench.record_event(district, building, student, offset + 1))
    return committed


def wait_until_finished(timeout):
    from writeback.models import Intent

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_intents = Intent.objects.filter(status__in=[Intent.Status.PENDING, Intent.Status.SENDING]).count()
        if not open_intents:
            return 0
        time.sleep(2)
    return open_intents


def expected_codes(store):
    """{school number: the id of code "T" in year 36}."""
    rows = store.query("SELECT schoolid, id FROM attendance_code WHERE yearid = 36 AND att_code = 'T'")
    return {row["schoolid"]: row["id"] for row in rows}


def compare(store, committed):
    """Lost: an event with no record; duplicates: more than one record where PowerSchool should hold one;
    wrong: a record with another code, year, student or school than the event's."""
    codes = expected_codes(store)
    rows = store.query("SELECT * FROM attendance WHERE att_comment LIKE '%[BW-%'")
    by_reference = {}
    for row in rows:
        found = bench.REFERENCE.search(row["att_comment"])
        by_reference.setdefault(found.group(1), []).append(row)
    lost = duplicates = wrong = 0
    for reference, (student, _) in committed.items():
        records = by_reference.get(reference, [])
        if not records:
            lost += 1
            continue
        slots = Counter((row["att_mode_code"], row["ccid"], row["periodid"]) for row in records)
        duplicates += sum(count - 1 for count in slots.values()) + max(0, len(slots) - 1)
        wrong += sum(
            1
            for row in records
            if (row["attendance_codeid"], row["yearid"], row["studentid"], row["schoolid"])
            != (codes[student.school.number], 36, student.ps_id, student.school.number)
        )
    return lost, duplicates, wrong


def run(events, outage_seconds, db_url, latency_ms=0):
    directory = Path(tempfile.mkdtemp(prefix="raptorlink-soak-wb-"))
    label, cleanup = bench.prepare_database(db_url, directory)
    from writeback.models import Intent
    from writeback.schedules import ensure_drain_schedule

    bench.quiet_logging()
    store, app, server = bench.start_sandbox(directory, students=int(events * 1.6))
    disturbances = Disturbances(app, store, events, outage_seconds, latency_ms)
    started = time.monotonic()
    try:
        district, building = bench.connect_and_sync(store, server.base_url)
        students = bench.students_across_modes(district, events)
        ensure_drain_schedule()
        disturbances.cluster = bench.start_qcluster()
        disturbances.set_faults(disturbances.noise)
        started = time.monotonic()
        committed = record_with_disturbances(district, building, students, disturbances)
        print(f"{len(committed)} events recorded in {time.monotonic() - started:.0f} s on {label}; waiting")
        unfinished = wait_until_finished(FINISH_TIMEOUT_SECONDS)
        seconds = time.monotonic() - started
        lost, duplicates, wrong = compare(store, committed)
        succeeded = Intent.objects.filter(status=Intent.Status.SUCCEEDED).count()
        outcomes = Counter(Intent.objects.values_list("status", flat=True))
        print(f"outcomes {dict(outcomes)}; {unfinished} unfinished; attempts {attempt_summary()}")
        print(f"lost {lost}, duplicates {duplicates}, wrong {wrong}, succeeded {succeeded} in {seconds:.0f} s")
        return {
            "events": len(committed),
            "lost": lost,
            "duplicates": duplicates,
            "wrong": wrong,
            "succeeded": succeeded,
            "seconds": round(seconds),
            "latency_ms": latency_ms,
            "db": label,
        }
    finally:
        if disturbances.cluster is not None:
            bench.stop_qcluster(disturbances.cluster)
        app.faults.replace(type(app.faults.spec)())
        server.__exit__(None, None, None)
        cleanup()


def attempt_summary():
    from writeback.models import Attempt

    return dict(Counter(Attempt.objects.values_list("category", flat=True)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--outage-seconds", type=float, default=600.0, help="how long PowerSchool is down once")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every PowerSchool call")
    parser.add_argument("--db-url", help="a PostgreSQL URL; the database is created and dropped (default: SQLite)")
    options = parser.parse_args()
    print(json.dumps(run(options.events, options.outage_seconds, options.db_url, options.latency_ms)))


if __name__ == "__main__":
    main()
