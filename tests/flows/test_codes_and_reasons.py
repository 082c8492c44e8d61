"""From a synced district to a clean write-back setup, through the console: the schools go into a building, the
attendance codes are imported, reasons are mapped to codes by their text, and the pre-flight check (page and
`manage.py check_writeback`) and the year-rollover report say what is left."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kiosk.models import Reason
from kiosk.preflight import next_year_id
from raptorlink.models import Building, Role, School
from sis_sync.models import AttendanceCode
from tests.flows.test_buildings import building_form, change_url, login
from tests.world import add_member

REASONS = "/admin/kiosk/reason/"
PREFLIGHT = f"{REASONS}preflight/"


@pytest.fixture
def district(powerschool, world):
    """The sandbox district with its schools synced into one building, and a district admin."""
    powerschool.sync(entities=["schools", "calendar"])
    district = powerschool.district
    add_member(world.district_admin, district, Role.DISTRICT_ADMIN)
    Building.objects.create(district=district, name="Main Campus", time_zone=district.time_zone)
    return district


def building_takes_every_school(client, district):
    building = district.buildings.get()
    data = building_form(building, schools=list(district.schools.values_list("pk", flat=True)))
    assert client.post(change_url(building), data).status_code == 302


def codes_import(client, district):
    response = client.post(f"{REASONS}import-codes/{district.pk}/", follow=True)
    return [str(message) for message in response.context["messages"]]


def reason_add(client, district, label, kind, code):
    schools = list(district.schools.order_by("number"))
    data = {
        "district": district.pk,
        "building": "",
        "kind": kind,
        "label": label,
        "enabled": "on",
        "sort_order": 0,
        "codes-TOTAL_FORMS": len(schools),
        "codes-INITIAL_FORMS": 0,
    }
    for index, school in enumerate(schools):
        data[f"codes-{index}-school"] = school.pk
        data[f"codes-{index}-code"] = code
    return client.post(f"{REASONS}add/", data)


def check_writeback(*args):
    out = StringIO()
    try:
        call_command("check_writeback", "--district", "sandbox", *args, stdout=out)
    except CommandError as error:
        return False, out.getvalue(), str(error)
    return True, out.getvalue(), ""


def test_a_district_goes_from_synced_schools_to_a_clean_pre_flight_check(client, world, district):
    login(client, world.district_admin)
    building_takes_every_school(client, district)
    assert not School.objects.filter(district=district, building=None).exists()

    before = client.get(PREFLIGHT).content.decode()
    assert "No attendance codes of" in before and "for 2026-27 have been imported" in before

    messages = codes_import(client, district)
    created = AttendanceCode.objects.filter(district=district).count()
    assert created > 0
    assert messages == [f"Attendance codes of Sandbox District imported: {created} new, 0 changed."]

    assert reason_add(client, district, "Late bus", "late_check_in", "T").status_code == 302
    refused = reason_add(client, district, "Dentist", "early_check_out", "DENTIST")
    assert refused.status_code == 200 and not Reason.objects.filter(label="Dentist").exists()
    assert reason_add(client, district, "Dentist", "early_check_out", "ED").status_code == 302

    page = client.get(PREFLIGHT).content.decode()
    assert "No problems" in page
    ok, out, _ = check_writeback()
    assert ok and out.startswith("No problems found")


def test_a_reason_left_unmapped_is_named_on_the_page_and_by_the_command(client, world, district):
    login(client, world.district_admin)
    building_takes_every_school(client, district)
    codes_import(client, district)
    first_school = district.schools.order_by("number").first()
    Reason.objects.create(district=district, kind="late_check_in", label="Overslept")
    expected = f"The reason “Overslept” (late check-in) has no attendance code at {first_school}."

    assert expected in client.get(PREFLIGHT).content.decode()
    ok, out, error = check_writeback()
    assert not ok and expected in out and "problems found" in error


def test_the_rollover_report_lists_the_texts_next_year_lacks_until_next_years_codes_exist(client, world, district):
    login(client, world.district_admin)
    building_takes_every_school(client, district)
    codes_import(client, district)
    reason_add(client, district, "Late bus", "late_check_in", "T")

    page = client.get(PREFLIGHT).content.decode()
    assert "Next school year (2027-28)" in page and "No attendance codes of" in page
    ok, out, _ = check_writeback("--next-year")
    assert not ok and "2027-28: No attendance codes of" in out

    next_year_codes_add(district, "TX")
    ok, out, _ = check_writeback("--next-year")
    assert not ok and "“T”" in out
    assert "“T”" in client.get(PREFLIGHT).content.decode()

    next_year_codes_add(district, "T")
    ok, out, _ = check_writeback("--next-year")
    assert ok, out


def next_year_codes_add(district, text):
    """Next year's code `text` at every school, as the import brings it once PowerSchool has the new year."""
    year_id = next_year_id(district)
    for school in district.schools.all():
        ps_id = year_id * 100000 + school.number * 10 + len(text)
        AttendanceCode.objects.create(
            district=district,
            key=f"code-{ps_id}",
            fingerprint="f",
            synced_at=timezone.now(),
            school=school,
            ps_id=ps_id,
            year_id=year_id,
            code=text,
            description=f"{text} code",
        )
