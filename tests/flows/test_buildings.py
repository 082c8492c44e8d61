"""A building's page in the console: its school day, kiosk options and the PowerSchool schools it houses."""

import pytest

from raptorlink.models import Building, School
from tests.kiosk.synced import add_school
from tests.world import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def change_url(building):
    return f"/admin/raptorlink/building/{building.pk}/change/"


def building_form(building, **overrides):
    """What the building's page posts: its fields and a row per school it houses, as they are now."""
    schools = list(building.schools.order_by("number"))
    data = {
        "district": building.district_id,
        "name": building.name,
        "time_zone": building.time_zone,
        "day_start": "",
        "day_end": "",
        "tardy_cutoff": "",
        "self_serve_grades": "",
        "kiosk_networks": building.kiosk_networks,
        "schools": [school.pk for school in schools],
        "schools-TOTAL_FORMS": str(len(schools)),
        "schools-INITIAL_FORMS": str(len(schools)),
    }
    for index, school in enumerate(schools):
        data[f"schools-{index}-id"] = school.pk
        data[f"schools-{index}-building"] = building.pk
        data[f"schools-{index}-attendance_mode"] = school.attendance_mode
        if school.writeback_enabled:
            data[f"schools-{index}-writeback_enabled"] = "on"
    return {**data, **overrides}


def errors_of(response):
    assert response.status_code == 200, "the form was expected to be refused"
    return response.context["adminform"].form.errors


@pytest.fixture
def schools(world):
    high = add_school(world.district, world.north, 101, "North High")
    high.low_grade, high.high_grade = 9, 12
    high.save()
    return {
        "high": high,
        "middle": add_school(world.district, world.south, 201, "South Middle"),
        "annex": add_school(world.district, None, 301, "Adult Annex"),
        "riverside": add_school(world.other_district, None, 401, "Riverside High"),
    }


# --- the school day and the kiosk options ----------------------------------------------------------------


def test_a_district_admin_sets_the_school_day_and_the_grades_that_self_serve(client, world, schools):
    login(client, world.district_admin)
    data = building_form(
        world.north, day_start="07:45", day_end="14:50", tardy_cutoff="07:55", self_serve_grades="9-12, K"
    )
    assert client.post(change_url(world.north), data).status_code == 302
    north = Building.objects.get(pk=world.north.pk)
    assert (f"{north.day_start:%H:%M}", f"{north.day_end:%H:%M}", f"{north.tardy_cutoff:%H:%M}") == (
        "07:45",
        "14:50",
        "07:55",
    )
    assert north.self_serve_grades == [0, 9, 10, 11, 12]
    page = client.get(change_url(world.north)).content.decode()
    assert 'value="K, 9-12"' in page


def test_grades_are_stored_as_grade_levels_that_queries_can_use(client, world, schools):
    login(client, world.district_admin)
    client.post(change_url(world.north), building_form(world.north, self_serve_grades="PK, 6,7;8"))
    grades = Building.objects.get(pk=world.north.pk).self_serve_grades
    assert grades == [-1, 6, 7, 8]


def test_each_mistake_in_the_grades_gets_its_own_message_and_nothing_is_saved(client, world, schools):
    login(client, world.district_admin)
    response = client.post(change_url(world.north), building_form(world.north, self_serve_grades="13, 12-9, 9-, X"))
    assert errors_of(response)["self_serve_grades"] == [
        "“13” is not a grade; use PK, K or 1 to 12, e.g. 9-12 or K,1,2.",
        "“12-9” runs backwards; write the lower grade first, e.g. 9-12.",
        "“9-” is not a grade or a range of grades; use PK, K or 1 to 12, e.g. 9-12 or K,1,2.",
        "“X” is not a grade; use PK, K or 1 to 12, e.g. 9-12 or K,1,2.",
    ]
    assert Building.objects.get(pk=world.north.pk).self_serve_grades == []


