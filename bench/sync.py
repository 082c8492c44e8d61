"""Benchmark the PowerSchool sync over real HTTP.

    python bench/sync.py --students 5000 [--runs 5] [--db-url postgres://postgres@127.0.0.1:5432/raptorlink_bench]

A child process generates a district into a temporary sandbox store and serves it over HTTP, so the sandbox's
CPU and memory stay out of the figures. This process migrates a fresh database (a temporary SQLite file, or the
PostgreSQL database named by --db-url, created and dropped here), runs a full sync, replays the full sync's
requests without storing anything (the raw fetch baseline: download and decode the same pages), changes 1 % of
the students in the sandbox (renames and withdrawals) and runs a delta sync (on PostgreSQL after an ANALYZE, as
autovacuum runs one between a sync and the next delta in production). With --runs N, the full sync and
its raw fetch run N times (the database emptied between them) and the figures are the median ratio's run.

Prints rows and rows/s per entity, requests, wall times and peak memory, then one line of JSON with students,
full_sync_s, raw_fetch_s, ratio, delta_sync_s, requests, peak_rss_mb, db, ratios (every run's), load_average (the
machine's one-minute load average after the raw fetch: other processes sharing the two cores slow the sync more
than the raw fetch), and full_sync_cpu_s and raw_fetch_cpu_s, the CPU time this process spent on each (all its
threads), which other processes change far less than they change wall times.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The page size a district administrator sets for the plugin (Plugin Management → Data Configuration).
TABLE_PAGE_SIZE = 1000
V1_PAGE_SIZE = 100
# Answers the sync reads without decoding them.
SCANNED_PATH = "/ws/dataversion/"


# --- the sandbox, in a child process -----------------------------------------------------------------------


def serve(store_path, students):
    """Child process: generate the district, print the server's URL, serve until stdin closes."""
    from raptorlink.powerschool.access import render_plugin_xml
    from sandbox import mutations, plugin
    from sandbox.app import SandboxApp
    from sandbox.generator import generate_district
    from sandbox.server import SandboxServer
    from sandbox.store import Store

    store = Store(store_path)
    generate_district(store, seed=1, students=students, today=datetime.date.today())
    plugin.install_plugin(store, render_plugin_xml("Benchmark District"))
    plugin.set_options(store, max_table_page_size=TABLE_PAGE_SIZE, max_page_size=V1_PAGE_SIZE)
    # A live PowerSchool's data version is never 0, which would ask a delta pull for everything.
    first = store.query_one("SELECT dcid, first_name FROM students ORDER BY dcid LIMIT 1")
    mutations.rename_student(store, first["dcid"], first_name=first["first_name"])
    with SandboxServer(SandboxApp(store)) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()


def start_sandbox(store_path, students):
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(store_path), "--students", str(students)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base_url = child.stdout.readline().strip()
    if not base_url:
        raise SystemExit("The sandbox did not start")
    return child, base_url


# --- the database ------------------------------------------------------------------------------------------


def prepare_database(db_url, directory):
    """Point Django at a fresh database, migrate it, and return (label, cleanup)."""
    if db_url:
        _recreate_postgres(db_url)
        os.environ["DATABASE_URL"] = db_url
        label = "postgresql"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'raptorlink.sqlite3'}"
        label = "sqlite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A benchmark is a development run (the sandbox's http:// URL, the development secrets); DEBUG is turned off
    # again below, once the settings are read, as production runs.
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # As in production: with DEBUG on, Django also keeps a log of every query, which a sync does not pay for there.
    settings.DEBUG = False

    call_command("migrate", verbosity=0)
    return label, (lambda: _drop_postgres(db_url)) if db_url else (lambda: None)


def _admin_connection(db_url):
    import psycopg

    parts = urlsplit(db_url)
    return psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True), parts.path.lstrip("/")


