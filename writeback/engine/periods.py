"""The school day as RaptorLink's synced copy knows it: the bell schedule and the student's classes.

"Which period is the student in right now" (powerschool-api.md §9.3): calendar day → bell schedule items →
period number, with the day's cycle letter → the student's section meeting that period → its enrollment (CC).
"""

from dataclasses import dataclass

from sis_sync.models import Enrollment, SectionMeeting
from writeback.engine.lookups import Lookups
from writeback.errors import NOT_A_SCHOOL_DAY_HINT, WritebackProblem


@dataclass(frozen=True)
class Meeting:
    """One class of the student in one period of the day: what a Meeting record needs."""

    ccid: int
    period_id: int
    period_number: int
    start_seconds: int
    end_seconds: int

    @property
    def slot(self):
        return f"{self.ccid}:{self.period_id}"


def not_a_school_day(school, att_date):
    return WritebackProblem(
        "not_enrolled", f"{att_date:%A %m/%d/%Y} is not a school day at {school.name}.", hint=NOT_A_SCHOOL_DAY_HINT
    )


def school_day_items(school, att_date, lookups=None):
    items = (lookups or Lookups()).bell_items(school, att_date)
    if not items:
        raise WritebackProblem(
            "no_period", f"Could not find the student's period: no bell schedule for {att_date} at {school}."
        )
    return items


def minutes_missed(school, att_date, seconds, late_check_in, lookups):
    """Minutes between the first bell and a late arrival, or between an early departure and the last bell."""
    items = school_day_items(school, att_date, lookups)
    if late_check_in:
        missed = seconds - items[0].start_seconds
    else:
        missed = max(item.end_seconds for item in items) - seconds
    return max(0, missed // 60)


def periods_from(items, seconds):
    """The period in progress at `seconds` and the ones after it. Between periods the next one counts as
    current: the student arrives too late for it, or leaves before it."""
    return [item for item in items if item.end_seconds > seconds]


def student_meetings(student, school, att_date, seconds, *, remaining, lookups=None):
    """The student's class in the current period (and, with `remaining`, the later ones), in clock order;
    WritebackProblem("no_period") when the student has no class at that time."""
    lookups = lookups or Lookups()
    day = lookups.calendar_day(school, att_date)
    items = periods_from(lookups.bell_items(school, att_date), seconds)
    letter = day.cycle_day.letter if day is not None and day.cycle_day is not None else ""
    if not items:
        raise _no_period(att_date, seconds)
    if not remaining:
        items = items[:1]
    meetings = [
        meeting for item in items if (meeting := _meeting_in(student, school, att_date, item, letter)) is not None
    ]
    if not meetings or meetings[0].start_seconds != items[0].start_seconds:
        raise _no_period(att_date, seconds)
    return meetings


def _meeting_in(student, school, att_date, item, letter):
    sections = SectionMeeting.objects.filter(
        section__school=school, period_number=item.period.number, cycle_day_letter=letter, active=True
    ).values("section_id")
    enrollment = (
        Enrollment.objects.filter(
            student=student,
            section_id__in=sections,
            dropped=False,
            active=True,
            entry_date__lte=att_date,
            exit_date__gt=att_date,
        )
        .order_by("-entry_date")
        .first()
    )
    if enrollment is None:
        return None
    return Meeting(enrollment.ps_id, item.period.ps_id, item.period.number, item.start_seconds, item.end_seconds)


def _no_period(att_date, seconds):
    clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return WritebackProblem("no_period", f"Could not find the student's period at {clock} on {att_date}.")