@pytest.mark.parametrize(
    ("times", "field", "message"),
    [
        ({"day_start": "15:00", "day_end": "08:00"}, "day_end", "The school day must end after it starts."),
        ({"day_start": "08:00", "day_end": "08:00"}, "day_end", "The school day must end after it starts."),
        (
            {"day_start": "08:00", "day_end": "15:00", "tardy_cutoff": "07:30"},
            "tardy_cutoff",
            "The tardy cut-off must be within the school day, not before it.",
        ),
        (
            {"day_start": "08:00", "day_end": "15:00", "tardy_cutoff": "15:30"},
            "tardy_cutoff",
            "The tardy cut-off must be within the school day, before it ends.",
        ),
        ({"day_start": "8 o'clock"}, "day_start", "Enter a valid time."),
    ],
)
def test_school_day_times_that_do_not_fit_are_refused_with_a_message(client, world, schools, times, field, message):
    login(client, world.district_admin)
    response = client.post(change_url(world.north), building_form(world.north, **times))
    assert errors_of(response)[field] == [message]
    assert Building.objects.get(pk=world.north.pk).day_start is None


def test_the_building_list_shows_the_school_day_and_the_grades_at_kiosks(client, world, schools):
    Building.objects.filter(pk=world.north.pk).update(
        day_start="07:45", day_end="14:50", self_serve_grades=[9, 10, 11, 12]
    )
    page = login(client, world.district_admin).get("/admin/raptorlink/building/").content.decode()
    assert "07:45–14:50" in page and "9-12" in page and "All" in page


# --- the schools a building houses -----------------------------------------------------------------------


def test_the_page_lists_the_buildings_schools_with_their_write_back_settings(client, world, schools):
    page = login(client, world.district_admin).get(change_url(world.north)).content.decode()
    assert "PowerSchool schools in this building" in page
    assert "North High" in page and "9–12" in page
    assert 'name="schools-0-writeback_enabled"' in page and 'name="schools-0-attendance_mode"' in page


def test_a_district_admin_chooses_the_schools_a_building_houses(client, world, schools):
    login(client, world.district_admin)
    chosen = [schools["high"].pk, schools["annex"].pk, schools["middle"].pk]
    assert client.post(change_url(world.north), building_form(world.north, schools=chosen)).status_code == 302
    assert set(world.north.schools.values_list("name", flat=True)) == {"North High", "Adult Annex", "South Middle"}
    assert not world.south.schools.exists()


def test_a_school_left_out_no_longer_has_a_building(client, world, schools):
    login(client, world.district_admin)
    client.post(change_url(world.north), building_form(world.north, schools=[]))
    assert School.objects.get(pk=schools["high"].pk).building is None


def test_a_district_admin_turns_a_schools_write_back_off_on_the_buildings_page(client, world, schools):
    login(client, world.district_admin)
    data = building_form(world.north, **{"schools-0-attendance_mode": "time"})
    del data["schools-0-writeback_enabled"]
    assert client.post(change_url(world.north), data).status_code == 302
    high = School.objects.get(pk=schools["high"].pk)
    assert (high.writeback_enabled, high.attendance_mode) == (False, "time")


def test_the_school_choices_hold_only_the_districts_schools(client, world, schools):
    login(client, world.district_admin)
    page = client.get(change_url(world.north)).content.decode()
    assert "Adult Annex" in page and "Riverside High" not in page
    data = building_form(world.north, schools=[schools["high"].pk, schools["riverside"].pk])
    assert "schools" in errors_of(client.post(change_url(world.north), data))
    assert School.objects.get(pk=schools["riverside"].pk).building is None


def test_even_a_superuser_cannot_put_another_districts_school_in_a_building(client, world, schools):
    login(client, world.superuser)
    data = building_form(world.north, schools=[schools["riverside"].pk])
    message = "Not schools of Lincoln County Schools: Riverside High. Choose schools of the building's district."
    assert errors_of(client.post(change_url(world.north), data))["schools"] == [message]


