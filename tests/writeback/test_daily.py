from raptorlink.powerschool.records import DAILY, AttendanceRecord
from tests.writeback.conftest import DAILY_SCHOOL, TODAY, clock, latest
from writeback.models import Intent
from writeback.outbox import retry_intents


def code_id(ps, text, year_id=36, school=DAILY_SCHOOL):
    row = ps.store.query_one(
        "SELECT id FROM attendance_code WHERE schoolid = ? AND yearid = ? AND att_code = ?", (school, year_id, text)
    )
    return row["id"]


def teachers_record(ps, student, code="A", comment="Absent — called in sick", **times):
    """A Daily record someone entered in PowerSchool before RaptorLink wrote anything (`time_in`, `time_out`)."""
    record = AttendanceRecord(
        student_id=student.ps_id,
        school_number=DAILY_SCHOOL,
        year_id=36,
        att_date=TODAY,
        mode=DAILY,
        attendance_code_id=code_id(ps, code),
        comment=comment,
        **times,
    )
    ps.client().write_daily_time(record)


def test_a_late_check_in_becomes_the_students_daily_record_with_the_mapped_code_and_comment(ps):
    student = ps.student(DAILY_SCHOOL)
    intent = ps.intent(student, code="T")

    assert ps.drain() == 1

    intent = latest(intent)
    assert intent.status == Intent.Status.SUCCEEDED and intent.mode == "daily"
    [record] = ps.attendance(student)
    assert record["att_mode_code"] == DAILY and ps.code_text(record["attendance_codeid"]) == "T"
    assert record["att_comment"] == intent.comment and record["yearid"] == 36
    assert intent.written["records"][0]["dcid"] == record["dcid"]
    attempt = intent.attempt_log.get()
    assert attempt.outcome == Intent.Status.SUCCEEDED and attempt.status_code == 200
    assert attempt.request["calls"][0]["call"] == "daily_time"
    assert "Bearer" not in str(attempt.request)


def test_the_last_event_of_the_day_wins_on_the_same_daily_record(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, at="08:47", code="T")
    last = ps.intent(student, at="13:10", kind=Intent.Kind.EARLY_CHECK_OUT, code="ED")

    assert ps.drain() == 2

    [record] = ps.attendance(student)
    assert ps.code_text(record["attendance_codeid"]) == "ED" and record["att_comment"] == latest(last).comment


def test_time_in_and_time_out_are_kept_on_the_daily_record_when_the_district_asks_for_them(ps):
    ps.district.write_time_in_out = True
    ps.district.save()
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, at="08:47", code="T")
    ps.intent(student, at="13:10", kind=Intent.Kind.EARLY_CHECK_OUT, code="ED")

    ps.drain()

    [record] = ps.attendance(student)
    times = ps.times(record["id"])
    assert (times["time_in"], times["time_out"]) == (clock("08:47"), clock("13:10"))


def test_an_edit_of_the_event_updates_what_we_wrote(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, ref="RL-7", code="T")
    ps.drain()

    edit = ps.intent(student, ref="RL-7", code="TE", comment="Late check-in 08:47 — Dentist (front desk) [RL-7]")
    ps.drain()

    [record] = ps.attendance(student)
    assert latest(edit).status == Intent.Status.SUCCEEDED
    assert ps.code_text(record["attendance_codeid"]) == "TE" and "Dentist" in record["att_comment"]


def test_a_void_deletes_our_record_when_powerschool_held_nothing_before(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, ref="RL-8")
    ps.drain()

    void = ps.intent(student, ref="RL-8", operation=Intent.Operation.VOID)
    ps.drain()

    assert latest(void).status == Intent.Status.SUCCEEDED
    assert ps.attendance(student) == []


def test_a_void_restores_what_powerschool_held_before_our_first_write(ps):
    student = ps.student(DAILY_SCHOOL)
    teachers_record(ps, student, code="A", comment="Absent — called in sick")
    write = ps.intent(student, ref="RL-9", code="T")
    ps.drain()
    assert latest(write).prior["slots"]["daily"]["values"]["att_comment"] == "Absent — called in sick"

    ps.intent(student, ref="RL-9", operation=Intent.Operation.VOID)
    ps.drain()

    [record] = ps.attendance(student)
    assert ps.code_text(record["attendance_codeid"]) == "A" and record["att_comment"] == "Absent — called in sick"


def test_an_edit_leaves_a_record_someone_changed_after_our_write_alone_and_reports_a_conflict(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, ref="RL-10", code="T")
    ps.drain()
    teachers_record(ps, student, code="TE", comment="Excused: note from home")

    edit = ps.intent(student, ref="RL-10", code="A")
    ps.drain()

    edit = latest(edit)
    assert edit.status == Intent.Status.CONFLICT and edit.category == "conflict"
    assert "compare" in edit.hint.lower()
    [record] = ps.attendance(student)
    assert record["att_comment"] == "Excused: note from home"


def test_a_person_who_retries_a_conflict_gets_raptorlinks_version_written(ps, admin_user):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, ref="RL-11", code="T")
    ps.drain()
    teachers_record(ps, student, code="TE", comment="Excused: note from home")
    edit = ps.intent(student, ref="RL-11", code="A")
    ps.drain()

    assert retry_intents([edit.id], admin_user) == 1
    ps.drain()

    assert latest(edit).status == Intent.Status.SUCCEEDED
    [record] = ps.attendance(student)
    assert ps.code_text(record["attendance_codeid"]) == "A"


def test_nothing_is_written_for_a_school_whose_write_back_is_off(ps):
    school = ps.school(DAILY_SCHOOL)
    school.writeback_enabled = False
    school.save()
    student = ps.student(DAILY_SCHOOL)
    intent = ps.intent(student)

    ps.drain()

    intent = latest(intent)
    assert intent.status == Intent.Status.SKIPPED and "Write-back is off" in intent.hint
    assert ps.attendance(student) == []
