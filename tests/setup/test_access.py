"""Who reaches which PowerSchool Setup tab: the same matrix for every page (tests/world.py's users)."""

import pytest

from raptorlink.models import Building, District, Membership, Role
from tests.setup.conftest import login, setup_url

pytestmark = pytest.mark.django_db

TABS = ["", "plugin/", "plugin.xml", "schools/", "logs/"]
# 200: the page; 302 from "": sent on to a tab they may see; 403: in their district but not for their role;
# 404: not their district; "login": no console role at all.
EXPECTED = {
    "superuser": {"": 200, "plugin/": 200, "plugin.xml": 200, "schools/": 200, "logs/": 200},
    "district_admin": {"": 200, "plugin/": 200, "plugin.xml": 200, "schools/": 200, "logs/": 200},
    "it_viewer": {"": 200, "plugin/": 200, "plugin.xml": 200, "schools/": 403, "logs/": 200},
    "building_admin": {"": 302, "plugin/": 403, "plugin.xml": 403, "schools/": 200, "logs/": 200},
    "other_admin": dict.fromkeys(TABS, 404),
    "front_desk": dict.fromkeys(TABS, "login"),
    "outsider": dict.fromkeys(TABS, "login"),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_reaches_exactly_its_tabs(client, world, role):
    login(client, world.users_by_role()[role])

    answers = {}
    for tab in TABS:
        response = client.get(setup_url(world.district, tab))
        is_login = response.status_code == 302 and response["Location"].startswith("/admin/login/")
        answers[tab] = "login" if is_login else response.status_code

    assert answers == EXPECTED[role]


def test_an_unknown_district_is_not_found(client, world):
    assert login(client, world.superuser).get("/admin/powerschool-setup/9999/").status_code == 404


def test_the_index_takes_a_one_district_user_straight_to_their_district(client, world):
    response = login(client, world.district_admin).get("/admin/powerschool-setup/")

    assert response.status_code == 302 and response["Location"] == setup_url(world.district)


def test_the_index_lists_the_districts_of_a_user_in_several(client, world):
    Membership.objects.create(user=world.district_admin, district=world.other_district, role=Role.IT_VIEWER)

    page = login(client, world.district_admin).get("/admin/powerschool-setup/").content.decode()

    assert "Lincoln County Schools" in page and "Riverside Unified" in page


def test_a_building_admin_is_listed_only_the_district_of_their_buildings(client, world):
    third = District.objects.create(name="Third District", slug="third")
    Building.objects.create(district=third, name="Third High")

    response = login(client, world.building_admin).get("/admin/powerschool-setup/")

    assert response["Location"] == setup_url(world.district)


def test_the_connection_list_links_each_district_to_its_setup(client, world):
    page = login(client, world.district_admin).get("/admin/raptorlink/powerschoolconnection/").content.decode()

    assert f'href="{setup_url(world.district)}"' in page