# --- building admins -------------------------------------------------------------------------------------


def test_a_building_admin_changes_their_buildings_day_cut_off_and_kiosk_options(client, world, schools):
    login(client, world.building_admin)
    data = building_form(
        world.north, day_start="08:00", day_end="15:00", tardy_cutoff="08:10", self_serve_grades="11-12"
    )
    data["self_serve_check_out"] = "on"
    assert client.post(change_url(world.north), data).status_code == 302
    north = Building.objects.get(pk=world.north.pk)
    assert (f"{north.tardy_cutoff:%H:%M}", north.self_serve_grades, north.self_serve_check_out) == (
        "08:10",
        [11, 12],
        True,
    )


def test_a_building_admin_cannot_change_name_zone_allowlist_or_schools(client, world, schools):
    login(client, world.building_admin)
    page = client.get(change_url(world.north)).content.decode()
    for field in ("name", "time_zone", "kiosk_networks", "district", "schools"):
        assert f'name="{field}"' not in page
    assert 'name="day_start"' in page and "North High" in page
    forged = building_form(
        world.north,
        name="Renamed",
        time_zone="Europe/Paris",
        kiosk_networks="0.0.0.0/0",
        schools=[schools["annex"].pk],
    )
    client.post(change_url(world.north), forged)
    north = Building.objects.get(pk=world.north.pk)
    assert (north.name, north.time_zone, north.kiosk_networks) == ("North Campus", "America/Chicago", "")
    assert list(north.schools.all()) == [schools["high"]]


def test_a_building_admin_sees_and_changes_only_their_own_buildings(client, world, schools):
    login(client, world.building_admin)
    listing = client.get("/admin/raptorlink/building/").content.decode()
    assert "North Campus" in listing and "South Campus" not in listing
    assert client.get(change_url(world.south)).status_code == 302
    client.post(change_url(world.south), building_form(world.south, tardy_cutoff="09:00"))
    assert Building.objects.get(pk=world.south.pk).tardy_cutoff is None


def test_a_building_admin_cannot_add_or_delete_buildings(client, world):
    login(client, world.building_admin)
    assert client.get("/admin/raptorlink/building/add/").status_code == 403
    assert client.post(f"/admin/raptorlink/building/{world.north.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Building.objects.filter(pk=world.north.pk).exists()


def test_a_district_admin_adds_a_building_with_its_schools(client, world, schools):
    login(client, world.district_admin)
    data = {
        "district": world.district.pk,
        "name": "West Annex",
        "time_zone": "America/Chicago",
        "day_start": "09:00",
        "day_end": "13:00",
        "self_serve_grades": "",
        "kiosk_networks": "",
        "schools": [schools["annex"].pk],
    }
    assert client.post("/admin/raptorlink/building/add/", data).status_code == 302
    west = Building.objects.get(name="West Annex")
    assert list(west.schools.all()) == [schools["annex"]]


def test_a_building_admin_sets_their_schools_write_back_while_the_district_allows_overrides(client, world, schools):
    login(client, world.building_admin)
    data = building_form(world.north, **{"schools-0-attendance_mode": "meeting"})
    assert client.post(change_url(world.north), data).status_code == 302
    assert School.objects.get(pk=schools["high"].pk).attendance_mode == "meeting"


def test_nobody_sets_a_schools_write_back_on_the_building_page_while_the_district_prevents_overrides(
    client, world, schools
):
    world.district.prevent_school_overrides = True
    world.district.save()
    for user in (world.building_admin, world.district_admin):
        login(client, user)
        assert 'name="schools-0-attendance_mode"' not in client.get(change_url(world.north)).content.decode()
        client.post(change_url(world.north), building_form(world.north, **{"schools-0-attendance_mode": "time"}))
    assert School.objects.get(pk=schools["high"].pk).attendance_mode == ""
