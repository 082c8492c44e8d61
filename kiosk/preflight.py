"""Before any event is written back: would every reason find its attendance code at every school?

Codes are mapped by their text and resolved for the school year of each event, so the check is made for one year:
the year of a date (today by default), or the next year before a rollover.
"""

import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from kiosk.models import Reason
from raptorlink.models import AttendanceMode
from sis_sync.models import AttendanceCode, Term
from sis_sync.services import roster_without_schedules

# Year-independent problems (a missing building, a missing mapping) are not part of a rollover report.
ROLLOVER_KINDS = {"no_codes", "missing_code"}


@dataclass(frozen=True)
class Problem:
    kind: str
    school: object
    text: str
    fix: str
    reason: object = None

    def __str__(self):
        return f"{self.text} Fix: {self.fix}"


def writeback_problems(district, on_date=None):
    """Everything that would stop a write-back at the district's enabled schools on `on_date`."""
    on_date = on_date or district_today(district)
    reasons = enabled_reasons(district)
    roster_source = roster_without_schedules(district)
    problems = []
    for school in writeback_schools(district):
        problems.extend(school_problems(school, reasons, school_year_id(school, on_date)))
        if roster_source is not None and school.effective_attendance_mode == AttendanceMode.MEETING:
            problems.append(schedules_problem(school, roster_source))
    return problems


def schedules_problem(school, roster_source):
    return Problem(
        "no_schedules",
        school,
        f"{school} writes back in Meeting mode, which needs each student's class in the period of the event, but "
        f"the district's roster comes from {roster_source.label} and its PowerSchool sync does not bring sections "
        "and enrollments.",
        "Tick sections and enrollments, with schools, calendar and attendance codes, under Entities in the "
        "district's Sync settings, then sync; or write this school back in Daily or Time mode.",
    )


def rollover_report(district, year_id):
    """The codes `year_id` lacks for the texts the reasons are mapped to (run it once next year's codes exist)."""
    reasons = enabled_reasons(district)
    problems = []
    for school in writeback_schools(district):
        problems.extend(p for p in school_problems(school, reasons, year_id) if p.kind in ROLLOVER_KINDS)
    return problems


def writeback_schools(district):
    schools = district.schools.filter(active=True).select_related("district", "building").order_by("number")
    return [school for school in schools if school.effective_writeback_enabled]


def enabled_reasons(district):
    return list(Reason.objects.filter(district=district, enabled=True).prefetch_related("codes"))


def school_problems(school, reasons, year_id):
    problems = []
    if school.building_id is None:
        problems.append(
            Problem(
                "no_building",
                school,
                f"{school} writes back attendance but has no building, so its students cannot sign in anywhere.",
                "Choose the school's building under Schools, or turn its write-back off.",
            )
        )
    codes = set(
        AttendanceCode.objects.filter(school=school, year_id=year_id, active=True).values_list("code", flat=True)
    )
    if not codes:
        problems.append(
            Problem(
                "no_codes",
                school,
                f"No attendance codes of {school} for {year_label(year_id)} have been imported.",
                "Import attendance codes (Reasons → Import attendance codes); if that finds none, create the "
                "year's codes in PowerSchool first.",
            )
        )
    offered = [reason for reason in reasons if reason.building_id in (None, school.building_id)]
    for reason in offered:
        problem = mapping_problem(school, reason, codes, year_id)
        if problem:
            problems.append(problem)
    return problems


def mapping_problem(school, reason, codes, year_id):
    mapped = next((mapping.code for mapping in reason.codes.all() if mapping.school_id == school.pk), None)
    if mapped is None:
        return Problem(
            "unmapped",
            school,
            f"The reason “{reason.label}” ({reason.get_kind_display().lower()}) has no attendance code at {school}.",
            "Open the reason and choose the code it writes at this school.",
            reason,
        )
    if codes and mapped not in codes:
        return Problem(
            "missing_code",
            school,
            f"The reason “{reason.label}” writes code “{mapped}”, which {school} does not have in "
            f"{year_label(year_id)}.",
            "Import attendance codes; if the code was renamed or removed in PowerSchool, map the reason to "
            "another code.",
            reason,
        )
    return None


def school_year_id(school, on_date):
    """PowerSchool's year id for `on_date` at `school`: from its synced full-year term, else July to June."""
    term_year = (
        Term.objects.filter(school=school, is_year=True, active=True, first_day__lte=on_date, last_day__gte=on_date)
        .values_list("year_id", flat=True)
        .first()
    )
    return calendar_year_id(on_date) if term_year is None else term_year


def calendar_year_id(day):
    start_year = day.year if day.month >= 7 else day.year - 1
    return start_year - 1990


def next_year_id(district):
    """The school year after today's, whose codes a rollover needs."""
    return calendar_year_id(district_today(district)) + 1


def district_today(district):
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(district.time_zone))


def year_label(year_id):
    start = year_id + 1990
    return f"{start}-{(start + 1) % 100:02d}"
