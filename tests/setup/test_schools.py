"""School Building Setup: every school of the district in one form with one Save, and the district's switch.

District admins set every school; building admins see only their buildings' schools and change them only while the
district allows overrides; write-back cannot be on without an attendance mode.
"""

import pytest

from raptorlink.models import AttendanceMode, District, School
from tests.setup.conftest import login, setup_url

pytestmark = pytest.mark.django_db


def school_rows(schools, changes=None):
    """The POST data of the school rows as shown, with `changes` ({school: {field: value}}) applied; a blank value
    is left out, as a browser leaves out an unticked box."""
    data = {"schools-TOTAL_FORMS": len(schools), "schools-INITIAL_FORMS": len(schools)}
    for index, school in enumerate(schools):
        row = {
            "id": school.pk,
            "writeback_enabled": "on" if school.writeback_enabled else "",
            "attendance_mode": school.attendance_mode or school.district.default_attendance_mode,
            "checkout_policy": school.checkout_policy,
            **(changes or {}).get(school, {}),
        }
        data.update({f"schools-{index}-{name}": value for name, value in row.items() if value != ""})
    return data


def district_schools(world, schools):
    return [schools[name] for name in ("north_high", "north_middle", "south_elementary")]


def test_a_district_admin_sees_every_school_of_the_district_and_none_of_another(client, world, schools):
    page = login(client, world.district_admin).get(setup_url(world.district, "schools/")).content.decode()

    assert "North High" in page and "North Middle" in page and "South Elementary" in page
    assert "Riverside High" not in page
    assert 'name="district-prevent_school_overrides"' in page


def test_a_district_admin_sets_every_school_with_one_save(client, world, schools):
    north_high, north_middle, south = district_schools(world, schools)
    data = school_rows(
        [north_high, north_middle, south],
        {
            north_high: {"checkout_policy": "current"},
            north_middle: {"writeback_enabled": "on", "attendance_mode": AttendanceMode.DAILY},
            south: {"writeback_enabled": ""},
        },
    )

    response = login(client, world.district_admin).post(setup_url(world.district, "schools/"), data, follow=True)

    assert "Saved North High, North Middle, South Elementary." in response.content.decode()
    assert School.objects.get(pk=north_high.pk).checkout_policy == "current"
    middle = School.objects.get(pk=north_middle.pk)
    assert middle.writeback_enabled and middle.attendance_mode == AttendanceMode.DAILY
    assert not School.objects.get(pk=south.pk).writeback_enabled


