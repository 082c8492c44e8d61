"""Many intents in flight at once, few calls each: what a hosted PowerSchool (100–400 ms a call) needs.

The round-trip tests run the drain as every test does (one intent at a time, inside the test's transaction).
The concurrency tests commit for real and drain on threads against the sandbox over HTTP, as a worker does;
SQLite's in-memory test database is seen by one connection only, so those run on PostgreSQL (and any file
database).
"""

import datetime
import re
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection

from raptorlink.models import Building, School
from sandbox.app import SandboxApp
from sandbox.server import SandboxServer
from sis_sync.models import Student
from sis_sync.services import run_sync
from tests.sis_sync.conftest import start_history
from tests.sis_sync.sandbox import connect_district
from tests.writeback.conftest import DAILY_SCHOOL, MEETING_SCHOOL, NOW, TIME_SCHOOL, TODAY, WritebackDistrict, latest
from writeback import outbox
from writeback.engine import drainer
from writeback.engine.apply import Trace, intent_apply
from writeback.engine.clients import forget_clients, shared_client
from writeback.engine.lookups import Lookups
from writeback.models import Intent

ATTENDANCE_READ = ("GET", "/ws/schema/table/attendance")
STUDENT_IN_QUERY = re.compile(r"studentid==(\d+)")
STUDENT_IN_BODY = re.compile(rb'"studentid":\s*"?(\d+)')
DATE_IN_QUERY = re.compile(r"att_date==([\d-]+)")
DATE_IN_BODY = re.compile(rb'"att_date":\s*"([\d-]+)"')
COMMENT_IN_BODY = re.compile(rb'"att_comment":\s*"([^"]*)"')


@pytest.fixture
def calls(ps):
    """The PowerSchool calls the sandbox answers, as (method, path), through the worker's own kept clients."""
    seen = []
    handle = ps.app.handle

    def counting(request):
        seen.append((request.method, request.path))
        return handle(request)

    ps.app.handle = counting
    forget_clients()
    yield seen
    forget_clients()


def drained_alone(ps, calls, intent):
    calls.clear()
    drainer.drain("worker-1")
    assert latest(intent).status == Intent.Status.SUCCEEDED, latest(intent).error
    return list(calls)


def test_a_first_write_back_is_a_read_of_the_day_and_one_write_in_daily_and_meeting_and_one_write_in_time(ps, calls):
    drained_alone(ps, calls, ps.intent(ps.student(DAILY_SCHOOL, 5)))  # the worker's token and metadata

    daily = drained_alone(ps, calls, ps.intent(ps.student(DAILY_SCHOOL)))
    time_mode = drained_alone(ps, calls, ps.intent(ps.student(TIME_SCHOOL)))
    meeting = drained_alone(ps, calls, ps.intent(ps.student(MEETING_SCHOOL), at="09:00"))

    assert daily == [ATTENDANCE_READ, ("POST", "/ws/attendance/daily_time")]
    assert time_mode == [("POST", "/ws/attendance/daily_time")]
    assert meeting == [ATTENDANCE_READ, ("POST", "/ws/attendance/meeting_interval")]


def test_a_later_event_of_the_day_reads_the_day_to_see_whether_someone_changed_our_record(ps, calls):
    drained_alone(ps, calls, ps.intent(ps.student(DAILY_SCHOOL, 5)))
    student = ps.student(TIME_SCHOOL)
    drained_alone(ps, calls, ps.intent(student, at="08:40"))

    later = drained_alone(ps, calls, ps.intent(student, at="13:10", kind=Intent.Kind.EARLY_CHECK_OUT))

    assert later == [ATTENDANCE_READ, ("POST", "/ws/attendance/daily_time")]
    assert len(ps.attendance(student)) == 1


def test_the_worker_keeps_its_client_until_the_districts_connection_settings_change(ps, calls):
    district = ps.district
    kept = shared_client(district)
    assert shared_client(district) is kept

    district.powerschool.max_concurrent_calls = 4
    district.powerschool.save()

    assert shared_client(district) is not kept


def test_a_killed_workers_intents_are_taken_over_when_its_leases_run_out_and_nothing_is_doubled(ps):
    students = [ps.student(DAILY_SCHOOL), ps.student(TIME_SCHOOL), ps.student(MEETING_SCHOOL)]
    intents = [ps.intent(student, at="09:00") for student in students]
    claimed = outbox.claim_due("killed")
    # The killed worker got as far as PowerSchool with every intent, and died before it heard back.
    for intent in claimed:
        intent_apply(intent, ps.client(), Trace(), Lookups())
    assert ps.drain("worker-2") == 0

    ps.later(outbox.LEASE.total_seconds() + 1)
    assert ps.drain("worker-2") == 3

    assert all(latest(intent).status == Intent.Status.SUCCEEDED for intent in intents)
    for student in students:
        slots = Counter((row["att_mode_code"], row["ccid"], row["periodid"]) for row in ps.attendance(student))
        assert set(slots.values()) == {1}


# --- on threads, over HTTP ------------------------------------------------------------------------------


