"""Kiosk devices, unrecorded sign-ins and the kiosk settings of buildings and districts in admin.

District admins manage every building's kiosks, building admins their own buildings', IT viewers read, and
nobody else sees them.
"""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client

from kiosk.devices import kiosk_create, kiosk_enrol
from kiosk.models import EventKind, EventSource, KioskDevice, UnrecordedSignIn
from kiosk.services import record_event
from raptorlink.models import Building, District
from tests.kiosk.conftest import NOW
from tests.world import PASSWORD

KIOSKS = "/admin/kiosk/kioskdevice/"
UNRECORDED = "/admin/kiosk/unrecordedsignin/"
ENROL_LINK = re.compile(r"http://testserver/kiosk/enrol/([\w-]+)")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def enrolment_token(html):
    match = ENROL_LINK.search(html)
    assert match, "no enrolment link on the page"
    return match.group(1)


@pytest.fixture
def kiosks(world, frozen):
    """One kiosk in each of Lincoln's buildings and one in Riverside's."""
    return {
        "north": kiosk_create(building=world.north, name="North door")[0],
        "south": kiosk_create(building=world.south, name="South door")[0],
        "riverside": kiosk_create(building=world.other_building, name="Riverside door")[0],
    }


# --- who sees what -------------------------------------------------------------------------------

VISIBLE = [
    ("superuser", {"North door", "South door", "Riverside door"}),
    ("district_admin", {"North door", "South door"}),
    ("building_admin", {"North door"}),
    ("other_admin", {"Riverside door"}),
]


@pytest.mark.parametrize(("role", "expected"), VISIBLE)
def test_each_reader_sees_the_kiosks_of_their_own_buildings_only(client, world, kiosks, role, expected):
    html = login(client, world.users_by_role()[role]).get(KIOSKS).content.decode()
    shown = {name for name in ("North door", "South door", "Riverside door") if name in html}
    assert shown == expected


@pytest.mark.parametrize("role", ["front_desk", "outsider", "it_viewer"])
def test_front_desk_staff_outsiders_and_it_viewers_cannot_open_the_kiosks(client, world, kiosks, role):
    response = login(client, world.users_by_role()[role]).get(KIOSKS)
    assert response.status_code in (302, 403)
    assert "North door" not in response.content.decode()


def test_the_list_shows_the_state_and_when_and_from_where_a_kiosk_was_last_seen(client, world, kiosks):
    KioskDevice.objects.filter(pk=kiosks["north"].pk).update(
        enrolled_at=NOW, last_seen_at=NOW + timedelta(minutes=3), last_seen_ip="10.20.3.4"
    )
    html = login(client, world.district_admin).get(KIOSKS).content.decode()
    assert "10/14/2026 08:50 CDT from 10.20.3.4" in html
    assert "Not enrolled yet; enrolment link open until 10/14/2026 09:02 CDT" in html


def test_the_list_filters_by_state(client, world, kiosks):
    KioskDevice.objects.filter(pk=kiosks["north"].pk).update(enrolled_at=NOW)
    login(client, world.district_admin)
    enrolled = client.get(KIOSKS, {"state": "enrolled"}).content.decode()
    assert "North door" in enrolled and "South door" not in enrolled
    waiting = client.get(KIOSKS, {"state": "waiting"}).content.decode()
    assert "South door" in waiting and "North door" not in waiting


# --- creating a kiosk shows its link once --------------------------------------------------------


def test_creating_a_kiosk_shows_its_enrolment_link_and_qr_code_once(client, world, frozen):
    login(client, world.district_admin)
    response = client.post(f"{KIOSKS}add/", {"building": world.south.pk, "name": "Gym entrance"})

    assert response.status_code == 200
    html = response.content.decode()
    token = enrolment_token(html)
    assert "<svg" in html and "QR code of the enrolment link" in html
    assert "works once, until 10/14/2026 09:02 CDT" in html
    assert "no-store" in response["Cache-Control"]
    device = KioskDevice.objects.get(name="Gym entrance")
    assert (device.building, device.created_by) == (world.south, world.district_admin)
    assert device.enrolment_token_hash == hashlib.sha256(token.encode()).hexdigest()

    change_page = client.get(f"{KIOSKS}{device.pk}/change/").content.decode()
    assert token not in change_page and "/kiosk/enrol/" not in change_page
    assert token not in client.get(KIOSKS).content.decode()


