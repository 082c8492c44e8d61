"""Who sees what on the dashboard: each role's sections and numbers, the district picker, and empty districts."""

import pytest
from django.urls import reverse

from raptorlink.models import District, Incident
from tests.console.conftest import dashboard_of
from tests.console.events import add_event, add_run, add_unrecorded, add_written, at, local
from writeback.models import Intent

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(world, campus):
    add_event(campus.ada, local("08:05"))
    add_event(campus.cleo, local("08:15"))
    add_event(campus.cleo, local("08:20"))
    add_unrecorded(world.south)
    add_written(campus.ada, at(hours_ago=1), seconds=2)
    add_written(campus.cleo, at(hours_ago=1), status=Intent.Status.FAILED)
    add_written(campus.ruth, at(hours_ago=1), status=Intent.Status.FAILED)
    add_run(world.district, at(hours_ago=1))
    Incident.objects.create(district=world.district, kind=Incident.Kind.WRITEBACK_FAILURES, detail="3 in a row.")
    return campus


def test_a_district_admin_sees_every_section_for_the_whole_district(client, world, busy):
    dashboard, html = dashboard_of(client, world.district_admin)

    assert [row.building for row in dashboard["buildings"]] == [world.north, world.south]
    assert dashboard["open"]["failed"] == 1
    assert {"entities", "incidents", "sign_ins_chart"} <= set(dashboard)
    assert "Today's sign-ins" in html
    assert "3 in a row." in html


def test_the_open_incidents_link_leads_to_the_districts_open_incidents(client, world, busy):
    _, html = dashboard_of(client, world.it_viewer)

    url = f"/admin/raptorlink/incident/?district__id__exact={world.district.pk}&closed_at__isempty=1"
    assert f'href="{url.replace("&", "&amp;")}"' in html
    listing = client.get(url)
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == list(Incident.objects.filter(district=world.district))


def test_a_building_admin_sees_only_their_buildings_numbers(client, world, busy):
    dashboard, html = dashboard_of(client, world.building_admin)

    assert [row.building for row in dashboard["buildings"]] == [world.north]
    assert dashboard["sign_in_total"] == 1
    assert dashboard["unrecorded_total"] == 0
    assert dashboard["open"]["failed"] == 0
    assert dashboard["health"][0]["window"].succeeded == 1
    assert "South Campus" not in html


def test_a_building_admin_sees_neither_sync_runs_nor_incidents(client, world, busy):
    dashboard, html = dashboard_of(client, world.building_admin)

    assert "entities" not in dashboard
    assert "incidents" not in dashboard
    assert "3 in a row." not in html
    assert reverse("admin:sis_sync_syncrun_changelist") not in html


def test_an_it_viewer_sees_sync_and_write_back_but_no_sign_ins(client, world, busy):
    dashboard, html = dashboard_of(client, world.it_viewer)

    assert "buildings" not in dashboard
    assert "Today's sign-ins" not in html
    assert "unrecorded sign-in" not in html
    assert reverse("admin:kiosk_kioskdevice_changelist") not in html
    assert dashboard["open"]["failed"] == 1
    assert [row["sync"].entity for row in dashboard["entities"]][:1] == ["schools"]
    assert "3 in a row." in html


def test_front_desk_staff_and_outsiders_are_sent_to_the_login_page(client, world):
    for user in (world.front_desk, world.outsider):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_another_districts_admin_sees_only_their_district_and_no_picker(client, world, busy):
    dashboard, html = dashboard_of(client, world.other_admin)

    assert dashboard["district"] == world.other_district
    assert dashboard["districts"] == []
    assert dashboard["open"]["failed"] == 1
    assert "Lincoln" not in html


def test_a_district_the_user_cannot_see_is_refused_with_a_notice(client, world, busy):
    dashboard, html = dashboard_of(client, world.other_admin, district=world.district.pk)

    assert dashboard["district"] == world.other_district
    assert "That district is not one you can see" in html
    assert "North Campus" not in html


def test_a_district_id_that_is_not_a_number_gets_the_same_notice(client, world):
    dashboard, html = dashboard_of(client, world.district_admin, district="lincoln'--")

    assert dashboard["district"] == world.district
    assert "That district is not one you can see" in html


def test_a_superuser_picks_among_all_districts(client, world, busy):
    dashboard, html = dashboard_of(client, world.superuser, district=world.other_district.pk)

    assert dashboard["district"] == world.other_district
    assert dashboard["districts"] == [world.district, world.other_district]
    assert f'<option value="{world.other_district.pk}" selected>' in html


def test_an_empty_district_explains_each_section_instead_of_showing_zeros_alone(client, world, frozen):
    dashboard, html = dashboard_of(client, world.other_admin)

    assert "No sign-ins yet today." in html
    assert "No write-backs finished in the last 7 days." in html
    assert "PowerSchool has not been synced yet." in html
    assert all(row["age"] == "never" and row["sync"].problem == "stale" for row in dashboard["entities"])
    assert dashboard["health"][0]["p50"] == "—"


def test_a_district_without_buildings_says_where_to_add_them(client, world, frozen):
    world.other_building.delete()

    _, html = dashboard_of(client, world.other_admin)

    assert "No buildings to show yet." in html


def test_the_models_list_stays_below_the_dashboard_under_all_settings(client, world, frozen):
    _, html = dashboard_of(client, world.district_admin)

    assert html.index('id="dashboard"') < html.index('id="all-settings"') < html.index('class="app-writeback')
    assert 'href="#all-settings"' in html


def test_the_powerschool_setup_link_names_the_district(client, world, frozen):
    _, html = dashboard_of(client, world.district_admin)

    assert "PowerSchool Setup" in html
    assert f'href="{reverse("admin:powerschool_setup", args=[world.district.pk])}"' in html


def test_a_superuser_without_any_district_gets_the_settings_list_alone(client, world):
    District.objects.all().delete()

    client.force_login(world.superuser)
    response = client.get("/admin/")

    assert response.status_code == 200
    assert response.context["dashboard"] is None
    assert 'id="all-settings"' in response.content.decode()
