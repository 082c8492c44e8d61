"""How far each role reaches: a building admin's lists hold only their buildings' rows, and what a role may read
it may not necessarily change."""

import pytest

from raptorlink.models import PowerSchoolConnection
from raptorlink.permissions import Action, buildings_for, districts_for, may, schools_for
from tests.roles.conftest import login
from writeback.models import Intent

A = "/admin"

# changelist, the text of North's row, the text of South's row
BUILDING_LISTS = [
    ("raptorlink/building/", "North Campus", "South Campus"),
    ("raptorlink/school/", "North Campus School", "South Campus School"),
    ("raptorlink/auditentry/", "North Campus", "South Campus"),
    ("sis_sync/student/", "100101", "100201"),
    ("sis_sync/section/", "North Campus School", "South Campus School"),
    ("sis_sync/term/", "North Campus School", "South Campus School"),
    ("sis_sync/calendarday/", "North Campus School", "South Campus School"),
    ("sis_sync/bellschedule/", "North Campus School", "South Campus School"),
    ("sis_sync/period/", "North Campus School", "South Campus School"),
    ("sis_sync/attendancecode/", "North Campus School", "South Campus School"),
    ("sis_sync/enrollment/", "100101", "100201"),
    ("kiosk/reason/", "North only", "South only"),
    ("kiosk/studentevent/", "100101", "100201"),
    ("kiosk/kioskdevice/", "North Campus door", "South Campus door"),
    ("kiosk/unrecordedsignin/", "X-north", "X-south"),
    ("writeback/intent/log/", "RL-101", "RL-201"),
    ("writeback/intent/log/export.csv", "RL-101", "RL-201"),
]


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(("page", "north", "south"), BUILDING_LISTS)
def test_a_building_admin_lists_only_their_buildings_rows(client, world, rows, page, north, south):
    text = page_text(login(client, world.building_admin), f"{A}/{page}")
    assert north in text
    assert south not in text


@pytest.mark.parametrize(("page", "north", "south"), BUILDING_LISTS)
def test_a_district_admin_lists_every_buildings_rows_but_no_other_districts(client, world, rows, page, north, south):
    text = page_text(login(client, world.district_admin), f"{A}/{page}")
    assert north in text and south in text
    assert "Riverside" not in text


def test_a_building_admin_reads_the_district_wide_reasons_but_does_not_change_them(client, world, rows):
    shared = rows["lincoln_shared_reason"]
    login(client, world.building_admin)
    assert "Lincoln bus" in page_text(client, f"{A}/kiosk/reason/")
    data = {"district": world.district.pk, "kind": shared.kind, "label": "Renamed", "sort_order": 0}
    response = client.post(f"{A}/kiosk/reason/{shared.pk}/change/", data)
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.label == "Lincoln bus"


def test_an_it_viewer_reads_the_connections_status_but_cannot_change_it(client, world, rows):
    url = f"{A}/raptorlink/powerschoolconnection/{world.connection.pk}/change/"
    login(client, world.it_viewer)
    page = page_text(client, url)
    assert "Access token" in page and "s3cr3t" not in page
    data = {
        "district": world.district.pk,
        "base_url": "https://evil.example.com",
        "client_id": "x",
        "client_secret": "y",
    }
    assert client.post(url, data).status_code == 403
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).base_url == "https://lincoln.powerschool.com"


@pytest.mark.parametrize(
    ("role", "url_of", "data"),
    [
        ("it_viewer", lambda rows: f"raptorlink/incident/{rows['lincoln_incident'].pk}/change/", {"detail": "x"}),
        ("it_viewer", lambda rows: f"sis_sync/syncrun/{rows['lincoln_syncrun'].pk}/change/", {"status": "failed"}),
        ("building_admin", lambda rows: f"sis_sync/student/{rows['north_student'].pk}/change/", {"note": "x"}),
        (
            "building_admin",
            lambda rows: f"raptorlink/maintenancewindow/{rows['lincoln_maintenance'].pk}/change/",
            {"title": "Changed"},
        ),  # fmt: skip
        ("building_admin", lambda rows: f"kiosk/studentevent/{rows['north_event'].pk}/change/", {"note": "x"}),
        ("building_admin", lambda rows: f"raptorlink/auditentry/{rows['north_audit'].pk}/change/", {"reason": "x"}),
    ],
)
def test_what_a_role_reads_it_cannot_post_to(client, world, rows, role, url_of, data):
    login(client, world.users_by_role()[role])
    url = f"{A}/{url_of(rows)}"
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403


def test_an_it_viewer_reads_the_log_but_cannot_retry(client, world, rows):
    intent = rows["north_intent"]
    login(client, world.it_viewer)
    response = client.post(f"{A}/writeback/intent/log/", {"action": "retry", "selected": [intent.pk]})
    assert response.status_code == 403
    assert Intent.objects.get(pk=intent.pk).status == Intent.Status.FAILED


def test_a_building_admin_retries_their_buildings_write_backs_only(client, world, rows):
    north, south = rows["north_intent"], rows["south_intent"]
    login(client, world.building_admin)
    client.post(f"{A}/writeback/intent/log/", {"action": "retry", "selected": [north.pk, south.pk]})
    assert Intent.objects.get(pk=north.pk).status == Intent.Status.PENDING
    assert Intent.objects.get(pk=south.pk).status == Intent.Status.FAILED


def test_a_building_admin_changes_their_schools_write_back_only_while_overrides_are_allowed(world, rows):
    north_school = rows["north_school"]
    assert may(world.building_admin, Action.MANAGE_SCHOOL_WRITEBACK, north_school)
    assert not may(world.building_admin, Action.MANAGE_SCHOOL_WRITEBACK, rows["south_school"])
    world.district.prevent_school_overrides = True
    world.district.save()
    assert not may(world.building_admin, Action.MANAGE_SCHOOL_WRITEBACK, north_school)
    assert may(world.district_admin, Action.MANAGE_SCHOOL_WRITEBACK, north_school)


def test_a_building_admin_cannot_post_their_schools_write_back_when_the_district_prevents_overrides(
    client, world, rows
):
    world.district.prevent_school_overrides = True
    world.district.save()
    school = rows["north_school"]
    login(client, world.building_admin)
    url = f"{A}/raptorlink/school/{school.pk}/change/"
    assert client.get(url).status_code == 200
    data = {"writeback_enabled": "", "attendance_mode": "meeting", "checkout_policy": "current"}
    assert client.post(url, data).status_code == 403
    school.refresh_from_db()
    assert school.attendance_mode == ""


@pytest.mark.parametrize(
    ("role", "desk_buildings", "console_districts"),
    [
        ("superuser", {"North Campus", "South Campus", "Riverside High"}, {"Lincoln", "Riverside"}),
        ("district_admin", {"North Campus", "South Campus"}, {"Lincoln"}),
        ("building_admin", {"North Campus"}, {"Lincoln"}),
        ("front_desk", {"North Campus"}, set()),
        ("it_viewer", set(), {"Lincoln"}),
        ("outsider", set(), set()),
    ],
)
def test_the_desk_and_the_console_follow_the_table(world, role, desk_buildings, console_districts):
    user = world.users_by_role()[role]
    assert {building.name for building in buildings_for(user, Action.USE_DESK)} == desk_buildings
    assert {district.name.split()[0] for district in districts_for(user, Action.USE_CONSOLE)} == console_districts


def test_an_inactive_account_may_do_nothing(world, rows):
    world.district_admin.is_active = False
    world.district_admin.save()
    assert not may(world.district_admin, Action.USE_CONSOLE)
    assert not schools_for(world.district_admin, Action.READ_SETTINGS).exists()
