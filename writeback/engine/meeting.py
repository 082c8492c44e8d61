"""Meeting mode: one ATT_ModeMeeting record per class meeting, upserted per period by PowerSchool.

A late check-in marks the class in progress; an early check-out marks it and, when the school says so,
the student's remaining classes of the day. A late arrival and an early departure of one day both stand.
"""

from raptorlink.powerschool.records import MEETING
from writeback.engine.periods import student_meetings
from writeback.engine.slots import later_wins, row_values
from writeback.models import Intent

MODE = MEETING
REMAINING = "remaining"


def find_row(day, slot):
    return next((row for row in day.rows if f"{row.get('ccid')}:{row.get('periodid')}" == slot), None)


def prior_values(client, day, row):
    return row_values(row)


def plan(day, event, code_id):
    remaining = event.kind == Intent.Kind.EARLY_CHECK_OUT and event.school.checkout_policy == REMAINING
    meetings = student_meetings(
        event.student, event.school, event.att_date, event.seconds, remaining=remaining, lookups=day.lookups
    )
    return {
        meeting.slot: day.record(
            attendance_code_id=code_id,
            comment=event.comment,
            ccid=meeting.ccid,
            period_id=meeting.period_id,
            start_time=meeting.start_seconds,
            end_time=meeting.end_seconds,
        )
        for meeting in meetings
    }


def combine(day, counted):
    """The last check-in's class and the last check-out's classes; a class both mark goes to the later event."""
    return later_wins(counted)


def send(client, records, trace):
    if not records:
        return []
    trace.sent("meeting_interval", records)
    result = client.write_meeting_interval(records)
    trace.answered(result)
    return result.record_ids


def replacement(day, slot):
    """Nothing: a record of ours with nothing before it is deleted."""
    return None