def test_the_link_shown_in_admin_enrols_a_tablet(client, world, frozen):
    login(client, world.building_admin)
    html = client.post(f"{KIOSKS}add/", {"building": world.north.pk, "name": "Front lobby"}).content.decode()
    tablet = Client()
    response = tablet.post(f"/kiosk/enrol/{enrolment_token(html)}")
    assert response.status_code == 302
    assert KioskDevice.objects.get(name="Front lobby").enrolled_at == NOW


def test_a_building_admin_is_offered_only_their_own_buildings(client, world):
    html = login(client, world.building_admin).get(f"{KIOSKS}add/").content.decode()
    assert "North Campus" in html
    assert "South Campus" not in html and "Riverside High" not in html


@pytest.mark.parametrize("building", ["south", "other_building"])
def test_a_building_admin_cannot_create_a_kiosk_for_another_building_by_a_forged_id(client, world, building):
    login(client, world.building_admin)
    forged = getattr(world, building).pk
    response = client.post(f"{KIOSKS}add/", {"building": forged, "name": "Sneaky"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not KioskDevice.objects.filter(name="Sneaky").exists()


def test_an_it_viewer_neither_reads_nor_creates_kiosks(client, world, kiosks):
    login(client, world.it_viewer)
    assert client.get(f"{KIOSKS}{kiosks['north'].pk}/change/").status_code == 403
    assert client.get(f"{KIOSKS}add/").status_code == 403
    assert client.post(f"{KIOSKS}add/", {"building": world.north.pk, "name": "Sneaky"}).status_code == 403
    assert not KioskDevice.objects.filter(name="Sneaky").exists()


def test_a_second_kiosk_of_the_same_name_in_a_building_is_refused_plainly(client, world, kiosks):
    login(client, world.district_admin)
    response = client.post(f"{KIOSKS}add/", {"building": world.north.pk, "name": "North door"})
    assert "North Campus already has a kiosk named “North door”" in response.content.decode()
    response = client.post(f"{KIOSKS}{kiosks['south'].pk}/change/", {"name": "South door"})
    assert response.status_code == 302
    KioskDevice.objects.create(building=world.south, name="Side door")
    response = client.post(f"{KIOSKS}{kiosks['south'].pk}/change/", {"name": "Side door"})
    assert "South Campus already has a kiosk named “Side door”" in response.content.decode()
    assert KioskDevice.objects.get(pk=kiosks["south"].pk).name == "South door"


def test_a_kiosk_keeps_its_building_when_renamed(client, world, kiosks):
    login(client, world.district_admin)
    response = client.post(f"{KIOSKS}{kiosks['north'].pk}/change/", {"name": "Main door", "building": world.south.pk})
    assert response.status_code == 302
    device = KioskDevice.objects.get(pk=kiosks["north"].pk)
    assert (device.name, device.building) == ("Main door", world.north)


# --- new link and revoke -------------------------------------------------------------------------


def test_a_new_enrolment_link_is_confirmed_shown_once_and_replaces_the_previous_one(client, world, frozen):
    login(client, world.district_admin)
    first = enrolment_token(
        client.post(f"{KIOSKS}add/", {"building": world.north.pk, "name": "Lobby"}).content.decode()
    )
    device = KioskDevice.objects.get(name="Lobby")
    url = f"{KIOSKS}{device.pk}/enrolment-link/"

    assert "New enrolment link" in client.get(f"{KIOSKS}{device.pk}/change/").content.decode()
    confirmation = client.get(url)
    assert "Show a new enrolment link" in confirmation.content.decode()
    assert KioskDevice.objects.get(pk=device.pk).enrolment_token_hash == hashlib.sha256(first.encode()).hexdigest()

    second = enrolment_token(client.post(url).content.decode())
    assert second != first
    assert Client().post(f"/kiosk/enrol/{first}").status_code == 404
    assert Client().post(f"/kiosk/enrol/{second}").status_code == 302


def test_revoking_asks_first_then_stops_the_kiosk(client, world, kiosks):
    device = kiosks["north"]
    login(client, world.district_admin)
    url = f"{KIOSKS}{device.pk}/revoke/"

    assert "Yes, revoke it" in client.get(url).content.decode()
    assert not KioskDevice.objects.get(pk=device.pk).revoked

    response = client.post(url)
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked and device.token_hash is None and device.enrolment_token_hash is None
    assert "was revoked" in client.get(response["Location"]).content.decode()


def test_a_revoked_kiosk_gets_no_new_enrolment_link(client, world, kiosks):
    device = kiosks["north"]
    login(client, world.district_admin)
    client.post(f"{KIOSKS}{device.pk}/revoke/")
    page = client.get(f"{KIOSKS}{device.pk}/change/").content.decode()
    assert "New enrolment link" not in page

    response = client.post(f"{KIOSKS}{device.pk}/enrolment-link/", follow=True)
    html = response.content.decode()
    assert "A revoked kiosk cannot be enrolled again; add a new kiosk." in html
    assert not ENROL_LINK.search(html)
    assert KioskDevice.objects.get(pk=device.pk).enrolment_token_hash is None


def test_an_it_viewer_can_neither_revoke_nor_relink(client, world, kiosks):
    device = kiosks["north"]
    login(client, world.it_viewer)
    assert "/revoke/" not in client.get(f"{KIOSKS}{device.pk}/change/").content.decode()
    for step in ("revoke", "enrolment-link"):
        assert client.post(f"{KIOSKS}{device.pk}/{step}/").status_code == 404
    device.refresh_from_db()
    assert not device.revoked


def test_a_building_admin_cannot_touch_another_buildings_kiosk(client, world, kiosks):
    device = kiosks["south"]
    login(client, world.building_admin)
    for step in ("revoke", "enrolment-link"):
        assert client.post(f"{KIOSKS}{device.pk}/{step}/").status_code == 404
    device.refresh_from_db()
    assert not device.revoked


def test_revoking_several_kiosks_from_the_list_asks_first_and_skips_those_of_other_buildings(client, world, kiosks):
    login(client, world.building_admin)
    selected = [kiosks["north"].pk, kiosks["south"].pk]
    data = {"action": "revoke_selected", "_selected_action": selected}

    confirmation = client.post(KIOSKS, data).content.decode()
    assert "North door" in confirmation and "South door" not in confirmation
    assert not KioskDevice.objects.filter(revoked_at__isnull=False).exists()

    client.post(KIOSKS, {**data, "confirmed": "yes"})
    assert set(KioskDevice.objects.filter(revoked_at__isnull=False).values_list("name", flat=True)) == {"North door"}


# --- deleting ------------------------------------------------------------------------------------


def test_a_kiosk_without_events_can_be_deleted(client, world, kiosks):
    login(client, world.district_admin)
    response = client.post(f"{KIOSKS}{kiosks['south'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not KioskDevice.objects.filter(pk=kiosks["south"].pk).exists()


def test_a_kiosk_that_recorded_events_can_only_be_revoked(client, world, campus):
    device, token = kiosk_create(building=world.north, name="North door")
    kiosk_enrol(token)
    record_event(
        student=campus.ada,
        building=world.north,
        kind=EventKind.LATE_CHECK_IN,
        reason=campus.doctor,
        source=EventSource.KIOSK,
        kiosk=device,
    )
    login(client, world.district_admin)
    assert ">Delete<" not in client.get(f"{KIOSKS}{device.pk}/change/").content.decode()
    assert client.post(f"{KIOSKS}{device.pk}/delete/", {"post": "yes"}).status_code == 403
    assert KioskDevice.objects.filter(pk=device.pk).exists()


# --- unrecorded sign-ins -------------------------------------------------------------------------


@pytest.fixture
def unrecorded(world, kiosks):
    def sign_in(building, typed):
        return UnrecordedSignIn.objects.create(
            building=building,
            student_id_typed=typed,
            kind=EventKind.LATE_CHECK_IN,
            reason_label="Late bus",
            occurred_at=NOW,
            problem="The student was withdrawn before the sign-in arrived.",
            idempotency_key=f"key-{typed}",
        )

    return {"north": sign_in(world.north, "N-4711"), "south": sign_in(world.south, "S-0815")}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("district_admin", {"N-4711", "S-0815"}), ("building_admin", {"N-4711"})],
)
def test_unrecorded_sign_ins_are_listed_for_those_who_read_the_building(client, world, unrecorded, role, expected):
    html = login(client, world.users_by_role()[role]).get(UNRECORDED).content.decode()
    assert {typed for typed in ("N-4711", "S-0815") if typed in html} == expected


def test_others_see_no_unrecorded_sign_ins(client, world, unrecorded):
    assert "N-4711" not in login(client, world.other_admin).get(UNRECORDED).content.decode()
    assert login(Client(), world.outsider).get(UNRECORDED).status_code == 302


def test_a_building_admin_marks_their_buildings_unrecorded_sign_ins_resolved(client, world, unrecorded):
    login(client, world.building_admin)
    selected = [unrecorded["north"].pk, unrecorded["south"].pk]
    client.post(UNRECORDED, {"action": "mark_resolved", "_selected_action": selected})
    north, south = (UnrecordedSignIn.objects.get(pk=pk) for pk in selected)
    assert north.resolved_at is not None and north.resolved_by == world.building_admin
    assert south.resolved_at is None


def test_an_it_viewer_cannot_mark_unrecorded_sign_ins_resolved(client, world, unrecorded):
    login(client, world.it_viewer)
    assert "Mark selected as resolved" not in client.get(UNRECORDED).content.decode()
    client.post(UNRECORDED, {"action": "mark_resolved", "_selected_action": [unrecorded["north"].pk]})
    assert UnrecordedSignIn.objects.get(pk=unrecorded["north"].pk).resolved_at is None


# --- the kiosk settings of buildings and districts -----------------------------------------------


def building_data(building, **overrides):
    data = {
        "district": building.district_id,
        "name": building.name,
        "time_zone": building.time_zone,
        "tardy_cutoff": "",
        "kiosk_networks": "",
        "schools-TOTAL_FORMS": "0",
        "schools-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_a_district_admin_sets_a_buildings_kiosk_settings(client, world):
    login(client, world.district_admin)
    url = f"/admin/raptorlink/building/{world.north.pk}/change/"
    assert "Kiosks and front desk" in client.get(url).content.decode()
    data = building_data(
        world.north, tardy_cutoff="08:05", self_serve_check_out="on", kiosk_networks="10.20.0.0/16\n192.0.2.7"
    )
    assert client.post(url, data).status_code == 302
    north = Building.objects.get(pk=world.north.pk)
    assert (str(north.tardy_cutoff), north.self_serve_check_out) == ("08:05:00", True)
    assert north.admits_address("10.20.9.9") and not north.admits_address("198.51.100.1")


def test_a_mistyped_kiosk_network_is_named_and_nothing_is_saved(client, world):
    login(client, world.district_admin)
    url = f"/admin/raptorlink/building/{world.north.pk}/change/"
    response = client.post(url, building_data(world.north, kiosk_networks="10.20.0.0/16\n10.300.1.0/24"))
    assert "“10.300.1.0/24” is not an IP address or network such as 10.20.0.0/16." in response.content.decode()
    assert Building.objects.get(pk=world.north.pk).kiosk_networks == ""


def test_a_building_admin_reads_but_does_not_change_their_buildings_allowlist(client, world):
    login(client, world.building_admin)
    url = f"/admin/raptorlink/building/{world.north.pk}/change/"
    page = client.get(url).content.decode()
    assert "Kiosks and front desk" in page and 'name="kiosk_networks"' not in page
    client.post(url, building_data(world.north, kiosk_networks="0.0.0.0/0"))
    assert Building.objects.get(pk=world.north.pk).kiosk_networks == ""


def test_a_district_admin_sets_the_districts_kiosk_and_front_desk_settings(client, world):
    login(client, world.district_admin)
    url = f"/admin/raptorlink/district/{world.district.pk}/change/"
    assert "Kiosks and front desk" in client.get(url).content.decode()
    district = world.district
    data = {
        "name": district.name,
        "slug": district.slug,
        "time_zone": district.time_zone,
        "default_attendance_mode": district.default_attendance_mode,
        "comment_template": district.comment_template,
        "visible_student_id": "sis_id",
        "pickup_requires_custodial": "on",
    }
    assert client.post(url, data).status_code == 302
    district = District.objects.get(pk=district.pk)
    assert (district.visible_student_id, district.pickup_requires_custodial) == ("sis_id", True)
