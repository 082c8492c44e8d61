import datetime

from sandbox import mutations
from sis_sync.models import Enrollment, Student, StudentContact, SyncRun


def test_one_student_is_synced_by_student_number_with_contacts_and_schedule(powerschool):
    powerschool.sync(entities=["schools", "calendar", "staff", "sections"])
    row = powerschool.store.query_one("SELECT * FROM students WHERE enroll_status = 0 ORDER BY dcid LIMIT 1")

    run = powerschool.sync_student(student_number=str(row["student_number"]))

    assert (run.kind, run.status, run.trigger) == (SyncRun.Kind.SPOT, SyncRun.Status.SUCCEEDED, "front desk")
    student = Student.objects.get(key=str(row["dcid"]))
    links = powerschool.store.query("SELECT * FROM studentcontactassoc WHERE studentdcid = ?", (row["dcid"],))
    assert student.contacts.count() == len(links) > 0
    live = powerschool.store.query_one(
        "SELECT COUNT(*) n FROM cc WHERE studentid = ? AND abs(termid) >= 3600", (row["id"],)
    )["n"]
    assert Enrollment.objects.filter(student=student).count() == live > 0
    assert Student.objects.count() == 1


def test_a_spot_sync_removes_a_guardian_at_once_and_sees_a_new_section(powerschool):
    powerschool.sync()
    row = powerschool.store.query_one("SELECT * FROM students WHERE enroll_status = 0 ORDER BY dcid LIMIT 1")
    link = powerschool.store.query_one(
        "SELECT * FROM studentcontactassoc WHERE studentdcid = ? ORDER BY contactpriorityorder DESC", (row["dcid"],)
    )
    mutations.change_contacts(powerschool.store, row["dcid"], remove=[link["personid"]])
    section = powerschool.store.query_one(
        "SELECT * FROM sections WHERE schoolid = ? AND termid = 3600 ORDER BY dcid LIMIT 1", (row["schoolid"],)
    )
    with powerschool.store.transaction() as conn:
        conn.execute("UPDATE sections SET dcid = dcid + 90000, id = id + 90000 WHERE dcid = ?", (section["dcid"],))
    mutations.change_schedule(
        powerschool.store, row["dcid"], add=[section["dcid"] + 90000], on=datetime.date(2026, 10, 14)
    )

    run = powerschool.sync_student(student_dcid=row["dcid"])

    assert run.status == SyncRun.Status.SUCCEEDED
    assert StudentContact.objects.get(key=str(link["studentcontactassocid"])).active is False
    assert Enrollment.objects.filter(student__dcid=row["dcid"], section__ps_id=section["id"] + 90000).exists()


def test_a_spot_sync_runs_while_a_district_sync_is_under_way(powerschool):
    from django.utils import timezone

    powerschool.sync(entities=["schools", "calendar"])
    SyncRun.objects.create(district=powerschool.district, kind="full", trigger="schedule", started_at=timezone.now())
    dcid = powerschool.store.query_one("SELECT dcid FROM students ORDER BY dcid LIMIT 1")["dcid"]

    run = powerschool.sync_student(student_dcid=dcid)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert Student.objects.filter(key=str(dcid), active=True).exists()


def test_a_student_powerschool_does_not_know_fails_the_spot_sync_with_why(powerschool):
    powerschool.sync(entities=["schools"])

    run = powerschool.sync_student(student_number="99999999")

    assert run.status == SyncRun.Status.FAILED
    assert "no student with student number 99999999" in run.message
