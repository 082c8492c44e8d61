"""The demo district made usable end to end without clicking through setup (`make run`).

After the demo district's first sync from the generated PowerSchool sandbox, each school gets a building (schools
at one address share it), the attendance mode the sandbox's PowerSchool is set to, and write-back on; the district
gets a few late check-in and early check-out reasons mapped by code text at every school that has the code; each
building gets a kiosk. Running it again creates nothing twice and leaves what a person changed alone: schools that
already have a building keep their settings, existing reasons and mappings stay, and only kiosks not enrolled yet
get a fresh enrolment link.
"""

from dataclasses import dataclass

import requests
from django.db import transaction
from django.urls import reverse

from kiosk.devices import enrolment_issue, kiosk_create
from kiosk.models import EventKind, KioskDevice, Reason, ReasonCode
from raptorlink.models import AttendanceMode, Building, School
from sis_sync.models import AttendanceCode
from sis_sync.services import run_sync

KIOSK_NAME = "Entrance kiosk"
SANDBOX_TIMEOUT_S = 10
# PowerSchool's ATT_MODE_CODE per school in the sandbox's Attendance Preferences → RaptorLink's mode.
SANDBOX_MODES = {
    "ATT_ModeDaily": AttendanceMode.DAILY,
    "ATT_ModeTime": AttendanceMode.TIME,
    "ATT_ModeMeeting": AttendanceMode.MEETING,
}
# (kind, label, excused, PowerSchool code text): the generated district's codes T, TE, ED and EDE.
REASONS = (
    (EventKind.LATE_CHECK_IN, "Overslept", False, "T"),
    (EventKind.LATE_CHECK_IN, "Late bus", True, "TE"),
    (EventKind.LATE_CHECK_IN, "Doctor appointment", True, "TE"),
    (EventKind.EARLY_CHECK_OUT, "Doctor appointment", True, "EDE"),
    (EventKind.EARLY_CHECK_OUT, "Feeling sick", True, "EDE"),
    (EventKind.EARLY_CHECK_OUT, "Family matter", False, "ED"),
)


class DemoSetupError(Exception):
    """The demo could not be set up; the message says why (the demo still runs, set up by hand)."""


@dataclass(frozen=True)
class KioskLink:
    """A building's demo kiosk and the link that enrols a browser as it (empty once enrolled or revoked)."""

    building: str
    kiosk: str
    enrolment_url: str = ""
    state: str = "enrolled"


def demo_setup(district, *, sandbox_url, site_url):
    """Set the demo district up after its first sync (run here when it never synced); returns its KioskLinks."""
    first_sync(district)
    described = sandbox_schools(sandbox_url)
    with transaction.atomic():
        schools_place(district, described)
        reasons_create(district)
        return kiosks_ready(district, site_url)


def first_sync(district):
    if district.last_sync_succeeded_at is not None:
        return
    run = run_sync(district, kind="full", trigger="demo")
    if run.status != run.Status.SUCCEEDED:
        raise DemoSetupError(f"The first sync of {district} did not succeed: {run.message}")


def sandbox_schools(sandbox_url):
    """{school number: (address, mode)} from the sandbox's summary, which also says how each school's
    PowerSchool records attendance (the current year's setting)."""
    try:
        answer = requests.get(f"{sandbox_url.rstrip('/')}/_sandbox/summary", timeout=SANDBOX_TIMEOUT_S)
        answer.raise_for_status()
        schools = answer.json()["schools"]
    except (requests.RequestException, ValueError, KeyError) as error:
        raise DemoSetupError(
            f"The PowerSchool sandbox at {sandbox_url} did not describe its schools: {error}"
        ) from None
    described = {}
    for school in schools:
        modes = school.get("attendance_modes") or {}
        current = modes[max(modes, key=int)] if modes else ""
        described[school["school_number"]] = (school.get("address") or "", SANDBOX_MODES.get(current, ""))
    return described


def schools_place(district, described):
    """Put each synced school that has no building yet behind one, with the sandbox's mode and write-back on."""
    by_address = {}
    for school in School.objects.filter(district=district, active=True).order_by("number"):
        if school.number in described:
            by_address.setdefault(described[school.number][0], []).append(school)
    for schools in by_address.values():
        unplaced = [school for school in schools if school.building_id is None]
        if not unplaced:
            continue
        building = next((school.building for school in schools if school.building_id), None)
        if building is None:
            building, _ = Building.objects.get_or_create(
                district=district, name=building_name(schools), defaults={"time_zone": district.time_zone}
            )
        for school in unplaced:
            school.building = building
            school.attendance_mode = described[school.number][1]
            school.writeback_enabled = True
            school.save(update_fields=["building", "attendance_mode", "writeback_enabled"])


def building_name(schools):
    """The school's name, or the names of the schools that share the entrance."""
    return " & ".join(school.name for school in schools)[: Building._meta.get_field("name").max_length]


def reasons_create(district):
    """The demo reasons, each mapped at every school whose synced codes have its code text."""
    schools = list(School.objects.filter(district=district, active=True))
    for order, (kind, label, excused, code) in enumerate(REASONS):
        reason, _ = Reason.objects.get_or_create(
            district=district, building=None, kind=kind, label=label, defaults={"excused": excused, "sort_order": order}
        )
        for school in schools:
            if AttendanceCode.objects.filter(school=school, code=code, active=True).exists():
                ReasonCode.objects.get_or_create(reason=reason, school=school, defaults={"code": code})


def kiosks_ready(district, site_url):
    """A kiosk for every building with a school: created once, with a fresh enrolment link until it is enrolled."""
    buildings = Building.objects.filter(district=district, schools__isnull=False).distinct().order_by("name")
    return [kiosk_ready(building, site_url) for building in buildings]


def kiosk_ready(building, site_url):
    device = KioskDevice.objects.filter(building=building, name=KIOSK_NAME).first()
    if device is None:
        device, token = kiosk_create(building=building, name=KIOSK_NAME)
    elif device.revoked:
        return KioskLink(building.name, device.name, state="revoked")
    elif device.enrolled_at is None:
        token = enrolment_issue(device)
    else:
        return KioskLink(building.name, device.name)
    url = f"{site_url.rstrip('/')}{reverse('enrol:enrol', args=[token])}"
    return KioskLink(building.name, device.name, enrolment_url=url, state="not enrolled")
