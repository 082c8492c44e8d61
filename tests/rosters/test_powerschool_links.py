"""A district whose roster comes from Clever: its PowerSchool sync links the roster's students to PowerSchool's
(STUDENTS.ID and DCID, found as the identifier rule says), so the kiosk shows the SIS id, enrollments reach them
for Meeting mode, and a delta sync stays a delta."""

import datetime
import json
from types import SimpleNamespace

import pytest
import time_machine

from raptorlink.models import Building, School, VisibleStudentId
from sandbox import mutations
from sandbox.http import Response
from sandbox.testing import mock_powerschool
from sis_sync.models import Enrollment, Source, Student, SyncIssue, SyncRun, SyncSettings
from sis_sync.rosters.service import roster_import
from sis_sync.services import run_sync
from tests.kiosk.synced import add_reason
from tests.kiosk.test_kiosk_page import ROSTER, SIGN_IN, STUDENT, enrolled
from tests.rosters.clever_from_sandbox import clever_set, served
from tests.rosters.conftest import roster_from
from tests.sis_sync.sandbox import SANDBOX_URL, connect_district, sandbox_client
from writeback.engine.drainer import drain
from writeback.models import Intent

# 13:00 UTC is 09:00 in the sandbox district's zone: a school day, classes in progress.
NOW = datetime.datetime(2026, 10, 14, 13, 0, tzinfo=datetime.UTC)
MEETING_SCHOOL = 2001
DCID_RULE = {"identifier_field": "record_id", "identifier_rule": "dcid"}
NUMBER_RULE = {"identifier_field": "student_number", "identifier_rule": "student_number"}
SCHEDULES = ["schools", "calendar", "sections", "enrollments", "attendance_codes"]


class CleverDistrict:
    """The sandbox district on Clever: its set exported from the sandbox's students, PowerSchool behind
    `responses`."""

    def __init__(self, store, clock, directory, rule, student_id):
        self.store, self.clock, self.directory, self.student_id = store, clock, directory, student_id
        self.district = connect_district(store)
        roster_from(self.district, Source.CLEVER, **rule)
        self.imports = 0

    def client(self):
        return sandbox_client(self.district, self.clock, page_size=200)

    def import_roster(self):
        self.imports += 1
        folder = self.directory / f"clever-{self.imports}"
        imported = roster_import(self.district, Source.CLEVER, clever_set(self.store, folder, self.student_id))
        assert imported.succeeded, imported.run.message

    def sync(self, kind="full"):
        run = run_sync(self.district, kind=kind, client=self.client())
        assert run.status == SyncRun.Status.SUCCEEDED, run.message
        return run

    def students(self):
        """{student number: (STUDENTS.ID, STUDENTS.DCID)} of the roster's students as RaptorLink holds them."""
        rows = Student.objects.filter(district=self.district, source=Source.CLEVER, active=True)
        return {number: (ps_id, dcid) for number, ps_id, dcid in rows.values_list("student_number", "ps_id", "dcid")}

    def powerschool_students(self):
        rows = self.store.query("SELECT id, dcid, student_number FROM students WHERE enroll_status = 0")
        return {str(row["student_number"]): (row["id"], row["dcid"]) for row in rows}


class PowerSchoolWithADuplicateNumber:
    """The sandbox, where one more student (a merge left behind, a typing slip) carries `number` too: the sandbox
    keeps student numbers unique, a real PowerSchool does not."""

    def __init__(self, app, number):
        self.app, self.number = app, str(number)

    def handle(self, request):
        response = self.app.handle(request)
        if request.path != "/ws/schema/table/students":
            return response
        body = json.loads(response.body)
        for at, record in enumerate(list(body["record"])):
            values = record["tables"]["students"]
            if values.get("student_number") == self.number:
                twin = {**values, "dcid": str(int(values["dcid"]) + 900000), "id": str(int(values["id"]) + 900000)}
                body["record"].insert(at + 1, {**record, "id": int(twin["dcid"]), "tables": {"students": twin}})
        return Response.json(body)


