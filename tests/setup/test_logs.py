"""The Writeback Logs tab: links to the district's write-back log and sync runs, for those who may read them."""

import pytest

from tests.setup.conftest import login, setup_url
from tests.writeback.log_rows import add_intent, log_world

pytestmark = pytest.mark.django_db


def logs_page(client, user, district):
    response = login(client, user).get(setup_url(district, "logs/"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_district_admin_gets_the_log_of_the_district_its_failures_each_building_and_the_sync_runs(client, world):
    page = logs_page(client, world.district_admin, world.district)

    district = world.district.pk
    assert f'href="/admin/writeback/intent/log/?district={district}"' in page
    assert f'href="/admin/writeback/intent/log/?district={district}&amp;status=failed"' in page
    assert f"?district={district}&amp;building={world.north.pk}" in page
    assert f"?district={district}&amp;building={world.south.pk}" in page
    assert f'href="/admin/sis_sync/syncrun/?district__id__exact={district}"' in page


def test_a_building_admin_gets_only_their_buildings_and_no_sync_runs(client, world):
    page = logs_page(client, world.building_admin, world.district)

    assert f"building={world.north.pk}" in page and f"building={world.south.pk}" not in page
    assert "syncrun" not in page


def test_an_it_viewer_gets_the_log_and_the_sync_runs(client, world):
    page = logs_page(client, world.it_viewer, world.district)

    assert "/admin/writeback/intent/log/" in page and "/admin/sis_sync/syncrun/" in page


def test_the_linked_pages_open_for_the_district_admin(client, world):
    login(client, world.district_admin)

    for url in ("/admin/writeback/intent/log/", f"/admin/sis_sync/syncrun/?district__id__exact={world.district.pk}"):
        assert client.get(url).status_code == 200, url


def test_the_district_link_opens_the_log_with_only_that_districts_write_backs(client, world):
    rows = log_world(world)
    add_intent(rows.ada)
    add_intent(rows.ruth)
    login(client, world.superuser)

    page = client.get(setup_url(world.district, "logs/")).content.decode()
    link = f"/admin/writeback/intent/log/?district={world.district.pk}"
    log = client.get(link).content.decode()

    assert f'href="{link}"' in page
    assert "Lovelace" in log and "Ruth" not in log
