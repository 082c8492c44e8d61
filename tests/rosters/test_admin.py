import pytest

from sis_sync.models import RosterSource
from tests.world import PASSWORD

PAGE = "/admin/sis_sync/rostersource/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def settings_rows(world):
    return (
        RosterSource.objects.create(district=world.district, owner="clever"),
        RosterSource.objects.create(district=world.other_district, owner="oneroster"),
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("superuser", 200), ("district_admin", 200), ("building_admin", 403), ("it_viewer", 403), ("outsider", 302)],
)
def test_only_district_admins_open_the_roster_source_settings(client, world, settings_rows, role, status):
    response = login(client, world.users_by_role()[role]).get(PAGE)

    assert response.status_code == status


def test_a_district_admin_sees_and_changes_only_their_districts_roster_source(client, world, settings_rows):
    lincoln, riverside = settings_rows
    login(client, world.district_admin)

    listing = client.get(PAGE).content.decode()
    assert "Lincoln County Schools" in listing and "Riverside Unified" not in listing
    assert client.get(f"{PAGE}{riverside.pk}/change/").status_code in (302, 403, 404)

    response = client.post(
        f"{PAGE}{lincoln.pk}/change/",
        {"owner": "oneroster", "identifier_field": "student_number", "identifier_rule": "id"},
    )

    assert response.status_code == 302
    lincoln.refresh_from_db()
    assert (lincoln.owner, lincoln.identifier_field, lincoln.identifier_rule) == ("oneroster", "student_number", "id")


def test_nobody_deletes_a_districts_roster_source(client, world, settings_rows):
    lincoln, _ = settings_rows

    response = login(client, world.district_admin).post(f"{PAGE}{lincoln.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert RosterSource.objects.filter(pk=lincoln.pk).exists()
