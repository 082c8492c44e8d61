"""A district whose roster comes from Clever still syncs from PowerSchool what write-back needs (schools' numbers
and DCIDs, the calendar, attendance codes; sections and enrollments when asked), and never its students,
contacts or staff (its students are only linked to PowerSchool's: see test_powerschool_links.py)."""

import datetime

import pytest
import time_machine

from kiosk.preflight import writeback_problems
from raptorlink.models import Building, School
from sandbox.testing import mock_powerschool
from sis_sync.models import (
    AttendanceCode,
    BellSchedule,
    CalendarDay,
    Contact,
    Period,
    Source,
    Staff,
    Student,
    SyncRun,
    SyncSettings,
    Term,
)
from sis_sync.rosters.service import roster_import
from sis_sync.schedules import scheduled_sync_run
from sis_sync.services import run_sync
from tests.rosters.clever_from_sandbox import clever_set, served
from tests.rosters.conftest import roster_from
from tests.sis_sync.sandbox import SANDBOX_URL, connect_district, sandbox_client

NOW = datetime.datetime(2026, 10, 14, 13, 0, tzinfo=datetime.UTC)
PEOPLE = (Student, Contact, Staff)
PEOPLE_COUNTS = {"students", "contacts", "student_contacts", "staff", "staff_schools"}


@pytest.fixture
def clever_district(db, sandbox_store, tmp_path):
    """The sandbox district, its roster imported from a Clever set, PowerSchool behind `responses`."""
    app, clock = served(sandbox_store)
    with time_machine.travel(NOW, tick=False), mock_powerschool(app, base_url=SANDBOX_URL):
        district = connect_district(sandbox_store)
        roster_from(district, Source.CLEVER)
        imported = roster_import(district, Source.CLEVER, clever_set(sandbox_store, tmp_path / "clever"))
        assert imported.succeeded, imported.run.message
        yield district, lambda: sandbox_client(district, clock, page_size=200)


def people(district):
    return {
        model.__name__: set(model.objects.filter(district=district).values_list("source", "pk")) for model in PEOPLE
    }


def powerschool_rows(model, district):
    return model.objects.filter(district=district, source=Source.POWERSCHOOL).count()


def test_a_full_sync_leaves_the_rosters_people_alone_and_brings_what_write_back_needs(clever_district, sandbox_store):
    district, client = clever_district
    before = people(district)

    run = run_sync(district, kind="full", client=client())

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert people(district) == before and before["Student"]
    assert {"schools", "attendance_codes"} <= set(run.counts) and not PEOPLE_COUNTS & set(run.counts)
    for model in (Term, CalendarDay, BellSchedule, Period, AttendanceCode):
        assert powerschool_rows(model, district), model.__name__
    assert "Students, contacts and staff were not pulled" in run.message and "comes from Clever" in run.message


def test_the_clever_schools_get_their_powerschool_dcids_and_stay_the_rosters(clever_district, sandbox_store):
    district, client = clever_district
    expected = {row["school_number"]: row["dcid"] for row in sandbox_store.query("SELECT * FROM schools")}

    run_sync(district, kind="full", client=client())

    schools = School.objects.filter(district=district)
    assert {school.number: school.dcid for school in schools} == expected
    assert {(school.source, school.active) for school in schools} == {(Source.CLEVER, True)}


def test_a_manual_sync_asking_for_students_only_is_skipped_with_the_reason(clever_district):
    district, client = clever_district

    run = run_sync(district, kind="manual", entities=["students", "contacts"], client=client())

    assert run.status == SyncRun.Status.SKIPPED
    assert run.message == (
        "Skipped: Students, contacts and staff were not pulled: Sandbox District's roster comes from Clever, "
        "and nothing else was asked for."
    )


def test_sections_and_enrollments_are_pulled_only_when_the_sync_settings_ask_for_them(clever_district):
    district, client = clever_district
    assert "sections" not in run_sync(district, kind="full", client=client()).counts

    SyncSettings.objects.update_or_create(
        district=district, defaults={"entities": ["schools", "calendar", "sections", "enrollments", "students"]}
    )
    run = run_sync(district, kind="full", client=client())

    assert {"sections", "enrollments"} <= set(run.counts) and "students" not in run.counts
    assert powerschool_rows(Student, district) == 0


def test_the_scheduled_sync_leaves_the_rosters_people_alone_too(clever_district, monkeypatch):
    district, client = clever_district
    SyncSettings.objects.update_or_create(district=district, defaults={"enabled": True})
    before = people(district)
    monkeypatch.setattr("sis_sync.engine.runner.client_for", lambda district: client())

    run = scheduled_sync_run(district, "full")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert people(district) == before and powerschool_rows(AttendanceCode, district)


def test_a_powerschool_district_still_syncs_its_students(db, sandbox_store):
    app, clock = served(sandbox_store)
    with time_machine.travel(NOW, tick=False), mock_powerschool(app, base_url=SANDBOX_URL):
        district = connect_district(sandbox_store)
        run = run_sync(district, kind="full", client=sandbox_client(district, clock, page_size=200))

    assert run.status == SyncRun.Status.SUCCEEDED and "not pulled" not in run.message
    assert powerschool_rows(Student, district) and powerschool_rows(Staff, district)


def meeting_school(district):
    building = Building.objects.create(district=district, name="Main entrance")
    School.objects.filter(district=district).update(building=building, writeback_enabled=False)
    school = School.objects.filter(district=district).order_by("number").first()
    School.objects.filter(pk=school.pk).update(writeback_enabled=True, attendance_mode="meeting")
    return School.objects.get(pk=school.pk)


def schedule_problems(district):
    return [problem for problem in writeback_problems(district) if problem.kind == "no_schedules"]


def test_preflight_tells_a_meeting_school_of_a_roster_district_that_sections_and_enrollments_are_not_synced(
    clever_district,
):
    district, _ = clever_district
    school = meeting_school(district)

    (problem,) = schedule_problems(district)

    assert problem.school == school and "Meeting mode" in problem.text and "from Clever" in problem.text
    assert "Tick sections and enrollments" in problem.fix


def test_preflight_is_content_once_the_sync_settings_bring_sections_and_enrollments(clever_district):
    district, _ = clever_district
    meeting_school(district)
    SyncSettings.objects.update_or_create(
        district=district, defaults={"entities": ["schools", "calendar", "sections", "enrollments", "attendance_codes"]}
    )

    assert schedule_problems(district) == []


def test_preflight_does_not_ask_daily_schools_for_sections(clever_district):
    district, _ = clever_district
    school = meeting_school(district)
    School.objects.filter(pk=school.pk).update(attendance_mode="daily")

    assert schedule_problems(district) == []
