"""End to end, for a district whose roster comes from Clever: PowerSchool's schools, calendar and codes are synced
and the Clever set imported (here after the sync, so no sync has linked the students yet), a student signs in at
the kiosk, and the drainer writes the attendance into the sandbox's PowerSchool under the student's STUDENTS.ID,
converted from what Clever carried."""

import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from raptorlink.models import Building, School
from sandbox.testing import mock_powerschool
from sis_sync.models import Source, Student, SyncRun
from sis_sync.rosters.service import roster_import
from sis_sync.services import run_sync
from tests.kiosk.synced import add_reason
from tests.kiosk.test_kiosk_page import SIGN_IN, enrolled
from tests.rosters.clever_from_sandbox import clever_set, served
from tests.rosters.conftest import roster_from
from tests.sis_sync.sandbox import SANDBOX_URL, connect_district, sandbox_client
from writeback.engine.drainer import drain
from writeback.models import Intent

# 12:47 UTC is 08:47 in the sandbox district's zone, a school-day morning.
NOW = datetime.datetime(2026, 10, 14, 12, 47, tzinfo=datetime.UTC)
DAILY_SCHOOL = 1001
DCID_RULE = {"identifier_field": "record_id", "identifier_rule": "dcid"}
NUMBER_RULE = {"identifier_field": "student_number", "identifier_rule": "student_number"}


@pytest.fixture
def on_clever(db, sandbox_store, tmp_path):
    """Start a district on Clever with the given identifier settings and Student_id column; yields the starter."""
    app, clock = served(sandbox_store)
    with time_machine.travel(NOW, tick=False), mock_powerschool(app, base_url=SANDBOX_URL):

        def start(rule, student_id):
            district = connect_district(sandbox_store)
            roster_from(district, Source.CLEVER, **rule)
            synced = run_sync(district, kind="full", client=sandbox_client(district, clock, page_size=200))
            assert synced.status == SyncRun.Status.SUCCEEDED, synced.message
            imported = roster_import(district, Source.CLEVER, clever_set(sandbox_store, tmp_path, student_id))
            assert imported.succeeded, imported.run.message
            return district, lambda district: sandbox_client(district, clock, page_size=200)

        yield start


def school_at_the_entrance(district):
    building = Building.objects.create(district=district, name="Main entrance")
    School.objects.filter(district=district).update(building=building, writeback_enabled=False)
    School.objects.filter(district=district, number=DAILY_SCHOOL).update(
        writeback_enabled=True, attendance_mode="daily"
    )
    return School.objects.get(district=district, number=DAILY_SCHOOL)


def kiosk_sign_in(district, student):
    school = school_at_the_entrance(district)
    reason = add_reason(district, "Overslept", codes={school: "T"})
    _, kiosk = enrolled(school.building)
    body = {"key": "attempt-0001", "student": student.pk, "kind": "late_check_in", "reason": reason.pk, "note": ""}
    response = kiosk.post(SIGN_IN, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["event"]["reference"]


def clever_student(district, sandbox_store):
    """An active student of the Daily school as Clever brought them, with the sandbox's row for them."""
    student = (
        Student.objects.filter(district=district, school__number=DAILY_SCHOOL, source=Source.CLEVER)
        .order_by("student_number")
        .first()
    )
    row = sandbox_store.query_one("SELECT * FROM students WHERE student_number = ?", (student.student_number,))
    return student, row


def powerschool_attendance(sandbox_store, student_row):
    return [
        dict(row)
        for row in sandbox_store.query(
            "SELECT a.studentid, a.att_date, a.att_mode_code, a.att_comment, c.att_code FROM attendance a "
            "JOIN attendance_code c ON c.id = a.attendance_codeid WHERE a.studentid = ?",
            (student_row["id"],),
        )
    ]


def test_a_clever_students_kiosk_sign_in_reaches_powerschool_through_the_dcid_conversion(on_clever, sandbox_store):
    district, _ = on_clever(DCID_RULE, "dcid")
    student, row = clever_student(district, sandbox_store)
    assert (student.dcid, student.ps_id) == (row["dcid"], None) and row["dcid"] != row["id"]

    reference = kiosk_sign_in(district, student)
    out = StringIO()
    call_command("drain_writebacks", "--once", stdout=out)

    intent = Intent.objects.get(event_ref=reference)
    assert intent.status == Intent.Status.SUCCEEDED, intent.error
    (written,) = powerschool_attendance(sandbox_store, row)
    assert written["studentid"] == row["id"] and written["att_code"] == "T"
    assert written["att_date"] == "2026-10-14" and written["att_mode_code"] == "ATT_ModeDaily"
    assert f"[{reference}]" in written["att_comment"]
    assert Student.objects.values_list("ps_id", flat=True).get(pk=student.pk) == row["id"]


def test_a_clever_student_known_only_by_number_reaches_powerschool_through_the_students_table(on_clever, sandbox_store):
    district, client_for = on_clever(NUMBER_RULE, "other")
    student, row = clever_student(district, sandbox_store)
    assert (student.dcid, student.ps_id, student.key) == (None, None, f"sis-{row['student_number']}")

    reference = kiosk_sign_in(district, student)
    drain("worker-1", client_for=client_for)

    intent = Intent.objects.get(event_ref=reference)
    assert intent.status == Intent.Status.SUCCEEDED, intent.error
    (written,) = powerschool_attendance(sandbox_store, row)
    assert (written["studentid"], written["att_code"], written["att_date"]) == (row["id"], "T", "2026-10-14")
    assert Student.objects.values_list("ps_id", "dcid").get(pk=student.pk) == (row["id"], row["dcid"])
