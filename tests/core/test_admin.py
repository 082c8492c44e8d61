import pytest

from raptorlink.models import PowerSchoolConnection
from tests.world import PASSWORD

CHANGE_URL = "/admin/raptorlink/powerschoolconnection/{}/change/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_data(world, **overrides):
    data = {
        "district": world.district.pk,
        "base_url": "https://lincoln.powerschool.com",
        "client_id": world.connection.client_id,
        "client_secret": "",
    }
    return {**data, **overrides}


def test_the_change_form_never_shows_the_stored_secret(client, world):
    page = login(client, world.district_admin).get(CHANGE_URL.format(world.connection.pk)).content.decode()
    assert "s3cr3t" not in page
    assert 'name="client_secret"' in page


def test_the_read_only_view_never_shows_the_secret(client, world):
    page = login(client, world.it_viewer).get(CHANGE_URL.format(world.connection.pk))
    assert page.status_code == 200
    assert "s3cr3t" not in page.content.decode()
    assert 'name="client_secret"' not in page.content.decode()


def test_a_blank_secret_keeps_the_stored_one(client, world):
    response = login(client, world.district_admin).post(CHANGE_URL.format(world.connection.pk), form_data(world))
    assert response.status_code == 302
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).client_secret == "s3cr3t-lincoln-client-secret"


def test_a_new_secret_replaces_the_old_one_and_drops_the_cached_token(client, world):
    world.connection.store_token("old-token", 3600)
    response = login(client, world.district_admin).post(
        CHANGE_URL.format(world.connection.pk), form_data(world, client_secret="brand-new-secret")
    )
    assert response.status_code == 302
    connection = PowerSchoolConnection.objects.get(pk=world.connection.pk)
    assert connection.client_secret == "brand-new-secret"
    assert connection.usable_token() is None


def test_a_trailing_slash_is_refused_with_the_fix(client, world):
    response = login(client, world.district_admin).post(
        CHANGE_URL.format(world.connection.pk), form_data(world, base_url="https://lincoln.powerschool.com/")
    )
    assert response.status_code == 200
    assert "Remove the trailing slash: use https://lincoln.powerschool.com" in response.content.decode()


def test_a_new_connection_requires_a_secret(client, world):
    world.connection.delete()
    response = login(client, world.district_admin).post(
        "/admin/raptorlink/powerschoolconnection/add/", form_data(world)
    )
    assert "Enter the client secret" in response.content.decode()


@pytest.mark.parametrize("role", ["outsider", "other_admin"])
def test_people_outside_the_district_cannot_open_its_connection(client, world, role):
    user = world.users_by_role()[role]
    response = login(client, user).get(CHANGE_URL.format(world.connection.pk))
    assert response.status_code in (302, 403, 404)
    assert "lincoln.powerschool.com" not in response.content.decode()


def test_the_it_viewer_cannot_change_the_connection(client, world):
    response = login(client, world.it_viewer).post(
        CHANGE_URL.format(world.connection.pk), form_data(world, client_secret="hijack")
    )
    assert response.status_code == 403
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).client_secret == "s3cr3t-lincoln-client-secret"


def test_another_districts_admin_sees_only_their_own_buildings(client, world):
    page = login(client, world.other_admin).get("/admin/raptorlink/building/").content.decode()
    assert "Riverside High" in page
    assert "North Campus" not in page


def test_a_building_role_needs_buildings_of_its_own_district(client, world):
    response = login(client, world.superuser).post(
        "/admin/raptorlink/membership/add/",
        {"user": world.outsider.pk, "district": world.district.pk, "role": "front_desk", "buildings": []},
    )
    assert "Choose at least one building for a Front desk" in response.content.decode()


def test_a_district_role_covers_the_whole_district(client, world):
    response = login(client, world.superuser).post(
        "/admin/raptorlink/membership/add/",
        {"user": world.outsider.pk, "district": world.district.pk, "role": "it_viewer", "buildings": [world.north.pk]},
    )
    assert "covers the whole district" in response.content.decode()


def test_every_admin_page_of_the_core_opens_for_the_superuser(client, world):
    login(client, world.superuser)
    for url in [
        "/admin/",
        "/admin/raptorlink/district/",
        "/admin/raptorlink/building/",
        "/admin/raptorlink/membership/",
        "/admin/raptorlink/powerschoolconnection/",
        f"/admin/raptorlink/district/{world.district.pk}/change/",
        f"/admin/raptorlink/building/{world.north.pk}/change/",
        CHANGE_URL.format(world.connection.pk),
    ]:
        assert client.get(url).status_code == 200, url
