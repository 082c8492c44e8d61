"""The write-back log as CSV rows: shared by the log's export button and `manage.py export_writeback_log`.

Every cell is made safe for spreadsheets: a value starting with = + - @ (or a tab or carriage return) would be
run as a formula, so it is prefixed with an apostrophe.
"""

import csv

from django.utils import timezone

from raptorlink.models import grade_label

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "Event",
    "Type",
    "Student",
    "Student number",
    "PowerSchool ID",
    "Date/time",
    "Grade",
    "Reason",
    "Code",
    "Operation",
    "Status",
    "Mode",
    "Building",
    "School",
    "Category",
    "Attempts",
    "Error",
    "Fix",
    "Resolved by",
    "Resolved at",
]


def csv_cell(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def local_time(intent):
    """When it happened, in the building's own zone (the clock on the wall where it happened)."""
    return timezone.localtime(intent.occurred_at, intent.building.zone)


def local_time_text(intent):
    return f"{local_time(intent):%m/%d/%Y %H:%M}"


def grade_text(intent):
    grade = intent.student.grade_level
    return "" if grade is None else grade_label(grade)


def status_text(intent):
    if intent_resolved(intent):
        return f"{intent.get_status_display()} (resolved)"
    return intent.get_status_display()


def intent_resolved(intent):
    """Dealt with by a person since it last failed (a retry that failed again is not resolved)."""
    return bool(intent.resolved_at and intent.finished_at and intent.resolved_at >= intent.finished_at)


def intent_row(intent):
    student = intent.student
    resolved_at = timezone.localtime(intent.resolved_at, intent.building.zone) if intent.resolved_at else None
    values = [
        intent.event_ref,
        intent.get_kind_display(),
        student.display_name,
        student.student_number,
        student.ps_id,
        local_time_text(intent),
        grade_text(intent),
        intent.reason,
        intent.code_text,
        intent.get_operation_display(),
        status_text(intent),
        intent.get_mode_display(),
        intent.building.name,
        intent.school.name,
        intent.category,
        intent.attempts,
        intent.error,
        intent.hint,
        intent.resolved_by.get_username() if intent.resolved_by else "",
        f"{resolved_at:%m/%d/%Y %H:%M}" if resolved_at else "",
    ]
    return [csv_cell(value) for value in values]


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def csv_lines(intents):
    """The CSV text of `intents`, line by line, without holding them all in memory."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    rows = intents.select_related("student", "building", "school", "resolved_by").order_by("-created_at", "-id")
    for intent in rows.iterator(chunk_size=500):
        yield writer.writerow(intent_row(intent))


def intents_between(queryset, since=None, until=None):
    """Intents whose event happened from `since` to `until` (dates, both included), in the building's zone."""
    if since:
        queryset = queryset.filter(att_date__gte=since)
    if until:
        queryset = queryset.filter(att_date__lte=until)
    return queryset
