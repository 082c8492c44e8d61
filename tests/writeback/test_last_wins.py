"""The last event of a student's day wins, in every mode, also when events are voided, edited or moved away:
PowerSchool ends up holding what the day's active events now say, and only a day with none left gets back what
PowerSchool held before RaptorLink."""

import datetime

from raptorlink.powerschool.records import MEETING
from tests.writeback.conftest import DAILY_SCHOOL, MEETING_SCHOOL, TIME_SCHOOL, TODAY, clock, latest
from tests.writeback.test_daily import teachers_record
from tests.writeback.test_meeting import period_start, written_periods
from tests.writeback.test_time_mode import bells
from writeback.models import Intent

CHECK_OUT = Intent.Kind.EARLY_CHECK_OUT
VOID = Intent.Operation.VOID


def void(ps, student, ref):
    return ps.intent(student, ref=ref, operation=VOID)


def only_record(ps, student, mode=None):
    [record] = ps.attendance(student, mode)
    return record


# --- Daily ---------------------------------------------------------------------------------------------------


def test_voiding_the_last_check_in_of_the_day_puts_the_earlier_one_back_on_the_daily_record(ps):
    student = ps.student(DAILY_SCHOOL)
    earlier = ps.intent(student, at="08:47", code="T", ref="RL-1")
    ps.intent(student, at="09:30", code="TE", ref="RL-2")
    ps.drain()
    assert ps.code_text(only_record(ps, student)["attendance_codeid"]) == "TE"

    voided = void(ps, student, "RL-2")
    ps.drain()

    assert latest(voided).status == Intent.Status.SUCCEEDED
    record = only_record(ps, student)
    assert ps.code_text(record["attendance_codeid"]) == "T" and record["att_comment"] == earlier.comment


def test_a_void_gives_powerschool_its_own_record_back_only_when_no_event_of_the_day_is_left(ps):
    student = ps.student(DAILY_SCHOOL)
    teachers_record(ps, student, code="A", comment="Absent — called in sick")
    ps.intent(student, at="08:47", code="T", ref="RL-1")
    ps.intent(student, at="09:30", code="TE", ref="RL-2")
    ps.drain()

    void(ps, student, "RL-2")
    ps.drain()
    assert ps.code_text(only_record(ps, student)["attendance_codeid"]) == "T"
    void(ps, student, "RL-1")
    ps.drain()

    record = only_record(ps, student)
    assert ps.code_text(record["attendance_codeid"]) == "A" and record["att_comment"] == "Absent — called in sick"


def test_voiding_the_check_out_leaves_the_days_check_in_and_its_time_in_on_the_daily_record(ps):
    ps.district.write_time_in_out = True
    ps.district.save()
    student = ps.student(DAILY_SCHOOL)
    check_in = ps.intent(student, at="08:47", code="T", ref="RL-1")
    ps.intent(student, at="13:10", kind=CHECK_OUT, code="ED", ref="RL-2")
    ps.drain()

    void(ps, student, "RL-2")
    ps.drain()

    record = only_record(ps, student)
    assert ps.code_text(record["attendance_codeid"]) == "T" and record["att_comment"] == check_in.comment
    times = ps.times(record["id"])
    assert (times["time_in"], times["time_out"]) == (clock("08:47"), 0)


def test_an_edit_that_moves_the_last_event_before_another_leaves_the_other_on_the_daily_record(ps):
    student = ps.student(DAILY_SCHOOL)
    other = ps.intent(student, at="09:00", code="T", ref="RL-1")
    ps.intent(student, at="09:30", code="TE", ref="RL-2")
    ps.drain()

    edit = ps.intent(student, at="08:30", code="TE", ref="RL-2")
    ps.drain()

    assert latest(edit).status == Intent.Status.SUCCEEDED
    record = only_record(ps, student)
    assert ps.code_text(record["attendance_codeid"]) == "T" and record["att_comment"] == other.comment


def test_an_event_recorded_after_a_later_one_does_not_displace_it(ps):
    student = ps.student(DAILY_SCHOOL)
    later = ps.intent(student, at="10:15", code="TE", ref="RL-1")
    ps.drain()

    delayed = ps.intent(student, at="08:40", code="T", ref="RL-2", source="delayed_entry")
    ps.drain()

    assert latest(delayed).status == Intent.Status.SUCCEEDED
    assert only_record(ps, student)["att_comment"] == later.comment


def test_an_event_moved_to_another_day_leaves_the_day_it_was_on(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, at="08:47", ref="RL-1")
    ps.drain()
    yesterday = TODAY - datetime.timedelta(days=1)

    moved = ps.intent(student, at="08:47", ref="RL-1", att_date=yesterday)
    ps.drain()

    assert latest(moved).status == Intent.Status.SUCCEEDED
    assert ps.attendance(student) == []
    [record] = ps.store.query(
        "SELECT * FROM attendance WHERE studentid = ? AND att_date = ?", (student.ps_id, yesterday.isoformat())
    )
    assert record["att_comment"] == moved.comment
    leaving = Intent.objects.get(event_ref="RL-1", operation=VOID)
    assert leaving.att_date == TODAY and leaving.status == Intent.Status.SUCCEEDED


def test_a_void_that_would_put_the_earlier_event_back_leaves_someone_elses_change_alone(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, at="08:47", code="T", ref="RL-1")
    ps.intent(student, at="09:30", code="TE", ref="RL-2")
    ps.drain()
    teachers_record(ps, student, code="A", comment="Teacher: absent after all")

    voided = void(ps, student, "RL-2")
    ps.drain()

    assert latest(voided).status == Intent.Status.CONFLICT
    assert only_record(ps, student)["att_comment"] == "Teacher: absent after all"