@pytest.fixture
def served(transactional_db, sandbox_store):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite's in-memory test database is seen by one connection only: the drain runs inline there")
    start_history(sandbox_store)
    app = SandboxApp(sandbox_store)
    forget_clients()
    with time_machine.travel(NOW), SandboxServer(app) as server:
        district = connect_district(sandbox_store, base_url=server.base_url)
        run_sync(district, kind="full")
        building = Building.objects.create(district=district, name="Main entrance")
        School.objects.filter(district=district).update(building=building)
        School.objects.filter(district=district, number=TIME_SCHOOL).update(attendance_mode="time")
        School.objects.filter(district=district, number__gte=MEETING_SCHOOL).update(attendance_mode="meeting")
        yield WritebackDistrict(district, sandbox_store, app, None, building, None)
    forget_clients()


class Watched:
    """Wraps the sandbox's handler: which student-day each call is about, how many calls are in flight, and the
    writes of each student in the order they arrived. The first writes wait until several calls are in flight
    together (a few seconds at most, once), so a drain that overlapped nothing would show it."""

    def __init__(self, app, together=6, patience=5.0):
        self.handle = app.handle
        app.handle = self
        self.lock = threading.Condition()
        self.in_flight = Counter()
        self.most_at_once = 0
        self.most_of_one_student_day = 0
        self.writes = {}
        self.together = together
        self.patience = patience

    def __call__(self, request):
        student, day = self.student_day_of(request)
        with self.lock:
            self.in_flight[student, day] += 1
            if student is not None:
                self.most_of_one_student_day = max(self.most_of_one_student_day, self.in_flight[student, day])
            self.most_at_once = max(self.most_at_once, sum(self.in_flight.values()))
            self.lock.notify_all()
            if request.method == "POST" and student is not None and self.patience:
                if not self.lock.wait_for(self.enough_together, timeout=self.patience):
                    self.patience = 0

        try:
            response = self.handle(request)
        finally:
            with self.lock:
                self.in_flight[student, day] -= 1
        if request.method == "POST" and student is not None and response.status < 300:
            self.writes.setdefault(student, []).append(COMMENT_IN_BODY.search(request.body).group(1).decode())
        return response

    def enough_together(self):
        return sum(self.in_flight.values()) >= self.together

    @staticmethod
    def student_day_of(request):
        q = request.query.get("q", "")
        student = STUDENT_IN_QUERY.search(q) or STUDENT_IN_BODY.search(request.body)
        day = DATE_IN_QUERY.search(q) or DATE_IN_BODY.search(request.body)
        if student is None or day is None:
            return None, None
        return int(student.group(1)), day.group(1) if isinstance(day.group(1), str) else day.group(1).decode()


@pytest.mark.slow
def test_a_drain_overlaps_many_student_days_but_never_two_intents_of_one_and_keeps_their_order(served):
    """Each event is moved twice (08:20 → 08:35 → 08:50) before the drain starts: whatever it writes of a
    student-day, PowerSchool never goes back to an earlier time, and ends at the last."""
    ps = served
    watched = Watched(ps.app)
    students = list(Student.objects.filter(enroll_status=0, school__number__lt=MEETING_SCHOOL).order_by("dcid"))
    days = [TODAY - datetime.timedelta(days=back) for back in (0, 1, 6, 7)]  # Wednesdays and Tuesdays
    times = ("08:20", "08:35", "08:50")
    for turn, at in enumerate(times):
        for student in students:
            for day in days:
                ref = f"RL-{student.pk}-{day:%d}"
                ps.intent(student, at=at, ref=ref, att_date=day, idempotency_key=f"{ref}:{turn}")
    assert len(students) * len(days) >= 100

    drainer.drain("worker-1", concurrency=16)

    assert Intent.objects.filter(status=Intent.Status.SUCCEEDED).count() == len(students) * len(days) * 3
    assert watched.most_of_one_student_day == 1
    assert watched.most_at_once >= watched.together
    for student in students:
        for day in days:
            written = [comment for comment in watched.writes[student.ps_id] if comment.endswith(f"-{day:%d}]")]
            turns = [next(turn for turn, at in enumerate(times) if at in comment) for comment in written]
            assert turns == sorted(turns) and turns[-1] == len(times) - 1, written


@pytest.mark.slow
def test_a_call_slower_than_the_lease_keeps_its_claim_because_the_drain_renews_it(served, monkeypatch):
    ps = served
    monkeypatch.setattr(drainer, "RENEW_EVERY_SECONDS", 0)
    student = ps.student(TIME_SCHOOL)
    intent = ps.intent(student)
    writing, finish, renewed = threading.Event(), threading.Event(), threading.Event()
    handle = ps.app.handle
    leases_renew = outbox.leases_renew

    def noting_renewals(*args, **kwargs):
        held = leases_renew(*args, **kwargs)
        renewed.set()
        return held

    monkeypatch.setattr(outbox, "leases_renew", noting_renewals)

    def slow_write(request):
        if request.method == "POST":
            writing.set()
            finish.wait(10)
        return handle(request)

    ps.app.handle = slow_write

    def drain_as_a_worker():
        try:
            drainer.drain("slow-worker", concurrency=4)
        finally:
            connection.close()

    draining = threading.Thread(target=drain_as_a_worker)
    draining.start()
    assert writing.wait(10)
    with time_machine.travel(NOW + outbox.LEASE * 3, tick=False):
        renewed.clear()
        assert renewed.wait(10)  # the drain renewed its lease at the new time, while the call goes on
        assert outbox.claim_due("another-worker") == []
    finish.set()
    draining.join(10)

    intent = latest(intent)
    assert intent.status == Intent.Status.SUCCEEDED and intent.attempts == 1
    assert len(ps.attendance(student)) == 1
