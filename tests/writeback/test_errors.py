"""Every error category: how it is produced, that it is recorded with its plain-language fix, and what retries."""

import datetime

import pytest
from django.utils import timezone

from raptorlink.models import NotificationContact
from raptorlink.powerschool.access import render_plugin_xml
from raptorlink.powerschool.errors import (
    AccessError,
    AuthError,
    RecordValidationError,
    StudentIdError,
    ThrottledError,
    UnavailableError,
)
from sandbox.faults import FaultSpec
from sandbox.mutations import withdraw_student
from sandbox.plugin import install_plugin, set_enabled
from sis_sync.models import Term
from tests.writeback.conftest import DAILY_SCHOOL, TIME_SCHOOL, TODAY, latest
from writeback.errors import HINTS, RETRYABLE, WritebackProblem, classify
from writeback.models import Intent

NAVIGATE360_MESSAGES = [
    ("Record Not Saved. : 35 doesn't match the term's year value: 36.", "year_mismatch"),
    ("Record Not Saved. : The student Ada Lovelace isn't enrolled on 2026-10-14.", "not_enrolled"),
    ("You have ATT_ModeMeeting set as the method to use for recording attendance at this school.", "mode_mismatch"),
]


@pytest.mark.parametrize(("message", "category"), NAVIGATE360_MESSAGES)
def test_powerschools_own_messages_get_their_category_and_fix(message, category):
    failure = classify(RecordValidationError([message], method="POST", path="/ws/attendance/daily_time", status=400))

    assert failure.category == category and failure.hint == HINTS[category] and message in failure.error
    assert not failure.retryable


@pytest.mark.parametrize(
    ("error", "category"),
    [
        (AuthError("PowerSchool refused the token", status=401), "auth"),
        (AccessError("No access", fields=["attendance.att_comment"], status=403), "access"),
        (StudentIdError("PowerSchool has no student with DCID 7"), "student_id"),
        (ThrottledError("Slow down", retry_after=90, status=429), "throttled"),
        (UnavailableError("PowerSchool timed out"), "unavailable"),
        (WritebackProblem("no_period", "Could not find the student's period at 17:30"), "no_period"),
        (WritebackProblem("unmapped_reason", "No code"), "unmapped_reason"),
        (WritebackProblem("conflict", "Changed by someone else"), "conflict"),
        (KeyError("surprise"), "unknown"),
    ],
)
def test_every_failure_is_classified_into_a_category_with_a_hint(error, category):
    failure = classify(error)

    assert failure.category == category and failure.hint
    assert failure.retryable == (category in RETRYABLE)


def test_every_category_has_a_plain_hint_that_names_where_to_fix_it():
    assert set(HINTS) == {
        "auth",
        "access",
        "student_id",
        "not_enrolled",
        "year_mismatch",
        "mode_mismatch",
        "no_period",
        "unmapped_reason",
        "conflict",
        "throttled",
        "unavailable",
        "unknown",
    }
    assert "Could not find the student's PowerSchool id" in HINTS["student_id"]
    assert "Could not find the student's period" in HINTS["no_period"]
    assert "25.2" in HINTS["auth"] and "client secret" in HINTS["auth"]
    assert "Attendance Preferences" in HINTS["mode_mismatch"]


def test_a_throttled_write_waits_as_long_as_powerschool_asks():
    failure = classify(ThrottledError("Slow down", retry_after=90, status=429))

    assert failure.retry_after == 90 and failure.status_code == 429


def failed(ps, intent, category):
    intent = latest(intent)
    assert (intent.status, intent.category) == (Intent.Status.FAILED, category), intent.error
    assert intent.hint
    return intent


def test_a_code_of_another_year_is_refused_by_powerschool_as_a_year_mismatch(ps):
    # RaptorLink's copy still says the school is in last year's term: it sends last year's code and year.
    Term.objects.filter(school__number=DAILY_SCHOOL, is_year=True, year_id=36).update(year_id=35)
    student = ps.student(DAILY_SCHOOL)
    intent = ps.intent(student)

    ps.drain()

    intent = failed(ps, intent, "year_mismatch")
    assert "doesn't match the term's year value" in intent.error


def test_a_student_powerschool_no_longer_enrols_is_not_enrolled(ps):
    student = ps.student(DAILY_SCHOOL)
    withdraw_student(ps.store, student.dcid, exitdate=TODAY - datetime.timedelta(days=7))
    intent = ps.intent(student)

    ps.drain()

    assert "isn't enrolled on" in failed(ps, intent, "not_enrolled").error


def test_a_mode_that_differs_from_powerschools_is_a_mode_mismatch(ps):
    school = ps.school(DAILY_SCHOOL)
    school.attendance_mode = "time"
    school.save()
    intent = ps.intent(ps.student(DAILY_SCHOOL))

    ps.drain()

    assert "set as the method to use" in failed(ps, intent, "mode_mismatch").error


