"""Sync settings and a pause set in the console, as the task queue then runs them; a kiosk enrolled in the console
that signs a student in."""

import ast
import json
import re

import pytest
from django.test import Client
from django.utils.module_loading import import_string
from django_q.models import Schedule

from kiosk.models import EventSource, KioskDevice, StudentEvent
from raptorlink.models import Role
from sis_sync.models import Student, SyncRun, SyncSettings
from sis_sync.schedules import schedule_name
from tests.flows.test_buildings import login
from tests.world import add_member

SYNC_ADMIN = "/admin/sis_sync"
KIOSKS = "/admin/kiosk/kioskdevice/"
ENROL_LINK = re.compile(r"http://testserver(/kiosk/enrol/[\w-]+)")


# --- sync settings and pauses ----------------------------------------------------------------------------


@pytest.fixture
def district(powerschool, world):
    add_member(world.district_admin, powerschool.district, Role.DISTRICT_ADMIN)
    return powerschool.district


def settings_form(district, **changes):
    return {
        "district": district.pk,
        "enabled": "on",
        "full_interval_hours": 8,
        "delta_interval_minutes": 15,
        "entities": ["schools", "students"],
        **changes,
    }


def run_as_the_cluster_would(district, kind):
    """Call what the district's schedule names, with its arguments, as a django-q2 worker does."""
    schedule = Schedule.objects.get(name=schedule_name(district.pk, kind))
    return SyncRun.objects.get(pk=import_string(schedule.func)(*ast.literal_eval(schedule.args)))


def test_sync_settings_saved_in_the_console_schedule_syncs_of_the_chosen_entities(client, world, district):
    login(client, world.district_admin)
    assert client.post(f"{SYNC_ADMIN}/syncsettings/add/", settings_form(district)).status_code == 302
    assert Schedule.objects.get(name=schedule_name(district.pk, "full")).minutes == 8 * 60

    run = run_as_the_cluster_would(district, "full")
    assert (run.status, run.trigger) == ("succeeded", "schedule")
    assert set(run.counts) == {"schools", "students"}
    assert Student.objects.filter(district=district).count() == 60


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_interval_hours": 0}, "Ensure this value is greater than or equal to 1."),
        ({"full_interval_hours": 25}, "Ensure this value is less than or equal to 24."),
        ({"delta_interval_minutes": "often"}, "Enter a whole number."),
    ],
)
def test_intervals_out_of_range_are_refused_with_a_message(client, world, district, changes, message):
    response = login(client, world.district_admin).post(
        f"{SYNC_ADMIN}/syncsettings/add/", settings_form(district, **changes)
    )
    assert message in response.content.decode()
    assert not SyncSettings.objects.filter(district=district).exists()


def test_a_paused_districts_scheduled_sync_does_not_run_until_the_pause_is_removed(client, world, district):
    login(client, world.district_admin)
    client.post(f"{SYNC_ADMIN}/syncsettings/add/", settings_form(district))
    pause = {"district": district.pk, "starts_on": "2026-10-10", "ends_on": "2026-10-20", "reason": "Scheduling"}
    assert client.post(f"{SYNC_ADMIN}/syncpause/add/", pause).status_code == 302

    run = run_as_the_cluster_would(district, "delta")
    assert run.status == "skipped"
    assert run.message == "Scheduled syncs are paused from 2026-10-10 to 2026-10-20 (Scheduling)."
    assert not Student.objects.filter(district=district).exists()

    pause_pk = district.sync_pauses.get().pk
    assert client.post(f"{SYNC_ADMIN}/syncpause/{pause_pk}/delete/", {"post": "yes"}).status_code == 302
    assert run_as_the_cluster_would(district, "delta").status == "succeeded"
    assert Student.objects.filter(district=district).count() == 60


# --- enrolling a kiosk -----------------------------------------------------------------------------------


def test_a_kiosk_enrolled_in_the_console_signs_a_student_in_until_it_is_revoked(client, world, campus):
    login(client, world.building_admin)
    html = client.post(f"{KIOSKS}add/", {"building": world.north.pk, "name": "Front lobby"}).content.decode()
    tablet = Client()
    assert tablet.post(ENROL_LINK.search(html).group(1)).status_code == 302
    assert "North Campus" in tablet.get("/kiosk/").content.decode()

    found = tablet.get("/kiosk/api/student", {"id": campus.ada.student_number}).json()
    assert found["ok"] and found["student"]["name"] == "Ada Lovelace"
    body = {"key": "lobby-0001", "student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk}
    signed = tablet.post("/kiosk/api/sign-in", json.dumps(body), content_type="application/json").json()
    device = KioskDevice.objects.get(name="Front lobby")
    event = StudentEvent.objects.get(pk=signed["event"]["id"])
    assert (event.kiosk, event.source, event.building) == (device, EventSource.KIOSK, world.north)

    assert client.post(f"{KIOSKS}{device.pk}/revoke/").status_code == 302
    assert tablet.get("/kiosk/api/student", {"id": campus.ada.student_number}).status_code == 403
