"""The demo district is usable end to end after `make run`'s setup, and a second run creates nothing twice."""

from datetime import datetime
from io import StringIO
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.management import CommandError, call_command

from kiosk.demo import KIOSK_NAME, REASONS, DemoSetupError, demo_setup
from kiosk.devices import COOKIE_NAME
from kiosk.models import EventKind, EventSource, KioskDevice, Reason, ReasonCode
from kiosk.preflight import writeback_problems
from kiosk.services import record_event
from raptorlink.models import Building, School
from sandbox.app import SandboxApp
from sandbox.testing import mock_powerschool
from sis_sync.models import Student
from tests.sis_sync.sandbox import SANDBOX_URL, connect_district
from writeback.engine.drainer import drain
from writeback.models import Intent

SITE = "http://127.0.0.1:8000"
# A Wednesday morning in session in the generated district (the sandbox's "today"), in the district's zone.
NOW = datetime.fromisoformat("2026-10-14T09:20:00-04:00")


@pytest.fixture
def demo(db, sandbox_store):
    """The generated district connected as the demo's is, never synced yet; its sandbox behind `responses`."""
    with time_machine.travel(NOW, tick=False), mock_powerschool(SandboxApp(sandbox_store), base_url=SANDBOX_URL):
        yield connect_district(sandbox_store, slug="demo")


def set_up(district):
    return demo_setup(district, sandbox_url=SANDBOX_URL, site_url=SITE)


def counts():
    return [model.objects.count() for model in (Building, Reason, ReasonCode, KioskDevice)]


def test_the_first_setup_syncs_and_puts_every_school_behind_a_building_in_the_sandboxs_mode(demo):
    set_up(demo)

    schools = {school.number: school for school in School.objects.filter(district=demo)}
    assert {number: school.attendance_mode for number, school in schools.items()} == {
        1001: "daily",
        1002: "time",
        2001: "meeting",
        3001: "meeting",
    }
    assert all(school.writeback_enabled for school in schools.values())
    assert schools[2001].building == schools[3001].building
    assert schools[2001].building.name == f"{schools[2001].name} & {schools[3001].name}"
    assert len({school.building_id for school in schools.values()}) == 3
    assert Student.objects.filter(district=demo).exists()


def test_every_reason_is_mapped_at_every_school_so_the_write_back_check_finds_nothing(demo):
    set_up(demo)

    kinds = {kind for kind, *_ in REASONS}
    assert kinds == {EventKind.LATE_CHECK_IN, EventKind.EARLY_CHECK_OUT}
    assert ReasonCode.objects.count() == len(REASONS) * School.objects.filter(district=demo).count()
    assert ReasonCode.objects.get(reason__label="Overslept", school__number=1001).code == "T"
    assert writeback_problems(demo) == []


def test_each_building_gets_a_kiosk_whose_enrolment_link_enrols_a_browser(demo, client):
    links = set_up(demo)

    assert [link.building for link in links] == sorted(Building.objects.values_list("name", flat=True))
    assert KioskDevice.objects.filter(name=KIOSK_NAME).count() == 3
    link = links[0]
    assert link.enrolment_url.startswith(f"{SITE}/kiosk/enrol/") and link.state == "not enrolled"

    answer = client.post(urlsplit(link.enrolment_url).path)

    assert answer.status_code == 302 and COOKIE_NAME in answer.cookies
    assert KioskDevice.objects.get(building__name=link.building).enrolled_at is not None


def test_a_second_setup_creates_nothing_twice_and_gives_unenrolled_kiosks_a_fresh_link(demo, client):
    first = set_up(demo)
    before = counts()
    client.post(urlsplit(first[0].enrolment_url).path)

    again = set_up(demo)

    assert counts() == before
    assert (again[0].enrolment_url, again[0].state) == ("", "enrolled")
    assert again[1].enrolment_url and again[1].enrolment_url != first[1].enrolment_url
    assert client.get(urlsplit(first[1].enrolment_url).path).status_code == 404


def test_a_school_someone_already_set_up_keeps_its_building_and_settings(demo):
    set_up(demo)
    school = School.objects.get(district=demo, number=1001)
    lobby = Building.objects.create(district=demo, name="Lobby")
    School.objects.filter(pk=school.pk).update(building=lobby, attendance_mode="", writeback_enabled=False)

    set_up(demo)

    school.refresh_from_db()
    assert (school.building, school.attendance_mode, school.writeback_enabled) == (lobby, "", False)


def test_a_check_in_at_the_demo_front_desk_reaches_the_sandboxs_powerschool(demo, sandbox_store):
    set_up(demo)
    student = Student.objects.filter(school__number=1001, enroll_status=0, active=True).order_by("dcid").first()

    event = record_event(
        student=student,
        building=student.school.building,
        kind=EventKind.LATE_CHECK_IN,
        reason=Reason.objects.get(label="Overslept"),
        source=EventSource.FRONT_DESK,
    )
    drain("demo-worker")

    assert Intent.objects.get().status == Intent.Status.SUCCEEDED
    [record] = sandbox_store.query("SELECT * FROM attendance WHERE studentid = ?", (student.ps_id,))
    assert event.reference in record["att_comment"]


def test_a_sandbox_that_does_not_answer_is_named(db, sandbox_store):
    district = connect_district(sandbox_store, slug="demo")
    district.last_sync_succeeded_at = NOW
    district.save()

    with pytest.raises(DemoSetupError, match="did not describe its schools"):
        demo_setup(district, sandbox_url="http://127.0.0.1:9", site_url=SITE)


def test_the_setup_command_prints_each_kiosks_enrolment_link(demo):
    printed = call_command("setup_demo", sandbox_url=SANDBOX_URL, site_url=SITE, stdout=StringIO())

    lines = printed.splitlines()
    assert len(lines) == 3 and all(f"{SITE}/kiosk/enrol/" in line for line in lines)


def test_the_setup_command_names_a_district_it_does_not_know(db):
    with pytest.raises(CommandError, match="No district"):
        call_command("setup_demo", district="nowhere", sandbox_url=SANDBOX_URL, site_url=SITE)
