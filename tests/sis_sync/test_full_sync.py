import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from raptorlink.models import Building, School
from sis_sync.models import (
    AttendanceCode,
    BellScheduleItem,
    CalendarDay,
    Contact,
    CycleDay,
    Enrollment,
    Period,
    Section,
    SectionMeeting,
    Staff,
    StaffSchool,
    Student,
    StudentContact,
    SyncIssue,
    SyncRun,
    Term,
)

SYNCED_MODELS = [
    School,
    Term,
    CycleDay,
    Period,
    BellScheduleItem,
    CalendarDay,
    Staff,
    StaffSchool,
    Student,
    Contact,
    StudentContact,
    Section,
    SectionMeeting,
    Enrollment,
    AttendanceCode,
]


def one(store, sql, params=()):
    return store.query_one(sql, params)


def test_a_full_sync_fills_every_model_and_records_a_successful_run(powerschool):
    run = powerschool.sync()

    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.finished_at is not None and run.requests > 0
    for model in SYNCED_MODELS:
        assert model.objects.exists(), model.__name__
    store = powerschool.store
    assert School.objects.count() == one(store, "SELECT COUNT(*) n FROM schools")["n"]
    assert (
        Student.objects.count()
        == one(store, "SELECT COUNT(*) n FROM students")["n"]
        == run.counts["students"]["created"]
    )
    powerschool.district.refresh_from_db()
    assert powerschool.district.last_sync_succeeded_at == run.finished_at


def test_a_students_three_identifiers_are_kept_apart(powerschool):
    powerschool.sync()
    row = one(powerschool.store, "SELECT * FROM students WHERE dcid != id ORDER BY dcid LIMIT 1")

    student = Student.objects.get(key=str(row["dcid"]))

    assert (student.dcid, student.ps_id, student.student_number) == (row["dcid"], row["id"], str(row["student_number"]))
    assert (student.first_name, student.middle_name, student.last_name) == (
        row["first_name"],
        row["middle_name"],
        row["last_name"],
    )
    assert student.school.number == row["schoolid"] and student.grade_level == row["grade_level"]
    assert student.entry_date == datetime.date.fromisoformat(row["entrydate"])
    assert student.phone == row["home_phone"] and student.state_number == row["state_studentnumber"]
    assert student.search_name == f"{row['first_name']} {row['middle_name']} {row['last_name']}".lower()


def test_schedules_and_bells_point_at_the_right_rows(powerschool):
    powerschool.sync()
    store = powerschool.store
    dropped = one(store, "SELECT * FROM cc WHERE sectionid < 0 AND termid <= -3600 ORDER BY dcid LIMIT 1")
    section_row = one(store, "SELECT * FROM sections WHERE id = ?", (-dropped["sectionid"],))
    item_row = one(store, "SELECT * FROM bell_schedule_items ORDER BY dcid DESC LIMIT 1")

    enrollment = Enrollment.objects.get(key=str(dropped["dcid"]))
    item = BellScheduleItem.objects.get(key=str(item_row["dcid"]))

    assert enrollment.dropped and enrollment.ps_id == dropped["id"]
    assert enrollment.student.ps_id == dropped["studentid"]
    assert enrollment.section.key == str(section_row["dcid"]) and enrollment.section.ps_id == section_row["id"]
    assert enrollment.section.term.year_id == 36 and enrollment.section.expression == section_row["expression"]
    assert (item.start_seconds, item.end_seconds) == (item_row["start_time"], item_row["end_time"])
    assert item.period.ps_id == item_row["period_id"]


def test_a_calendar_day_knows_its_bell_schedule_and_cycle_day(powerschool):
    powerschool.sync()
    row = one(powerschool.store, "SELECT * FROM calendar_day WHERE insession = 1 AND date_value = '2026-10-14' LIMIT 1")

    day = CalendarDay.objects.get(key=str(row["dcid"]))

    assert day.in_session and day.date == datetime.date(2026, 10, 14)
    assert day.bell_schedule.ps_id == row["bell_schedule_id"]
    assert day.cycle_day.ps_id == row["cycle_day_id"]


