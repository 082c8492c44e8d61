"""Sections, the periods and cycle days they meet, and enrollments (CC) in the sync years.

A dropped enrollment keeps its row in PowerSchool with the section id (and term id) negated; RaptorLink keeps
it too, flagged, pointing at the section it was dropped from.
"""

from itertools import chain

from sis_sync.engine.calendar import sync_years
from sis_sync.engine.pull import TablePull, any_of, reference, required, whole
from sis_sync.models import Enrollment, Section, SectionMeeting, Source


def course_names(ctx):
    """{course number: course name}, read once per run (a few hundred rows for the whole district)."""
    if "course_names" not in ctx.memo:
        ctx.memo["course_names"] = {row["course_number"]: row["course_name"] for row in ctx.client.courses()}
    return ctx.memo["course_names"]


def section_values(ctx, row):
    school_number = row["schoolid"]
    teacher = row["teacher"]
    return whole(row["dcid"], "DCID"), {
        "school_id": reference(ctx.lookup("school"), school_number, "School number"),
        "ps_id": whole(row["id"], "SECTIONS.ID"),
        "term_id": reference(ctx.lookup("term"), (school_number, row["termid"]), "School and term"),
        "course_number": required(row["course_number"], "Course number"),
        "course_name": course_names(ctx).get(row["course_number"]) or "",
        "section_number": row["section_number"] or "",
        "expression": row["expression"] or "",
        "teacher_id": _teacher(ctx, teacher),
    }


def _teacher(ctx, teacher):
    """The section's teacher. In a district whose roster comes from elsewhere, staff are the roster's and carry
    no SCHOOLSTAFF.ID: the section is kept without its teacher, whom write-back never needs."""
    if not teacher:
        return None
    if ctx.roster is not None:
        return ctx.lookup("staff_school").get(teacher)
    return reference(ctx.lookup("staff_school"), teacher, "Teacher (SCHOOLSTAFF.ID)")


def section_meeting_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "section_id": reference(ctx.lookup("section"), row["sectionid"], "Section (SECTIONS.ID)"),
        "period_number": whole(row["period_number"], "Period number"),
        "cycle_day_letter": required(row["cycle_day_letter"], "Cycle day letter"),
    }


def enrollment_values(ctx, row):
    section = whole(row["sectionid"], "Section id")
    return whole(row["dcid"], "DCID"), {
        "student_id": reference(ctx.lookup("student"), row["studentid"], "Student (STUDENTS.ID)"),
        "section_id": reference(ctx.lookup("section"), abs(section), "Section (SECTIONS.ID)"),
        "ps_id": whole(row["id"], "CC.ID"),
        "entry_date": required(row["dateenrolled"], "Date enrolled"),
        "exit_date": required(row["dateleft"], "Date left"),
        "dropped": section < 0,
    }


def term_range(years, dropped=False):
    """A `q` on TERMID for the sync years: term ids run from yearid*100; a dropped enrollment's is negated."""
    first, last = min(years) * 100, (max(years) + 1) * 100
    if dropped:
        return f"termid=gt={-last};termid=le={-first}"
    return f"termid=ge={first};termid=lt={last}"


def _sections(ctx):
    years = sync_years(ctx)
    return ctx.client.table_rows("sections", term_range(years)) if years else []


def _section_meetings(ctx):
    years = sync_years(ctx)
    return ctx.client.table_rows("section_meeting", any_of("year_id", years)) if years else []


def _enrollments(ctx):
    years = sync_years(ctx)
    if not years:
        return []
    return chain(
        ctx.client.table_rows("cc", term_range(years)), ctx.client.table_rows("cc", term_range(years, dropped=True))
    )


def _in_sync_years(ctx, row):
    return abs(row["termid"] or 0) // 100 in sync_years(ctx)


def _meeting_in_sync_years(ctx, row):
    return row["year_id"] in sync_years(ctx)


def _scope(model, path):
    return lambda ctx: model.objects.filter(
        district=ctx.district, source=Source.POWERSCHOOL, **{f"{path}__in": sync_years(ctx)}
    )


PULLS = [
    TablePull(
        "sections",
        Section,
        "sections",
        section_values,
        _sections,
        _scope(Section, "term__year_id"),
        ("section",),
        in_scope=_in_sync_years,
    ),
    TablePull(
        "section_meetings",
        SectionMeeting,
        "section_meeting",
        section_meeting_values,
        _section_meetings,
        _scope(SectionMeeting, "section__term__year_id"),
        in_scope=_meeting_in_sync_years,
    ),
]

ENROLLMENTS = TablePull(
    "enrollments",
    Enrollment,
    "cc",
    enrollment_values,
    _enrollments,
    _scope(Enrollment, "section__term__year_id"),
    in_scope=_in_sync_years,
)