def _recreate_postgres(db_url):
    connection, name = _admin_connection(db_url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres(db_url):
    from django.db import connections

    connections.close_all()
    connection, name = _admin_connection(db_url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- measuring ---------------------------------------------------------------------------------------------


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class EntityTimes:
    """A progress callback that notes when each entity's pull starts and ends."""

    def __init__(self):
        self.started, self.seconds, self.cpu = {}, {}, None

    def __call__(self, entity, processed, message):
        now = time.monotonic()
        if message == "started":
            self.started[entity] = now
        elif message == "finished" and entity in self.started:
            self.seconds[entity] = self.seconds.get(entity, 0) + now - self.started.pop(entity)


class Recorder:
    """Keeps every request the sync's client sends, to replay them for the raw fetch baseline."""

    def __init__(self, client):
        self.requests = []
        client.session.http.hooks["response"].append(self.keep)

    def keep(self, response, *args, **kwargs):
        request = response.request
        self.requests.append((request.method, request.url, request.body, dict(request.headers)))


def raw_fetch(recorded):
    """Send the same requests again and decode the answers as the sync does, storing nothing; returns seconds. The
    data version answer, which the sync scans for the version as it arrives, is downloaded, not decoded."""
    import requests

    from raptorlink.powerschool.session import decoded

    session = requests.Session()
    started = time.monotonic()
    for method, url, body, headers in recorded:
        scanned = SCANNED_PATH in url
        answer = session.request(method, url, data=body, headers=headers, timeout=300, stream=scanned)
        answer.raise_for_status()
        if scanned:
            sum(len(chunk) for chunk in answer.iter_content(64 * 1024))
        elif answer.content:
            decoded(answer.content)
    return time.monotonic() - started


def change_one_percent(store_path):
    """Rename half of 1 % of the students and withdraw the other half, through the sandbox's mutations."""
    from sandbox import mutations
    from sandbox.store import Store

    store = Store(store_path)
    total = store.query_one("SELECT COUNT(*) n FROM students")["n"]
    today = datetime.date.today()
    chosen = store.query(
        "SELECT dcid, last_name FROM students WHERE enroll_status = 0 AND entrydate < ? ORDER BY dcid LIMIT ?",
        (today.isoformat(), max(1, total // 100)),
    )
    for index, student in enumerate(chosen):
        if index % 2:
            mutations.withdraw_student(store, student["dcid"], exitdate=today)
        else:
            mutations.rename_student(store, student["dcid"], last_name=f"{student['last_name']}-Renamed")
    store.close()
    return len(chosen)


# --- the run ----------------------------------------------------------------------------------------------


def timed_sync(district, kind, client=None):
    from sis_sync.services import run_sync

    times = EntityTimes()
    started, cpu = time.monotonic(), time.process_time()
    run = run_sync(district, kind=kind, trigger="benchmark", progress=times, client=client)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    if run.status != "succeeded":
        raise SystemExit(f"The {kind} sync {run.status}: {run.message}")
    times.cpu = cpu
    return run, seconds, times


def print_entities(title, run, seconds, times):
    print(f"\n{title}: {seconds:.1f} s, {run.requests} requests")
    for entity, counts in run.counts.items():
        rows = sum(counts[outcome] for outcome in ("created", "updated", "unchanged", "failed"))
        spent = times.seconds.get(entity)
        rate = f"{rows / spent:10.0f} rows/s" if spent else ""
        written = ", ".join(f"{outcome} {n}" for outcome, n in counts.items() if n)
        print(f"  {entity:20} {rows:8} rows {rate}   {written}")


def connect(base_url, store_path):
    from raptorlink.models import District, PowerSchoolConnection
    from raptorlink.powerschool import PowerSchoolClient
    from sandbox.plugin import installed_plugin
    from sandbox.store import Store

    credentials = installed_plugin(Store(store_path))
    district = District.objects.create(name="Benchmark District", slug="bench")
    connection = PowerSchoolConnection.objects.create(
        district=district,
        base_url=base_url,
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
    )
    client = PowerSchoolClient(connection)
    client.use_largest_pages()
    return district, client


def run(students, db_url, runs):
    directory = Path(tempfile.mkdtemp(prefix="raptorlink-bench-"))
    store_path = directory / "sandbox.sqlite3"
    child, base_url = start_sandbox(store_path, students)
    try:
        db, cleanup = prepare_database(db_url, directory)
        try:
            return measure(students, db, base_url, store_path, runs)
        finally:
            cleanup()
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def measure(students, db, base_url, store_path, runs):
    """`runs` full syncs (each into an emptied database) with their raw fetches, then one delta sync. The
    figures are the run with the median ratio's: two runs of the same code on this machine can differ by a
    third, in either direction."""
    passes = [full_pass(base_url, store_path, emptied=number > 1) for number in range(1, runs + 1)]
    chosen = sorted(passes, key=lambda one: one["ratio"])[len(passes) // 2]
    if runs > 1:
        print(
            f"\nRatios of the {runs} runs: {', '.join(str(one['ratio']) for one in passes)}; median {chosen['ratio']}"
        )
    district = passes[-1].pop("district")
    if db == "postgresql":
        analyze_like_autovacuum()
    changed = change_one_percent(store_path)
    delta, delta_s, delta_times = timed_sync(district, "delta")
    print_entities(f"Delta sync after {changed} students changed", delta, delta_s, delta_times)
    peak = peak_rss_mb()
    print(f"\nPeak memory of the syncing process: {peak:.0f} MB ({db})")
    return {
        "students": students,
        **{key: value for key, value in chosen.items() if key != "district"},
        "delta_sync_s": round(delta_s, 2),
        "peak_rss_mb": round(peak, 1),
        "db": db,
        "ratios": [one["ratio"] for one in passes],
    }


def analyze_like_autovacuum():
    """Give PostgreSQL's planner the statistics of the tables the full sync just filled, as autovacuum does within
    a minute of it in production, long before the next delta (every 15 minutes). Right after a first sync the
    planner still takes the tables for empty and reads a whole table where its key index would do."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\nANALYZE before the delta, as autovacuum does after a sync: {time.monotonic() - started:.1f} s")


def full_pass(base_url, store_path, *, emptied):
    """One full sync and the raw fetch of its requests; `emptied` empties the database first."""
    if emptied:
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
    district, client = connect(base_url, store_path)
    recorder = Recorder(client)
    full, full_s, full_times = timed_sync(district, "full", client)
    print_entities("Full sync", full, full_s, full_times)
    raw_cpu = time.process_time()
    raw_s = raw_fetch(recorder.requests)
    raw_cpu = time.process_time() - raw_cpu
    load = os.getloadavg()[0]
    print(f"\nRaw fetch of the same {len(recorder.requests)} requests: {raw_s:.1f} s (load average {load:.1f})")
    print(f"CPU time of this process: full sync {full_times.cpu:.1f} s, raw fetch {raw_cpu:.1f} s")
    return {
        "district": district,
        "full_sync_s": round(full_s, 2),
        "raw_fetch_s": round(raw_s, 2),
        "ratio": round(full_s / raw_s, 2),
        "requests": full.requests,
        "load_average": round(load, 2),
        "full_sync_cpu_s": round(full_times.cpu, 2),
        "raw_fetch_cpu_s": round(raw_cpu, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--db-url", help="a PostgreSQL URL; the database is created and dropped (default: SQLite)")
    parser.add_argument("--runs", type=int, default=1, help="full syncs to run; the median ratio's is reported")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.serve, options.students)
        return
    print(json.dumps(run(options.students, options.db_url, max(1, options.runs))))


if __name__ == "__main__":
    main()
