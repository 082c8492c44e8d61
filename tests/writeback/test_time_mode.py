from raptorlink.powerschool.records import TIME
from sandbox.faults import FaultSpec
from tests.writeback.conftest import TIME_SCHOOL, TODAY, clock, latest
from writeback.engine.periods import school_day_items
from writeback.models import Intent


def bells(ps):
    items = school_day_items(ps.school(TIME_SCHOOL), TODAY)
    return items[0].start_seconds, max(item.end_seconds for item in items)


def test_a_late_check_in_writes_the_minutes_missed_since_the_first_bell(ps):
    student = ps.student(TIME_SCHOOL)
    intent = ps.intent(student, at="08:47", code="T")

    ps.drain()

    first_bell, _ = bells(ps)
    [record] = ps.attendance(student)
    assert latest(intent).mode == "time" and record["att_mode_code"] == TIME
    assert record["total_minutes"] == (clock("08:47") - first_bell) // 60 == 17
    assert ps.code_text(record["attendance_codeid"]) == "T"


def test_an_early_check_out_writes_the_minutes_until_the_last_bell(ps):
    student = ps.student(TIME_SCHOOL)
    ps.intent(student, at="11:00", kind=Intent.Kind.EARLY_CHECK_OUT, code="ED")

    ps.drain()

    _, last_bell = bells(ps)
    [record] = ps.attendance(student)
    assert record["total_minutes"] == (last_bell - clock("11:00")) // 60


def test_a_later_event_of_the_day_updates_our_time_record_instead_of_adding_one(ps):
    student = ps.student(TIME_SCHOOL)
    first = ps.intent(student, at="08:47", code="T")
    ps.intent(student, at="09:10", code="TE", ref="RL-2")

    ps.drain()

    [record] = ps.attendance(student)
    assert record["dcid"] == latest(first).written["records"][0]["dcid"]
    assert ps.code_text(record["attendance_codeid"]) == "TE" and record["total_minutes"] == 40


def test_a_retry_after_a_lost_answer_does_not_create_a_second_time_record(ps):
    student = ps.student(TIME_SCHOOL)
    intent = ps.intent(student)
    ps.app.faults.replace(FaultSpec(drop_after_write_rate=1.0))

    ps.drain()

    intent = latest(intent)
    assert intent.status == Intent.Status.PENDING and intent.category == "unavailable"
    assert len(ps.attendance(student)) == 1
    ps.app.faults.replace(FaultSpec())
    ps.later(60)
    ps.drain()

    assert latest(intent).status == Intent.Status.SUCCEEDED
    [record] = ps.attendance(student)
    assert latest(intent).written["records"][0]["dcid"] == record["dcid"]


def test_a_void_zeroes_our_time_record_because_powerschool_never_deletes_one(ps):
    student = ps.student(TIME_SCHOOL)
    ps.intent(student, ref="RL-5")
    ps.drain()
    ps.intent(student, ref="RL-5", operation=Intent.Operation.VOID)

    ps.drain()

    [record] = ps.attendance(student)
    assert record["total_minutes"] == 0 and ps.code_text(record["attendance_codeid"]) == ""
    assert record["att_comment"].startswith("Voided: ")