@pytest.fixture
def on_clever(db, sandbox_store, tmp_path):
    """Start the sandbox district on Clever with the given identifier settings and Student_id column; `twin`
    names a student number PowerSchool lists twice."""
    app, clock = served(sandbox_store)
    chosen = SimpleNamespace(app=app)

    def start(rule, student_id="dcid", twin=None):
        chosen.app = PowerSchoolWithADuplicateNumber(app, twin) if twin else app
        return CleverDistrict(sandbox_store, clock, tmp_path, rule, student_id)

    # Each request goes to the app the test chose.
    either = SimpleNamespace(handle=lambda request: chosen.app.handle(request))
    with time_machine.travel(NOW, tick=False), mock_powerschool(either, base_url=SANDBOX_URL):
        yield start


def links(run):
    return {outcome: n for outcome, n in run.counts["student_links"].items() if n}


@pytest.mark.parametrize(("rule", "student_id"), [(DCID_RULE, "dcid"), (NUMBER_RULE, "other")])
def test_the_powerschool_sync_links_every_roster_student_to_powerschools_ids(on_clever, rule, student_id):
    clever = on_clever(rule, student_id)
    clever.import_roster()

    run = clever.sync()

    assert clever.students() == clever.powerschool_students()
    assert links(run) == {"updated": len(clever.students())}
    assert links(clever.sync()) == {"unchanged": len(clever.students())}


def test_a_student_number_two_powerschool_students_share_is_a_failed_link_that_says_why(on_clever, sandbox_store):
    number = str(sandbox_store.query_one("SELECT student_number FROM students WHERE enroll_status = 0")[0])
    clever = on_clever(NUMBER_RULE, "other", twin=number)
    clever.import_roster()

    run = clever.sync()

    assert run.status == SyncRun.Status.SUCCEEDED and links(run) == {"updated": len(clever.students()) - 1, "failed": 1}
    assert clever.students()[number] == (None, None)
    (issue,) = SyncIssue.objects.filter(run=run)
    student = Student.objects.get(district=clever.district, student_number=number)
    assert issue.entity == "student_links" and issue.record_key == student.key
    assert issue.message.startswith(
        f"{student.last_name}, {student.first_name} (student number {number}) was not linked"
    )
    assert f"PowerSchool has 2 students with student number {number}" in issue.message
    assert "cannot tell which one this student is" in issue.message


def test_a_dcid_powerschool_does_not_have_is_a_failed_link_and_the_others_are_linked(on_clever, tmp_path):
    clever = on_clever(DCID_RULE)
    clever.import_roster()
    gone = clever.store.query_one("SELECT dcid, student_number FROM students WHERE enroll_status = 0 LIMIT 1")
    with clever.store.transaction() as conn:
        conn.execute("UPDATE students SET dcid = dcid + 900000 WHERE dcid = ?", (gone["dcid"],))

    run = clever.sync()

    (issue,) = SyncIssue.objects.filter(run=run)
    assert f"PowerSchool has no student with DCID {gone['dcid']}." in issue.message
    assert links(run) == {"updated": len(clever.students()) - 1, "failed": 1}


def kiosk_at(school):
    building = Building.objects.create(district=school.district, name="Main entrance")
    School.objects.filter(pk=school.pk).update(building=building)
    return enrolled(building)[1]


def test_the_kiosk_shows_and_finds_a_linked_roster_student_by_the_sis_id(on_clever):
    clever = on_clever(DCID_RULE)
    clever.import_roster()
    clever.sync()
    clever.district.__class__.objects.filter(pk=clever.district.pk).update(visible_student_id=VisibleStudentId.SIS_ID)
    school = School.objects.get(district=clever.district, number=MEETING_SCHOOL)
    student = Student.objects.filter(school=school, source=Source.CLEVER).order_by("pk").first()
    kiosk = kiosk_at(school)

    found = kiosk.get(STUDENT, {"id": str(student.ps_id)}).json()

    assert found["ok"] and found["student"]["id"] == student.pk
    assert found["student"]["visible_id"] == str(student.ps_id) != student.student_number
    roster = kiosk.get(ROSTER).json()["students"]
    assert [student.pk, str(student.ps_id)] in [row[:2] for row in roster]


def test_the_kiosk_shows_the_student_number_of_a_roster_student_no_sync_has_linked_yet(on_clever):
    clever = on_clever(DCID_RULE)
    clever.import_roster()
    clever.district.__class__.objects.filter(pk=clever.district.pk).update(visible_student_id=VisibleStudentId.SIS_ID)
    school = School.objects.get(district=clever.district, number=MEETING_SCHOOL)
    student = Student.objects.filter(school=school, source=Source.CLEVER).order_by("pk").first()
    kiosk = kiosk_at(school)

    found = kiosk.get(STUDENT, {"id": student.student_number}).json()

    assert student.ps_id is None and found["ok"] and found["student"]["visible_id"] == student.student_number
    assert [student.pk, student.student_number] in [row[:2] for row in kiosk.get(ROSTER).json()["students"]]