def test_contacts_carry_their_phones_emails_and_pickup_flags(powerschool):
    powerschool.sync()
    store = powerschool.store
    link = one(store, "SELECT * FROM studentcontactassoc ORDER BY studentcontactassocid LIMIT 1")
    detail = one(
        store, "SELECT * FROM studentcontactdetail WHERE studentcontactassocid = ?", (link["studentcontactassocid"],)
    )
    phones = store.query(
        "SELECT p.phonenumber FROM personphonenumberassoc a JOIN phonenumber p ON p.phonenumberid = a.phonenumberid "
        "WHERE a.personid = ? ORDER BY a.phonenumberpriorityorder",
        (link["personid"],),
    )

    student_contact = StudentContact.objects.get(key=str(link["studentcontactassocid"]))

    assert student_contact.student.dcid == link["studentdcid"]
    assert student_contact.contact.key == str(link["personid"])
    assert [phone["number"] for phone in student_contact.contact.phones] == [row["phonenumber"] for row in phones]
    assert student_contact.contact.emails[0]["primary"] is True
    assert student_contact.school_pickup == bool(detail["schoolpickupflg"])
    assert student_contact.custodial == bool(detail["iscustodial"])
    assert student_contact.relationship in ("Mother", "Father", "Guardian")


def test_siblings_share_one_contact(powerschool):
    powerschool.sync()
    shared = one(
        powerschool.store,
        "SELECT personid FROM studentcontactassoc GROUP BY personid HAVING COUNT(*) > 1 LIMIT 1",
    )

    contact = Contact.objects.get(key=str(shared["personid"]))

    assert contact.students.count() > 1
    assert Contact.objects.count() == len(
        {row["personid"] for row in powerschool.store.query("SELECT personid FROM studentcontactassoc")}
    )


def test_staff_and_attendance_codes_are_synced_per_school(powerschool):
    powerschool.sync()
    code_row = one(powerschool.store, "SELECT * FROM attendance_code WHERE att_code = 'T' AND yearid = 36 LIMIT 1")
    section_row = one(powerschool.store, "SELECT * FROM sections WHERE teacher IS NOT NULL AND termid >= 3600 LIMIT 1")

    code = AttendanceCode.objects.get(key=str(code_row["dcid"]))
    section = Section.objects.get(key=str(section_row["dcid"]))

    assert (code.ps_id, code.year_id, code.school.number) == (code_row["id"], 36, code_row["schoolid"])
    assert (code.description, code.presence_status) == ("Tardy", "Present")
    assert section.teacher.ps_id == section_row["teacher"]
    assert section.teacher.staff.schools.filter(school=section.school).exists()


def test_a_second_full_sync_with_nothing_changed_writes_no_rows(powerschool):
    powerschool.sync()

    with CaptureQueriesContext(connection) as queries:
        run = powerschool.sync()

    assert run.status == SyncRun.Status.SUCCEEDED
    assert all(counts["unchanged"] > 0 for counts in run.counts.values())
    assert {outcome for counts in run.counts.values() for outcome, n in counts.items() if n} == {"unchanged"}
    tables = {model._meta.db_table for model in SYNCED_MODELS}
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and any(f'"{table}"' in query["sql"] for table in tables)
    ]
    assert writes == []


def test_local_fields_survive_a_sync_that_changes_the_student(powerschool):
    from sandbox.mutations import rename_student

    powerschool.sync()
    student = Student.objects.first()
    Student.objects.filter(pk=student.pk).update(preferred_name="Bea", note="Allergic to peanuts")
    rename_student(powerschool.store, student.dcid, last_name="Newname")

    powerschool.sync()

    student.refresh_from_db()
    assert (student.last_name, student.preferred_name, student.note) == ("Newname", "Bea", "Allergic to peanuts")
    assert student.search_name.endswith("newname bea")


def test_a_student_gone_from_powerschool_is_deactivated_by_the_next_full_sync(powerschool):
    powerschool.sync()
    gone = one(powerschool.store, "SELECT dcid FROM students ORDER BY dcid LIMIT 1")["dcid"]
    with powerschool.store.transaction() as conn:
        conn.execute("DELETE FROM students WHERE dcid = ?", (gone,))

    run = powerschool.sync()

    assert Student.objects.get(key=str(gone)).active is False
    assert run.counts["students"]["deactivated"] == 1
    assert Student.objects.filter(active=True).count() == Student.objects.count() - 1