def test_a_plugin_without_write_access_to_a_field_is_an_access_error_naming_it(ps):
    xml = render_plugin_xml("Sandbox District").replace(
        'table="ATTENDANCE" field="ATT_COMMENT" access="FullAccess"',
        'table="ATTENDANCE" field="ATT_COMMENT" access="ViewOnly"',
    )
    install_plugin(ps.store, xml)
    intent = ps.intent(ps.student(DAILY_SCHOOL))

    ps.drain()

    intent = failed(ps, intent, "access")
    assert "att_comment" in intent.hint.lower() and "plugin.xml" in intent.hint
    assert intent.attempt_log.get().status_code == 403


def test_a_disabled_plugin_is_an_auth_error(ps):
    set_enabled(ps.store, False)
    ps.district.powerschool.forget_token()
    intent = ps.intent(ps.student(DAILY_SCHOOL))

    ps.drain()

    intent = failed(ps, intent, "auth")
    assert "enabled" in intent.hint and "Full Access" in intent.hint


def test_a_reason_without_a_code_is_unmapped_and_nothing_is_sent(ps):
    student = ps.student(DAILY_SCHOOL)
    intent = ps.intent(student, code="")

    ps.drain()

    intent = failed(ps, intent, "unmapped_reason")
    assert intent.attempt_log.get().request == {"calls": []}
    assert ps.attendance(student) == []


def test_a_student_without_a_powerschool_id_is_converted_from_the_dcid_and_kept(ps):
    student = ps.student(DAILY_SCHOOL)
    ps_id = student.ps_id
    type(student).objects.filter(pk=student.pk).update(ps_id=None)
    intent = ps.intent(type(student).objects.get(pk=student.pk))

    ps.drain()

    assert latest(intent).status == Intent.Status.SUCCEEDED
    student.refresh_from_db()
    assert student.ps_id == ps_id


def test_a_dcid_powerschool_does_not_know_could_not_find_the_students_powerschool_id(ps):
    student = ps.student(DAILY_SCHOOL)
    type(student).objects.filter(pk=student.pk).update(ps_id=None, dcid=987654321)
    intent = ps.intent(type(student).objects.get(pk=student.pk))

    ps.drain()

    assert "Could not find the student's PowerSchool id" in failed(ps, intent, "student_id").error


@pytest.mark.parametrize(
    "spec",
    [FaultSpec(error_rate=1.0), FaultSpec(timeout_rate=1.0), FaultSpec(drop_after_write_rate=1.0)],
    ids=["server errors", "timeouts", "dropped connections"],
)
def test_an_unavailable_powerschool_is_retried_later_until_it_answers(ps, spec):
    student = ps.student(TIME_SCHOOL)
    intent = ps.intent(student)
    ps.drain()
    ps.app.faults.replace(spec)
    ps.intent(student, at="09:15", ref="RL-2")

    ps.drain()

    later = Intent.objects.latest("id")
    assert (later.status, later.category) == (Intent.Status.PENDING, "unavailable")
    assert later.next_attempt_at > ps_now() and later.attempt_log.get().outcome == Intent.Status.PENDING
    ps.app.faults.replace(FaultSpec())
    ps.later(10)
    ps.drain()
    assert latest(later).status == Intent.Status.SUCCEEDED
    [record] = ps.attendance(student)
    assert record["dcid"] == latest(intent).written["records"][0]["dcid"] and record["total_minutes"] == 45


def test_a_throttled_write_is_retried_when_powerschool_says(ps):
    ps.app.faults.replace(FaultSpec(throttle_ms=120_000))
    intent = ps.intent(ps.student(DAILY_SCHOOL))

    ps.drain()

    intent = latest(intent)
    assert (intent.status, intent.category) == (Intent.Status.PENDING, "throttled")
    assert intent.attempt_log.get().status_code == 429
    assert 60 < (intent.next_attempt_at - ps_now()).total_seconds() <= 120
    ps.app.faults.replace(FaultSpec())
    ps.later(120)
    ps.drain()
    assert latest(intent).status == Intent.Status.SUCCEEDED


def ps_now():
    return timezone.now()


def test_write_backs_that_keep_failing_e_mail_the_district_once(ps, mailoutbox, settings):
    settings.WRITEBACK_ALERT_FAILURES = 3
    NotificationContact.objects.create(district=ps.district, name="Ian IT", email="ian@district.example")
    for index in range(4):
        ps.intent(ps.student(DAILY_SCHOOL, index), code="")

    ps.drain()

    assert [message.to for message in mailoutbox] == [["ian@district.example"]]
