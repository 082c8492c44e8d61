"""A district admin adds and edits their district's accounts without a platform operator; superusers keep
Django's full user page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from raptorlink.models import Membership, Role
from tests.roles.conftest import login
from tests.world import PASSWORD, make_user

USERS = "/admin/auth/user"
NEW_PASSWORD = "a-long-new-desk-password-42"


def new_account(world, **changes):
    data = {
        "username": "sue.secretary",
        "first_name": "Sue",
        "last_name": "Secretary",
        "email": "sue@lincoln.example",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "district": world.district.pk,
        "role": Role.FRONT_DESK,
        "buildings": [world.south.pk],
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def test_a_district_admin_adds_a_front_desk_secretary_who_can_then_use_the_desk(client, world):
    response = login(client, world.district_admin).post(f"{USERS}/add/", new_account(world))
    assert response.status_code == 302
    sue = get_user_model().objects.get(username="sue.secretary")
    membership = sue.memberships.get()
    assert (membership.district, membership.role, list(membership.buildings.all())) == (
        world.district,
        Role.FRONT_DESK,
        [world.south],
    )
    assert not (sue.is_superuser or sue.is_staff)
    desk = Client()
    assert desk.login(username="sue.secretary", password=NEW_PASSWORD)
    assert desk.get(f"/desk/{world.south.pk}/").status_code == 200
    assert desk.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"buildings": None}, "Choose at least one building for a Front desk"),
        ({"role": Role.IT_VIEWER}, "covers the whole district"),
        ({"district": "other"}, "Select a valid choice"),
        ({"buildings": "other"}, "Select a valid choice"),
        ({"password2": "something-else-entirely"}, "The two password fields didn"),
    ],
)
def test_a_new_account_with_a_wrong_role_or_password_is_refused_plainly(client, world, changes, message):
    others = {"district": world.other_district.pk, "buildings": [world.other_building.pk]}
    changes = {key: others[key] if value == "other" else value for key, value in changes.items()}
    response = login(client, world.district_admin).post(f"{USERS}/add/", new_account(world, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="sue.secretary").exists()


def test_a_district_admin_sees_their_districts_accounts_only(client, world):
    page = login(client, world.district_admin).get(f"{USERS}/").content.decode()
    assert "frank.desk" in page and "bo.building" in page
    for hidden in ("rita.riverside", "platform", "olive.outsider"):
        assert hidden not in page


def test_an_account_that_also_belongs_to_another_district_is_not_theirs_to_edit(client, world):
    Membership.objects.create(user=world.it_viewer, district=world.other_district, role=Role.IT_VIEWER)
    login(client, world.district_admin)
    assert "ivy.it" not in client.get(f"{USERS}/").content.decode()
    assert client.get(f"{USERS}/{world.it_viewer.pk}/change/").status_code == 302


def test_the_district_admins_page_has_no_superuser_staff_or_permission_fields(client, world):
    url = f"{USERS}/{world.front_desk.pk}/change/"
    login(client, world.district_admin)
    page = client.get(url).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{field}"' not in page
    data = {"username": "frank.desk", "email": "frank@lincoln.example", "is_active": "on", "is_superuser": "on"}
    assert client.post(url, {**data, "is_staff": "on"}).status_code == 302
    world.front_desk.refresh_from_db()
    assert world.front_desk.email == "frank@lincoln.example"
    assert not (world.front_desk.is_superuser or world.front_desk.is_staff)


def test_a_district_admin_sets_a_password_through_djangos_form(client, world):
    login(client, world.district_admin)
    url = f"{USERS}/{world.front_desk.pk}/password/"
    response = client.post(url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert Client().login(username="frank.desk", password=NEW_PASSWORD)


def test_another_districts_admin_cannot_set_a_lincoln_password(client, world):
    url = f"{USERS}/{world.front_desk.pk}/password/"
    response = login(client, world.other_admin).post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 404
    assert not Client().login(username="frank.desk", password=NEW_PASSWORD)


def test_nobody_but_a_superuser_deletes_an_account(client, world):
    login(client, world.district_admin)
    assert client.post(f"{USERS}/{world.front_desk.pk}/delete/", {"post": "yes"}).status_code == 403
    assert get_user_model().objects.filter(pk=world.front_desk.pk).exists()


def test_a_superuser_keeps_djangos_full_user_page(client, world):
    page = login(client, world.superuser).get(f"{USERS}/{world.front_desk.pk}/change/").content.decode()
    assert 'name="is_superuser"' in page and 'name="user_permissions"' in page


def test_roles_go_to_the_districts_own_accounts_only(client, world):
    newcomer = make_user("nina.new", staff=False)
    login(client, world.district_admin)
    for user, accepted in [(newcomer, False), (world.other_admin, False), (world.superuser, False)]:
        data = {"user": user.pk, "district": world.district.pk, "role": Role.IT_VIEWER}
        response = client.post("/admin/raptorlink/membership/add/", data)
        assert (response.status_code == 302) is accepted, user
    assert not world.other_admin.memberships.filter(district=world.district).exists()


def test_a_district_admin_cannot_take_an_account_that_has_no_role_anywhere(client, world):
    stray = make_user("stray.account")
    assert client.login(username=world.district_admin.username, password=PASSWORD)

    form = client.get("/admin/raptorlink/membership/add/").content.decode()
    response = client.post(
        "/admin/raptorlink/membership/add/", {"user": stray.pk, "district": world.district.pk, "role": "it_viewer"}
    )

    assert "stray.account" not in form
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not stray.memberships.exists()
    assert client.get(f"/admin/auth/user/{stray.pk}/password/").status_code in (302, 403, 404)