def test_an_event_that_cannot_be_written_does_not_hold_up_the_others_of_the_day(ps):
    student = ps.student(DAILY_SCHOOL)
    unmapped = ps.intent(student, at="09:30", code="", ref="RL-1")
    written = ps.intent(student, at="08:47", code="T", ref="RL-2")

    ps.drain()

    assert latest(unmapped).category == "unmapped_reason"
    assert latest(written).status == Intent.Status.SUCCEEDED
    assert only_record(ps, student)["att_comment"] == written.comment


def test_a_void_recorded_before_anything_was_sent_leaves_one_record_holding_the_earlier_event(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, at="08:47", code="T", ref="RL-1")
    ps.intent(student, at="09:30", code="TE", ref="RL-2")
    void(ps, student, "RL-2")

    assert ps.drain() == 3

    assert [latest(intent).status for intent in Intent.objects.order_by("id")] == [Intent.Status.SUCCEEDED] * 3
    assert ps.code_text(only_record(ps, student)["attendance_codeid"]) == "T"


# --- Time ----------------------------------------------------------------------------------------------------


def test_voiding_the_last_event_puts_the_earlier_ones_minutes_back_on_our_time_record(ps):
    student = ps.student(TIME_SCHOOL)
    first = ps.intent(student, at="08:47", code="T", ref="RL-1")
    ps.intent(student, at="09:10", code="TE", ref="RL-2")
    ps.drain()

    void(ps, student, "RL-2")
    ps.drain()

    first_bell, _ = bells(ps)
    record = only_record(ps, student)
    assert record["dcid"] == latest(first).written["records"][0]["dcid"]
    assert ps.code_text(record["attendance_codeid"]) == "T" and record["att_comment"] == first.comment
    assert record["total_minutes"] == (clock("08:47") - first_bell) // 60


def test_an_edit_that_moves_the_last_event_before_another_leaves_the_others_minutes_on_the_time_record(ps):
    student = ps.student(TIME_SCHOOL)
    other = ps.intent(student, at="11:00", kind=CHECK_OUT, code="ED", ref="RL-1")
    ps.intent(student, at="13:00", kind=CHECK_OUT, code="ED", ref="RL-2")
    ps.drain()

    ps.intent(student, at="10:00", kind=CHECK_OUT, code="ED", ref="RL-2")
    ps.drain()

    _, last_bell = bells(ps)
    record = only_record(ps, student)
    assert record["att_comment"] == other.comment and record["total_minutes"] == (last_bell - clock("11:00")) // 60


def test_voiding_every_event_zeroes_the_time_record_once_none_is_left(ps):
    student = ps.student(TIME_SCHOOL)
    ps.intent(student, at="08:47", ref="RL-1")
    ps.intent(student, at="09:10", ref="RL-2")
    ps.drain()

    void(ps, student, "RL-2")
    void(ps, student, "RL-1")
    ps.drain()

    record = only_record(ps, student)
    assert record["total_minutes"] == 0 and record["att_comment"].startswith("Voided: ")


# --- Meeting -------------------------------------------------------------------------------------------------


def test_voiding_the_last_check_in_gives_its_class_back_and_marks_the_earlier_ones_again(ps):
    student = ps.student(MEETING_SCHOOL)
    first_at, items = period_start(ps, 1)
    second_at, _ = period_start(ps, 2)
    ps.intent(student, at=first_at, code="T", ref="RL-1")
    ps.intent(student, at=second_at, code="T", ref="RL-2")
    ps.drain()
    assert written_periods(ps, student) == [items[2].period.number]

    void(ps, student, "RL-2")
    ps.drain()

    assert written_periods(ps, student) == [items[1].period.number]


def test_a_late_arrival_and_an_early_departure_of_one_day_both_stay_on_the_students_classes(ps):
    school = ps.school(MEETING_SCHOOL)
    school.checkout_policy = "current"
    school.save()
    student = ps.student(MEETING_SCHOOL)
    arrived, items = period_start(ps, 1)
    left, _ = period_start(ps, 4)
    ps.intent(student, at=arrived, code="T", ref="RL-1")
    ps.intent(student, at=left, kind=CHECK_OUT, code="ED", ref="RL-2")
    ps.drain()
    assert written_periods(ps, student) == [items[1].period.number, items[4].period.number]

    void(ps, student, "RL-2")
    ps.drain()

    assert written_periods(ps, student) == [items[1].period.number]
    assert ps.code_text(only_record(ps, student, MEETING)["attendance_codeid"]) == "T"


def test_an_edit_that_moves_the_last_check_in_before_another_leaves_the_others_class_marked(ps):
    student = ps.student(MEETING_SCHOOL)
    early_at, items = period_start(ps, 1)
    other_at, _ = period_start(ps, 2)
    late_at, _ = period_start(ps, 3)
    ps.intent(student, at=other_at, code="T", ref="RL-1")
    ps.intent(student, at=late_at, code="T", ref="RL-2")
    ps.drain()

    ps.intent(student, at=early_at, code="T", ref="RL-2")
    ps.drain()

    assert written_periods(ps, student) == [items[2].period.number]


def test_a_check_in_keeps_the_time_out_powerschool_held_before_our_first_write(ps):
    ps.district.write_time_in_out = True
    ps.district.save()
    student = ps.student(DAILY_SCHOOL)
    teachers_record(ps, student, code="A", comment="Leaving at noon", time_in=0, time_out=clock("12:00"))
    ps.intent(student, at="08:47", code="T", ref="RL-1")

    ps.drain()

    times = ps.times(only_record(ps, student)["id"])
    assert (times["time_in"], times["time_out"]) == (clock("08:47"), clock("12:00"))
