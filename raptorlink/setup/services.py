"""What the PowerSchool Setup pages do: save the settings, apply the district's write-back defaults to its schools,
and test the connection while a person waits."""

from dataclasses import dataclass

import requests
from django.db import transaction

from raptorlink.models import AttendanceMode
from raptorlink.powerschool.checks import CheckResult, check_connection
from raptorlink.powerschool.errors import PowerSchoolError

# A person is waiting for the answer: each call to PowerSchool gives up sooner than the background jobs' calls.
INTERACTIVE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class AppliedDefaults:
    mode: str
    turned_on: int
    mode_changed: int

    def describe(self):
        if not (self.turned_on or self.mode_changed):
            return f"Every school already had write-back on in {self.mode} mode; no school was changed."
        parts = []
        if self.turned_on:
            parts.append(f"write-back turned on for {_schools(self.turned_on)}")
        if self.mode_changed:
            parts.append(f"attendance mode set to {self.mode} for {_schools(self.mode_changed)}")
        text = " and ".join(parts)
        return text[0].upper() + text[1:] + "."


def _schools(count):
    return f"{count} school" if count == 1 else f"{count} schools"


def apply_writeback_defaults(district):
    """Turn write-back on at every school of `district`, in the district's default attendance mode."""
    mode = district.default_attendance_mode
    turned_on = mode_changed = 0
    for school in district.schools.exclude(writeback_enabled=True, attendance_mode=mode):
        turned_on += not school.writeback_enabled
        mode_changed += school.attendance_mode != mode
        school.writeback_enabled, school.attendance_mode = True, mode
        # One save per school, not a bulk update: each change reaches the audit log with who made it.
        school.save(update_fields=["writeback_enabled", "attendance_mode"])
    return AppliedDefaults(AttendanceMode(mode).label, turned_on, mode_changed)


def settings_save(connection_form, district_form, *, apply_to_schools):
    """Save the connection and the district's settings together; with `apply_to_schools`, apply the defaults too.

    Returns the AppliedDefaults, or None when the schools were left as they were."""
    with transaction.atomic():
        connection_form.save()
        district = district_form.save()
        return apply_writeback_defaults(district) if apply_to_schools else None


class InteractiveHttp(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs["timeout"] = min(kwargs.get("timeout") or INTERACTIVE_TIMEOUT_SECONDS, INTERACTIVE_TIMEOUT_SECONDS)
        return super().request(method, url, **kwargs)


def connection_test(district):
    """Every check of the district's saved connection, in plain words; never raises for PowerSchool's answers."""
    connection = getattr(district, "powerschool", None)
    if connection is None:
        return [
            CheckResult(
                "Settings",
                False,
                "There is no PowerSchool connection to test yet.",
                "Enter the PowerSchool URL, client ID and client secret on the Settings tab and save them.",
            )
        ]
    try:
        return check_connection(connection, http=InteractiveHttp())
    except PowerSchoolError as error:
        # A check that does not expect this failure lets it through; it still deserves a plain answer.
        return [CheckResult("Connection", False, f"The test stopped: {error}.", error.hint)]


def school_setup_save(formset, overrides_form):
    """Save the schools' write-back settings and the district's overrides switch as one change.

    Returns the names of the schools that changed."""
    with transaction.atomic():
        changed = [school.name for school in formset.save()] if formset is not None else []
        if overrides_form is not None:
            overrides_form.save()
    return changed
