import datetime
import itertools
from dataclasses import dataclass

import pytest
import time_machine

from raptorlink.models import Building, School
from sandbox.app import SandboxApp
from sandbox.store import Store
from sandbox.testing import mock_powerschool
from sis_sync.models import Student
from sis_sync.services import run_sync
from tests.sis_sync.conftest import start_history
from tests.sis_sync.sandbox import SANDBOX_URL, FakeClock, connect_district, sandbox_client
from writeback.engine.drainer import drain
from writeback.models import Intent
from writeback.outbox import record_intent

TODAY = datetime.date(2026, 10, 14)
# 13:00 UTC is 09:00 in the district's zone: the first period is over everywhere, classes are in progress.
NOW = datetime.datetime(2026, 10, 14, 13, 0, tzinfo=datetime.UTC)
DAILY_SCHOOL, TIME_SCHOOL, MEETING_SCHOOL, HIGH_SCHOOL = 1001, 1002, 2001, 3001


def clock(text):
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


@dataclass
class WritebackDistrict:
    """A district synced from the sandbox, with shortcuts to record intents, drain them and read PowerSchool."""

    district: object
    store: Store
    app: SandboxApp
    clock: FakeClock
    building: Building
    traveller: object

    def __post_init__(self):
        self.references = itertools.count(1001)

    def later(self, seconds):
        """Move the frozen clock on (retries come due, leases run out)."""
        self.traveller.shift(seconds)

    def client(self):
        return sandbox_client(self.district, self.clock, page_size=200)

    def drain(self, worker="worker-1"):
        return drain(worker, client_for=lambda district: self.client())

    def school(self, number):
        return School.objects.get(district=self.district, number=number)

    def student(self, school_number, index=0):
        return Student.objects.filter(school__number=school_number, enroll_status=0).order_by("dcid")[index]

    def intent(self, student, *, at="08:47", kind=Intent.Kind.LATE_CHECK_IN, code="T", ref=None, **fields):
        """Record an intent the way the kiosk does: one per change of an event."""
        ref = ref or f"RL-{next(self.references)}"
        serial = Intent.objects.count() + 1
        values = dict(
            district=self.district,
            school=student.school,
            building=self.building,
            student=student,
            kind=kind,
            event_ref=ref,
            occurred_at=NOW,
            att_date=TODAY,
            seconds=clock(at),
            reason="Doctor appointment",
            code_text=code,
            comment=f"{Intent.Kind(kind).label} {at} — Doctor appointment (kiosk) [{ref}]",
            source="kiosk",
            idempotency_key=f"{ref}:{serial}",
        )
        return record_intent(**{**values, **fields})

    def attendance(self, student, mode=None):
        sql = "SELECT * FROM attendance WHERE studentid = ? AND att_date = ?"
        params = [student.ps_id, TODAY.isoformat()]
        if mode:
            sql += " AND att_mode_code = ?"
            params.append(mode)
        return [dict(row) for row in self.store.query(sql + " ORDER BY dcid", params)]

    def code_text(self, code_id):
        return self.store.query_one("SELECT att_code FROM attendance_code WHERE id = ?", (code_id,))["att_code"]

    def times(self, attendance_id):
        row = self.store.query_one("SELECT * FROM attendance_time WHERE attendanceid = ?", (attendance_id,))
        return dict(row) if row else None


def synced(store):
    clock = FakeClock()
    app = SandboxApp(store, clock=clock)
    start_history(store)
    with time_machine.travel(NOW, tick=False) as traveller, mock_powerschool(app, base_url=SANDBOX_URL):
        district = connect_district(store)
        run_sync(district, kind="full", client=sandbox_client(district, clock, page_size=200))
        building = Building.objects.create(district=district, name="Main entrance")
        School.objects.filter(district=district).update(building=building)
        # As the sandbox's Attendance Preferences say: elementary Daily (1002 Time), the others Meeting.
        School.objects.filter(district=district, number=TIME_SCHOOL).update(attendance_mode="time")
        School.objects.filter(district=district, number__gte=MEETING_SCHOOL).update(attendance_mode="meeting")
        yield WritebackDistrict(district, store, app, clock, building, traveller)


@pytest.fixture
def ps(db, sandbox_store):
    """The generated district synced into RaptorLink, its sandbox PowerSchool behind `responses`, time frozen."""
    yield from synced(sandbox_store)


def latest(intent):
    intent.refresh_from_db()
    return intent
