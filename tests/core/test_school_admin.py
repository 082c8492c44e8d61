import pytest

from raptorlink.models import Incident, NotificationContact, School
from tests.world import PASSWORD

ADMIN = "/admin/raptorlink"
EVERYONE = ["superuser", "district_admin", "building_admin", "front_desk", "it_viewer", "outsider", "other_admin"]
# The pages building admins and IT viewers open; district admins and superusers open all three.
NARROW_ROLES_OPEN = {"building_admin": {"school"}, "it_viewer": {"incident"}}


def page_status(role, page):
    if role in ("outsider", "front_desk"):
        return 302  # no console role: sent to the admin login, whatever their is_staff flag says
    return 200 if page in NARROW_ROLES_OPEN.get(role, {page}) else 403


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def school(world):
    return School.objects.create(
        district=world.district, dcid=11, number=100, name="Lincoln High", low_grade=9, high_grade=12
    )


@pytest.fixture
def contact(world):
    return NotificationContact.objects.create(district=world.district, name="Ian IT", email="ian@lincoln.example")


@pytest.fixture
def incident(world):
    return Incident.objects.create(district=world.district, kind=Incident.Kind.SYNC_FAILED, detail="500 from /ws/v1")


@pytest.mark.parametrize("page", ["school", "notificationcontact", "incident"])
@pytest.mark.parametrize("role", EVERYONE)
def test_each_page_opens_only_for_those_who_read_a_district(client, world, school, contact, incident, page, role):
    response = login(client, world.users_by_role()[role]).get(f"{ADMIN}/{page}/")
    assert response.status_code == page_status(role, page)


def test_the_school_list_shows_number_grades_and_building(client, world, school):
    school.building = world.north
    school.save()
    page = login(client, world.building_admin).get(f"{ADMIN}/school/").content.decode()
    assert "Lincoln High" in page
    assert "9–12" in page
    assert "North Campus" in page


def test_a_district_admin_puts_a_school_behind_a_building(client, world, school):
    response = login(client, world.district_admin).post(
        f"{ADMIN}/school/{school.pk}/change/", {**school_form(school), "building": world.south.pk, "name": "Renamed"}
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert (school.building, school.name) == (world.south, "Lincoln High")


def test_a_school_cannot_use_another_districts_building(client, world, school):
    login(client, world.superuser)
    response = client.post(f"{ADMIN}/school/{school.pk}/change/", {"building": world.other_building.pk})
    assert "Choose a building of the school&#x27;s own district." in response.content.decode()
    assert School.objects.get(pk=school.pk).building is None


def test_a_district_admin_is_offered_only_their_own_buildings(client, world, school):
    page = login(client, world.district_admin).get(f"{ADMIN}/school/{school.pk}/change/").content.decode()
    assert "North Campus" in page
    assert "Riverside High" not in page


def test_an_it_viewer_cannot_move_a_school(client, world, school):
    response = login(client, world.it_viewer).post(f"{ADMIN}/school/{school.pk}/change/", {"building": world.north.pk})
    assert response.status_code == 403
    assert School.objects.get(pk=school.pk).building is None


def test_a_building_admin_cannot_move_their_school_to_another_building(client, world, school):
    school.building = world.north
    school.save()
    url = f"{ADMIN}/school/{school.pk}/change/"
    response = login(client, world.building_admin).post(url, school_form(school, building=world.south.pk))
    assert response.status_code == 302
    assert School.objects.get(pk=school.pk).building == world.north


def test_schools_are_neither_added_nor_deleted_by_hand(client, world, school):
    login(client, world.superuser)
    assert client.get(f"{ADMIN}/school/add/").status_code == 403
    assert client.post(f"{ADMIN}/school/{school.pk}/delete/", {"post": "yes"}).status_code == 403


def test_another_districts_admin_does_not_see_lincolns_schools_contacts_or_incidents(
    client, world, school, contact, incident
):
    login(client, world.other_admin)
    assert "Lincoln High" not in client.get(f"{ADMIN}/school/").content.decode()
    assert "ian@lincoln.example" not in client.get(f"{ADMIN}/notificationcontact/").content.decode()
    assert client.get(f"{ADMIN}/incident/{incident.pk}/change/").status_code == 302


def contact_form(world, **changes):
    return {"district": world.district.pk, "name": "Nia Night", "email": "nia@lincoln.example", "active": "on",
            "about_sync": "on", **changes}  # fmt: skip


def test_a_district_admin_adds_a_notification_contact(client, world):
    response = login(client, world.district_admin).post(f"{ADMIN}/notificationcontact/add/", contact_form(world))
    assert response.status_code == 302
    added = NotificationContact.objects.get()
    assert (added.about_sync, added.about_writeback) == (True, False)


@pytest.mark.parametrize("role", ["it_viewer", "building_admin"])
def test_only_district_admins_see_and_change_notification_contacts(client, world, contact, role):
    login(client, world.users_by_role()[role])
    assert "ian@lincoln.example" not in client.get(f"{ADMIN}/notificationcontact/").content.decode()
    assert client.post(f"{ADMIN}/notificationcontact/add/", contact_form(world)).status_code == 403
    response = client.post(f"{ADMIN}/notificationcontact/{contact.pk}/change/", contact_form(world, active=""))
    assert response.status_code == 403
    assert NotificationContact.objects.get(pk=contact.pk).active


@pytest.mark.parametrize("role", ["superuser", "district_admin", "it_viewer"])
def test_incidents_are_shown_and_never_edited(client, world, incident, role):
    login(client, world.users_by_role()[role])
    assert "Sync failed" in client.get(f"{ADMIN}/incident/").content.decode()
    assert client.get(f"{ADMIN}/incident/add/").status_code == 403
    assert client.post(f"{ADMIN}/incident/{incident.pk}/change/", {"detail": "edited"}).status_code == 403
    assert client.post(f"{ADMIN}/incident/{incident.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Incident.objects.get(pk=incident.pk).detail == "500 from /ws/v1"


def school_form(school, **overrides):
    data = {
        "building": "",
        "writeback_enabled": "on",
        "attendance_mode": "",
        "checkout_policy": "remaining",
    }
    return {key: value for key, value in {**data, **overrides}.items() if value is not None}


def test_a_district_admin_sets_a_schools_attendance_mode(client, world, school):
    url = f"{ADMIN}/school/{school.pk}/change/"
    response = login(client, world.district_admin).post(url, school_form(school, attendance_mode="meeting"))
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.effective_attendance_mode == "meeting"


def test_a_blank_mode_follows_the_district_default(client, world, school):
    world.district.default_attendance_mode = "time"
    world.district.save()
    page = login(client, world.district_admin).get(f"{ADMIN}/school/{school.pk}/change/").content.decode()
    assert "Write-back on, Time mode" in page


def test_when_the_district_prevents_overrides_the_school_settings_cannot_be_changed(client, world, school):
    world.district.prevent_school_overrides = True
    world.district.save()
    school.writeback_enabled, school.attendance_mode = False, "meeting"
    school.save()
    url = f"{ADMIN}/school/{school.pk}/change/"
    login(client, world.district_admin).post(url, school_form(school, attendance_mode="time", writeback_enabled=None))
    school.refresh_from_db()
    assert (school.writeback_enabled, school.attendance_mode) == (False, "meeting")
    assert school.effective_attendance_mode == "daily" and school.effective_writeback_enabled
    assert "from the district&#x27;s settings (overrides prevented)" in client.get(url).content.decode()