def test_a_roster_import_that_changes_a_student_keeps_the_link_the_sync_made(on_clever):
    clever = on_clever(DCID_RULE)
    clever.import_roster()
    clever.sync()
    student = Student.objects.filter(district=clever.district, source=Source.CLEVER).order_by("pk").first()
    mutations.rename_student(clever.store, student.dcid, last_name="Okafor")

    clever.import_roster()

    student.refresh_from_db()
    assert student.last_name == "Okafor" and clever.students() == clever.powerschool_students()


def test_a_meeting_mode_sign_in_of_a_roster_student_is_written_to_the_class_in_progress(on_clever):
    clever = on_clever(DCID_RULE)
    SyncSettings.objects.update_or_create(district=clever.district, defaults={"entities": SCHEDULES})
    clever.import_roster()
    run = clever.sync()
    school = School.objects.get(district=clever.district, number=MEETING_SCHOOL)
    School.objects.filter(pk=school.pk).update(writeback_enabled=True, attendance_mode="meeting")
    student = Student.objects.filter(school=school, source=Source.CLEVER).order_by("pk").first()
    # Sections come without their teachers (the roster's staff carry no SCHOOLSTAFF.ID), but they come.
    assert run.counts["sections"]["failed"] == 0 and run.counts["enrollments"]["created"]
    assert Enrollment.objects.filter(student=student, active=True).exists()

    reference = kiosk_sign_in(kiosk_at(school), school, student)
    drain("worker-1", client_for=lambda district: clever.client())

    intent = Intent.objects.get(event_ref=reference)
    assert intent.status == Intent.Status.SUCCEEDED, intent.error
    (written,) = clever.store.query(
        "SELECT a.studentid, a.ccid, a.att_mode_code, p.period_number FROM attendance a "
        "JOIN period p ON p.id = a.periodid WHERE a.studentid = ?",
        (student.ps_id,),
    )
    assert written["att_mode_code"] == "ATT_ModeMeeting"
    classes_then = clever.store.query(
        "SELECT cc.id FROM cc JOIN section_meeting m ON m.sectionid = cc.sectionid "
        "WHERE cc.studentid = ? AND m.period_number = ?",
        (student.ps_id, written["period_number"]),
    )
    assert written["ccid"] in {row["id"] for row in classes_then}


def kiosk_sign_in(kiosk, school, student):
    reason = add_reason(school.district, "Overslept", codes={school: "T"})
    body = {"key": "attempt-0001", "student": student.pk, "kind": "late_check_in", "reason": reason.pk, "note": ""}
    response = kiosk.post(SIGN_IN, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["event"]["reference"]


def test_a_second_sync_of_a_roster_district_is_a_real_delta(on_clever):
    clever = on_clever(DCID_RULE)
    clever.import_roster()
    clever.sync()

    run = clever.sync("delta")

    assert run.kind == SyncRun.Kind.DELTA and run.requests <= 3 and "student_links" not in run.counts
    settings = SyncSettings.objects.get(district=clever.district)
    assert settings.data_version == str(clever.store.current_dataversion())
    clever.district.refresh_from_db()
    assert clever.district.last_sync_succeeded_at == run.finished_at


def test_a_delta_sync_links_a_student_the_roster_brought_since_and_pulls_their_classes(on_clever):
    clever = on_clever(DCID_RULE)
    SyncSettings.objects.update_or_create(district=clever.district, defaults={"entities": SCHEDULES})
    clever.import_roster()
    clever.sync()
    keys = mutations.enroll_student(
        clever.store, school_number=MEETING_SCHOOL, grade_level=7, first_name="Ada", last_name="Quist"
    )
    clever.sync("delta")
    clever.import_roster()

    run = clever.sync("delta")

    student = Student.objects.get(district=clever.district, source=Source.CLEVER, dcid=keys["dcid"])
    assert run.kind == SyncRun.Kind.DELTA and links(run) == {"updated": 1}
    assert student.ps_id == keys["id"] and Enrollment.objects.filter(student=student, active=True).exists()
