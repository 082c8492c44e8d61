"""A day the school is not in session: refused before anything is sent when RaptorLink's calendar knows it,
classified from PowerSchool's answer when it does not, and never retried on its own."""

import datetime

import pytest

from raptorlink.powerschool.errors import RecordValidationError
from sis_sync.models import CalendarDay
from tests.writeback.conftest import DAILY_SCHOOL, MEETING_SCHOOL, TIME_SCHOOL, latest
from writeback.errors import NOT_A_SCHOOL_DAY_HINT, classify
from writeback.models import Intent

SATURDAY = datetime.date(2026, 10, 17)


def holiday(ps, school_number):
    day = CalendarDay.objects.filter(school__number=school_number, in_session=False, date__gt="2026-10-14").first()
    return day.date


def not_a_school_day(intent):
    intent = latest(intent)
    assert (intent.status, intent.category) == (Intent.Status.FAILED, "not_enrolled"), intent.error
    assert intent.hint == NOT_A_SCHOOL_DAY_HINT and intent.attempts == 1
    return intent


@pytest.mark.parametrize(
    "message",
    [
        "Record Not Saved. : 2026-10-17 is not a school day at school 1001.",
        "Record Not Saved. : School 1001 has no school year containing 2026-07-15.",
    ],
)
def test_powerschools_refusal_of_a_day_out_of_session_waits_for_a_person_with_a_plain_hint(message):
    failure = classify(RecordValidationError([message], status=400))

    assert failure.category == "not_enrolled" and failure.hint == NOT_A_SCHOOL_DAY_HINT
    assert not failure.retryable and message in failure.error
    assert "Calendar Setup" in failure.hint


@pytest.mark.parametrize("school", [DAILY_SCHOOL, TIME_SCHOOL, MEETING_SCHOOL])
def test_a_holiday_in_the_synced_calendar_is_refused_before_anything_is_sent(ps, school):
    student = ps.student(school)
    date = holiday(ps, school)
    intent = ps.intent(student, att_date=date)

    ps.drain()

    intent = not_a_school_day(intent)
    assert intent.error == f"{date:%A %m/%d/%Y} is not a school day at {student.school.name}."
    assert intent.attempt_log.get().request == {"calls": []}


@pytest.mark.parametrize("school", [DAILY_SCHOOL, TIME_SCHOOL, MEETING_SCHOOL])
def test_a_weekend_between_synced_school_days_is_not_a_school_day(ps, school):
    intent = ps.intent(ps.student(school), att_date=SATURDAY)

    ps.drain()

    assert "Saturday 10/17/2026 is not a school day" in not_a_school_day(intent).error


def test_a_day_raptorlinks_calendar_does_not_cover_is_left_to_powerschool_which_refuses_it(ps):
    CalendarDay.objects.filter(school__number=DAILY_SCHOOL).delete()
    intent = ps.intent(ps.student(DAILY_SCHOOL), att_date=SATURDAY)

    ps.drain()

    intent = not_a_school_day(intent)
    assert "is not a school day at school 1001" in intent.error
    assert intent.attempt_log.get().request["calls"][0]["call"] == "daily_time"


def test_a_void_on_a_day_out_of_session_has_nothing_to_undo_and_succeeds(ps):
    student = ps.student(DAILY_SCHOOL)
    ps.intent(student, att_date=SATURDAY, ref="RL-1")
    ps.drain()

    voided = ps.intent(student, att_date=SATURDAY, ref="RL-1", operation=Intent.Operation.VOID)
    ps.drain()

    assert latest(voided).status == Intent.Status.SUCCEEDED
