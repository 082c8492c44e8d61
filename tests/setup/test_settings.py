"""The Settings tab: the connection, the district's settings, and "Save and apply to all schools"."""

import pytest

from raptorlink.models import AttendanceMode, AuditEntry, PowerSchoolConnection, School, VisibleStudentId
from tests.setup.conftest import login, setup_url

pytestmark = pytest.mark.django_db
SECRET = "s3cr3t-lincoln-client-secret"


def settings_data(**overrides):
    return {
        "base_url": "https://lincoln.powerschool.com",
        "client_id": "8d1f5a43-0e65-4a3f-9a8e-1c2b3d4e5f60",
        "client_secret": "",
        "visible_student_id": VisibleStudentId.STUDENT_NUMBER,
        "default_attendance_mode": AttendanceMode.DAILY,
        "_save": "Save",
        **overrides,
    }


def test_a_district_admin_sees_the_connection_but_never_the_secret(client, world):
    response = login(client, world.district_admin).get(setup_url(world.district))

    page = response.content.decode()
    assert response.status_code == 200
    assert "https://lincoln.powerschool.com" in page and world.connection.client_id in page
    assert SECRET not in page
    assert "Save and apply to all schools" in page and "Test connection" in page


def test_a_district_admin_connects_a_district_without_a_connection(client, world):
    world.connection.delete()

    response = login(client, world.district_admin).post(
        setup_url(world.district),
        settings_data(client_secret="brand-new-secret", visible_student_id=VisibleStudentId.SIS_ID),
        follow=True,
    )

    assert "Saved the PowerSchool connection" in response.content.decode()
    connection = PowerSchoolConnection.objects.get(district=world.district)
    assert (connection.base_url, connection.client_secret) == ("https://lincoln.powerschool.com", "brand-new-secret")
    world.district.refresh_from_db()
    assert world.district.visible_student_id == VisibleStudentId.SIS_ID


def test_a_blank_secret_keeps_the_stored_one(client, world):
    login(client, world.district_admin).post(setup_url(world.district), settings_data(client_id="new-client-id"))

    connection = PowerSchoolConnection.objects.get(pk=world.connection.pk)
    assert (connection.client_id, connection.client_secret) == ("new-client-id", SECRET)


def test_a_first_connection_needs_a_secret(client, world):
    world.connection.delete()

    response = login(client, world.district_admin).post(setup_url(world.district), settings_data())

    assert response.status_code == 200
    assert "Enter the client secret from the plugin" in response.content.decode()
    assert not PowerSchoolConnection.objects.filter(district=world.district).exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://lincoln.powerschool.com/", "Remove the trailing slash"),
        ("https://lincoln.powerschool.com/admin", "without a path such as “/admin”"),
        ("lincoln.powerschool.com", "Start the URL with https://"),
        ("http://lincoln.powerschool.com", "Use https://"),
    ],
)
def test_a_wrong_url_is_refused_with_one_message_saying_what_to_fix(client, world, url, message):
    response = login(client, world.district_admin).post(setup_url(world.district), settings_data(base_url=url))

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "Nothing was saved" in page
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).base_url == "https://lincoln.powerschool.com"


def test_a_district_admin_sets_how_hard_raptorlink_may_call_powerschool(client, world):
    login(client, world.district_admin).post(
        setup_url(world.district), settings_data(max_concurrent_calls="8", min_call_interval_ms="250")
    )

    connection = PowerSchoolConnection.objects.get(pk=world.connection.pk)
    assert (connection.call_limit, connection.min_call_interval_ms) == (8, 250)