def test_a_student_who_comes_back_is_active_again(powerschool):
    powerschool.sync()
    row = dict(one(powerschool.store, "SELECT * FROM students ORDER BY dcid LIMIT 1"))
    with powerschool.store.transaction() as conn:
        conn.execute("DELETE FROM students WHERE dcid = ?", (row["dcid"],))
    powerschool.sync()
    with powerschool.store.transaction() as conn:
        conn.execute(
            f"INSERT INTO students ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )

    run = powerschool.sync()

    assert Student.objects.get(key=str(row["dcid"])).active is True
    assert run.counts["students"]["updated"] == 1


def test_a_record_that_cannot_be_taken_becomes_an_issue_and_the_run_goes_on(powerschool):
    bad = one(powerschool.store, "SELECT dcid FROM students ORDER BY dcid LIMIT 1")["dcid"]
    with powerschool.store.transaction() as conn:
        conn.execute("UPDATE students SET schoolid = 4242 WHERE dcid = ?", (bad,))

    run = powerschool.sync()

    assert run.status == SyncRun.Status.SUCCEEDED
    issue = SyncIssue.objects.get(run=run, entity="students")
    assert issue.record_key == str(bad) and "4242" in issue.message
    assert issue.data["schoolid"] == 4242
    assert run.counts["students"]["failed"] == 1
    assert not Student.objects.filter(key=str(bad)).exists()


def test_schools_keep_the_building_an_admin_gave_them_and_may_share_one(powerschool):
    powerschool.sync()
    building = Building.objects.create(district=powerschool.district, name="Campus")
    middle, high = School.objects.get(number=2001), School.objects.get(number=3001)
    School.objects.filter(pk__in=[middle.pk, high.pk]).update(building=building)
    with powerschool.store.transaction() as conn:
        conn.execute("UPDATE schools SET name = 'Renamed High School' WHERE school_number = 3001")

    run = powerschool.sync()

    high.refresh_from_db()
    assert high.name == "Renamed High School" and high.building == building
    assert set(building.schools.values_list("number", flat=True)) == {2001, 3001}
    assert run.counts["schools"]["updated"] == 1


def test_a_new_school_arrives_without_a_building(powerschool):
    powerschool.sync()

    assert School.objects.filter(district=powerschool.district, building=None).count() == School.objects.count()


def test_a_sync_can_be_limited_to_some_entities(powerschool):
    run = powerschool.sync(entities=["schools", "calendar"])

    assert run.status == SyncRun.Status.SUCCEEDED
    assert Term.objects.exists() and not Student.objects.exists()
    powerschool.district.refresh_from_db()
    assert powerschool.district.last_sync_succeeded_at is None


def test_progress_is_reported_per_entity(powerschool):
    events = []

    powerschool.sync(progress=lambda entity, processed, message: events.append((entity, processed, message)))

    assert ("students", 0, "started") in events
    assert ("students", 60, "finished") in events


@pytest.mark.parametrize("minutes_ago, outcome", [(10, SyncRun.Status.SKIPPED), (180, SyncRun.Status.SUCCEEDED)])
def test_a_run_does_not_overlap_a_running_one_unless_that_one_died(powerschool, minutes_ago, outcome):
    from django.utils import timezone

    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    earlier = SyncRun.objects.create(district=powerschool.district, kind="full", trigger="schedule", started_at=started)

    run = powerschool.sync()

    earlier.refresh_from_db()
    assert run.status == outcome
    if outcome == SyncRun.Status.SKIPPED:
        assert "still running" in run.message and not Student.objects.exists()
        assert earlier.status == SyncRun.Status.RUNNING
    else:
        assert earlier.status == SyncRun.Status.FAILED and "without finishing" in earlier.message


def test_a_sync_collects_garbage_less_often_while_it_runs_and_restores_the_collector_after(powerschool):
    import gc

    before = gc.get_threshold()
    during = []

    powerschool.sync(progress=lambda entity, processed, message: during.append(gc.get_threshold()[0]))

    assert during and set(during) == {100_000}
    assert gc.get_threshold() == before


def test_a_sync_hands_the_gil_over_sooner_while_it_runs_and_restores_the_switch_interval_after(powerschool):
    import sys

    before = sys.getswitchinterval()
    during = []

    powerschool.sync(progress=lambda entity, processed, message: during.append(sys.getswitchinterval()))

    assert during and set(during) == {0.0005}
    assert sys.getswitchinterval() == before
