from raptorlink.powerschool.records import MEETING, AttendanceRecord
from sis_sync.models import Enrollment, Period
from tests.writeback.conftest import MEETING_SCHOOL, TODAY, latest
from writeback.engine.periods import school_day_items, student_meetings
from writeback.models import Intent


def hhmm(seconds):
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def period_start(ps, index, plus_minutes=5):
    """A clock time a few minutes into the day's `index`-th period (0 is the first)."""
    items = school_day_items(ps.school(MEETING_SCHOOL), TODAY)
    return hhmm(items[index].start_seconds + plus_minutes * 60), items


def written_periods(ps, student):
    periods = dict(Period.objects.filter(school__number=MEETING_SCHOOL, year_id=36).values_list("ps_id", "number"))
    return sorted(periods[record["periodid"]] for record in ps.attendance(student, MEETING))


def test_a_late_check_in_marks_the_class_in_progress(ps):
    student = ps.student(MEETING_SCHOOL)
    at, items = period_start(ps, 1)
    intent = ps.intent(student, at=at, code="T")

    ps.drain()

    assert latest(intent).status == Intent.Status.SUCCEEDED and latest(intent).mode == "meeting"
    [record] = ps.attendance(student, MEETING)
    assert written_periods(ps, student) == [items[1].period.number]
    enrollment = Enrollment.objects.get(ps_id=record["ccid"])
    assert enrollment.student == student and not enrollment.dropped
    assert ps.code_text(record["attendance_codeid"]) == "T"


def test_an_early_check_out_marks_the_current_and_the_remaining_classes(ps):
    student = ps.student(MEETING_SCHOOL)
    at, items = period_start(ps, 4)
    ps.intent(student, at=at, kind=Intent.Kind.EARLY_CHECK_OUT, code="ED")

    ps.drain()

    assert written_periods(ps, student) == [item.period.number for item in items[4:]]


def test_an_early_check_out_marks_only_the_current_class_when_the_school_says_so(ps):
    school = ps.school(MEETING_SCHOOL)
    school.checkout_policy = "current"
    school.save()
    student = ps.student(MEETING_SCHOOL)
    at, items = period_start(ps, 4)
    ps.intent(student, at=at, kind=Intent.Kind.EARLY_CHECK_OUT, code="ED")

    ps.drain()

    assert written_periods(ps, student) == [items[4].period.number]


def test_a_check_in_between_periods_counts_for_the_period_about_to_start(ps):
    student = ps.student(MEETING_SCHOOL)
    at, items = period_start(ps, 2, plus_minutes=-2)

    ps.intent(student, at=at)
    ps.drain()

    assert written_periods(ps, student) == [items[2].period.number]


def test_a_time_outside_the_students_classes_fails_with_could_not_find_the_students_period(ps):
    student = ps.student(MEETING_SCHOOL)
    intent = ps.intent(student, at="17:30")

    ps.drain()

    intent = latest(intent)
    assert intent.status == Intent.Status.FAILED and intent.category == "no_period"
    assert "Could not find the student's period" in intent.error and "schedule" in intent.hint
    assert ps.attendance(student) == []


def test_an_edited_check_out_time_gives_back_the_periods_no_longer_missed(ps):
    student = ps.student(MEETING_SCHOOL)
    early, items = period_start(ps, 3)
    later, _ = period_start(ps, 5)
    ps.intent(student, at=early, kind=Intent.Kind.EARLY_CHECK_OUT, code="ED", ref="RL-3")
    ps.drain()

    ps.intent(student, at=later, kind=Intent.Kind.EARLY_CHECK_OUT, code="ED", ref="RL-3")
    ps.drain()

    assert written_periods(ps, student) == [item.period.number for item in items[5:]]


def test_a_void_restores_a_teachers_mark_and_deletes_the_rest(ps):
    student = ps.student(MEETING_SCHOOL)
    at, items = period_start(ps, 5)
    teachers_mark(ps, student, items[5], code="A", comment="Teacher: absent")
    ps.intent(student, at=at, kind=Intent.Kind.EARLY_CHECK_OUT, code="ED", ref="RL-4")
    ps.drain()
    assert len(ps.attendance(student, MEETING)) == len(items) - 5
    ps.intent(student, ref="RL-4", operation=Intent.Operation.VOID)

    ps.drain()

    [record] = ps.attendance(student, MEETING)
    assert ps.code_text(record["attendance_codeid"]) == "A" and record["att_comment"] == "Teacher: absent"


def teachers_mark(ps, student, item, code, comment):
    [meeting] = student_meetings(student, ps.school(MEETING_SCHOOL), TODAY, item.start_seconds, remaining=False)
    code_id = ps.store.query_one(
        "SELECT id FROM attendance_code WHERE schoolid = ? AND yearid = 36 AND att_code = ?", (MEETING_SCHOOL, code)
    )["id"]
    record = AttendanceRecord(
        student_id=student.ps_id,
        school_number=MEETING_SCHOOL,
        year_id=36,
        att_date=TODAY,
        mode=MEETING,
        attendance_code_id=code_id,
        comment=comment,
        ccid=meeting.ccid,
        period_id=meeting.period_id,
    )
    ps.client().write_meeting_interval([record])