def test_blank_limits_mean_the_default_calls_at_once_and_no_minimum_interval(client, world, settings):
    PowerSchoolConnection.objects.filter(pk=world.connection.pk).update(max_concurrent_calls=8, min_call_interval_ms=9)

    login(client, world.district_admin).post(
        setup_url(world.district), settings_data(max_concurrent_calls="", min_call_interval_ms="")
    )

    connection = PowerSchoolConnection.objects.get(pk=world.connection.pk)
    assert (connection.call_limit, connection.min_call_interval_ms) == (settings.POWERSCHOOL_MAX_CONCURRENT_CALLS, 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_concurrent_calls", "0", "greater than or equal to 1"),
        ("max_concurrent_calls", "5000", "less than or equal to 200"),
        ("min_call_interval_ms", "-5", "greater than or equal to 0"),
        ("min_call_interval_ms", "a lot", "Enter a whole number"),
    ],
)
def test_a_limit_out_of_range_is_refused_with_a_message(client, world, field, value, message):
    response = login(client, world.district_admin).post(setup_url(world.district), settings_data(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).max_concurrent_calls is None


def test_an_invalid_choice_is_refused_with_a_message_not_an_error_page(client, world):
    response = login(client, world.district_admin).post(
        setup_url(world.district), settings_data(default_attendance_mode="weekly")
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_save_leaves_the_schools_as_they_are(client, world, schools):
    login(client, world.district_admin).post(setup_url(world.district), settings_data())

    assert not School.objects.get(pk=schools["north_middle"].pk).writeback_enabled
    assert School.objects.get(pk=schools["north_high"].pk).attendance_mode == AttendanceMode.MEETING


def test_save_and_apply_turns_write_back_on_in_the_default_mode_at_every_school_and_says_what_changed(
    client, world, schools
):
    data = settings_data(default_attendance_mode=AttendanceMode.TIME, _apply="Save and apply to all schools")
    data.pop("_save")

    response = login(client, world.district_admin).post(setup_url(world.district), data, follow=True)

    district_schools = School.objects.filter(district=world.district)
    assert all(school.writeback_enabled for school in district_schools)
    assert {school.attendance_mode for school in district_schools} == {AttendanceMode.TIME}
    page = response.content.decode()
    assert "Write-back turned on for 1 school and attendance mode set to Time for 2 schools." in page
    riverside = School.objects.get(pk=schools["riverside_high"].pk)
    assert riverside.attendance_mode == "" and riverside.writeback_enabled


def test_save_and_apply_says_so_when_nothing_needed_changing(client, world, schools):
    School.objects.filter(district=world.district).update(writeback_enabled=True, attendance_mode=AttendanceMode.DAILY)
    data = settings_data(_apply="Save and apply to all schools")
    data.pop("_save")

    response = login(client, world.district_admin).post(setup_url(world.district), data, follow=True)

    assert "no school was changed" in response.content.decode()


def test_an_invalid_save_and_apply_changes_no_school(client, world, schools):
    data = settings_data(base_url="https://lincoln.powerschool.com/", _apply="Save and apply to all schools")

    login(client, world.district_admin).post(setup_url(world.district), data)

    assert not School.objects.get(pk=schools["north_middle"].pk).writeback_enabled


def test_an_it_viewer_sees_the_status_read_only_and_never_the_secret(client, world):
    response = login(client, world.it_viewer).get(setup_url(world.district))

    page = response.content.decode()
    assert response.status_code == 200
    assert "https://lincoln.powerschool.com" in page and "stored (never shown)" in page
    assert SECRET not in page
    assert 'name="base_url"' not in page and "Save and apply" not in page
    assert "Only a district admin may change these settings." in page
    assert 'name="_test"' not in page


def test_an_it_viewer_cannot_change_the_settings(client, world):
    response = login(client, world.it_viewer).post(setup_url(world.district), settings_data(client_id="hijacked"))

    assert response.status_code == 403
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).client_id != "hijacked"


def test_a_building_admin_is_taken_to_the_school_building_setup(client, world):
    response = login(client, world.building_admin).get(setup_url(world.district))

    assert response.status_code == 302 and response["Location"] == setup_url(world.district, "schools/")


def test_a_building_admin_cannot_post_the_settings(client, world):
    response = login(client, world.building_admin).post(setup_url(world.district), settings_data(client_id="x"))

    assert response.status_code == 302
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).client_id != "x"


def test_a_superuser_may_change_any_district(client, world):
    login(client, world.superuser).post(setup_url(world.other_district), settings_data(client_secret="riverside"))

    assert PowerSchoolConnection.objects.get(district=world.other_district).client_secret == "riverside"


def test_every_school_the_apply_changed_is_in_the_audit_log_under_the_admins_name(client, world, schools):
    data = settings_data(_apply="Save and apply to all schools")
    data.pop("_save")

    login(client, world.district_admin).post(setup_url(world.district), data)

    entries = AuditEntry.objects.filter(object_type__icontains="school", actor=world.district_admin)
    assert {entry.object_label for entry in entries} == {
        "North High (100)",
        "North Middle (200)",
        "South Elementary (300)",
    }