def test_turning_write_back_on_without_an_attendance_mode_is_refused_with_a_message(client, world, schools):
    north_high, north_middle, south = district_schools(world, schools)
    data = school_rows(
        [north_high, north_middle, south],
        {
            north_middle: {"writeback_enabled": "on", "attendance_mode": ""},
            north_high: {"checkout_policy": "current"},
        },
    )
    data.pop("schools-1-attendance_mode", None)

    response = login(client, world.district_admin).post(setup_url(world.district, "schools/"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose an attendance mode for North Middle: write-back cannot be on without one." in page
    assert "Nothing was saved" in page
    assert not School.objects.get(pk=north_middle.pk).writeback_enabled
    assert School.objects.get(pk=north_high.pk).checkout_policy == "remaining"


def test_a_school_that_is_off_may_be_left_without_a_mode(client, world, schools):
    north_high, north_middle, south = district_schools(world, schools)
    data = school_rows([north_high, north_middle, south], {north_middle: {"attendance_mode": ""}})

    response = login(client, world.district_admin).post(setup_url(world.district, "schools/"), data)

    assert response.status_code == 302


def test_a_blank_mode_is_shown_as_the_district_default_in_effect(client, world, schools):
    page = login(client, world.district_admin).get(setup_url(world.district, "schools/")).content.decode()

    middle_row = page[page.index("North Middle") :]
    middle_select = middle_row[middle_row.index('name="schools-1-attendance_mode"') :]
    assert middle_select.index('value="daily" selected') < middle_select.index("</select>")


def test_the_district_admin_prevents_school_overrides(client, world, schools):
    data = school_rows(district_schools(world, schools)) | {"district-prevent_school_overrides": "on"}

    response = login(client, world.district_admin).post(setup_url(world.district, "schools/"), data, follow=True)

    assert District.objects.get(pk=world.district.pk).prevent_school_overrides
    assert "School overrides are now prevented." in response.content.decode()


def test_while_overrides_are_prevented_the_schools_show_the_district_settings_read_only(client, world, schools):
    District.objects.filter(pk=world.district.pk).update(prevent_school_overrides=True)

    page = login(client, world.district_admin).get(setup_url(world.district, "schools/")).content.decode()

    assert 'name="schools-0-attendance_mode"' not in page
    assert "Turn the switch off and save" in page
    assert page.count("Write-back on, Daily mode") == 3


def test_the_district_admin_allows_overrides_again(client, world, schools):
    District.objects.filter(pk=world.district.pk).update(prevent_school_overrides=True)

    response = login(client, world.district_admin).post(setup_url(world.district, "schools/"), {}, follow=True)

    assert not District.objects.get(pk=world.district.pk).prevent_school_overrides
    assert "Schools may now override." in response.content.decode()


def test_a_building_admin_sees_only_the_schools_of_their_buildings(client, world, schools):
    page = login(client, world.building_admin).get(setup_url(world.district, "schools/")).content.decode()

    assert "North High" in page and "North Middle" in page
    assert "South Elementary" not in page and "Riverside High" not in page
    assert "prevent_school_overrides" not in page
    assert ">Settings<" not in page and ">Writeback Logs<" in page


def test_a_building_admin_changes_their_schools_while_overrides_are_allowed(client, world, schools):
    north_high, north_middle = schools["north_high"], schools["north_middle"]
    data = school_rows([north_high, north_middle], {north_high: {"attendance_mode": AttendanceMode.TIME}})

    response = login(client, world.building_admin).post(setup_url(world.district, "schools/"), data)

    assert response.status_code == 302
    assert School.objects.get(pk=north_high.pk).attendance_mode == AttendanceMode.TIME


def test_a_building_admin_cannot_reach_a_school_of_another_building(client, world, schools):
    south = schools["south_elementary"]
    data = school_rows([schools["north_high"], schools["north_middle"]]) | {"schools-1-id": south.pk}
    data["schools-1-writeback_enabled"] = "on"

    response = login(client, world.building_admin).post(setup_url(world.district, "schools/"), data)

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert School.objects.get(pk=south.pk).attendance_mode == AttendanceMode.TIME


def test_a_building_admin_cannot_switch_the_district_setting(client, world, schools):
    data = school_rows([schools["north_high"], schools["north_middle"]]) | {"district-prevent_school_overrides": "on"}

    login(client, world.building_admin).post(setup_url(world.district, "schools/"), data)

    assert not District.objects.get(pk=world.district.pk).prevent_school_overrides


def test_while_overrides_are_prevented_a_building_admin_reads_why_and_cannot_save(client, world, schools):
    District.objects.filter(pk=world.district.pk).update(prevent_school_overrides=True)
    login(client, world.building_admin)

    page = client.get(setup_url(world.district, "schools/")).content.decode()
    data = school_rows([schools["north_high"]], {schools["north_high"]: {"attendance_mode": AttendanceMode.TIME}})
    response = client.post(setup_url(world.district, "schools/"), data)

    assert "The district prevents school overrides" in page and "Ask a district admin" in page
    assert 'type="submit"' not in page.split('id="school-setup"')[1]
    assert response.status_code == 403
    assert School.objects.get(pk=schools["north_high"].pk).attendance_mode == AttendanceMode.MEETING


def test_an_it_viewer_has_no_school_building_setup(client, world, schools):
    assert login(client, world.it_viewer).get(setup_url(world.district, "schools/")).status_code == 403


def test_a_tampered_form_count_is_an_answer_not_an_error_page(client, world, schools):
    data = school_rows(district_schools(world, schools)) | {"schools-TOTAL_FORMS": "x"}

    response = login(client, world.district_admin).post(setup_url(world.district, "schools/"), data)

    assert response.status_code == 200
