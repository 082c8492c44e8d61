"""Meeting mode: one ATT_ModeMeeting record per class meeting, upserted per period by PowerSchool.

A late check-in marks the class in progress; an early check-out marks it and, when the school says so,
the student's remaining classes of the day.
"""

from raptorlink.powerschool.records import MEETING
from writeback.engine.periods import student_meetings
from writeback.engine.slots import row_values
from writeback.models import Intent

MODE = MEETING
REMAINING = "remaining"


def find_row(day, slot):
    return next((row for row in day.rows if f"{row.get('ccid')}:{row.get('periodid')}" == slot), None)


def prior_values(client, day, row):
    return row_values(row)


def plan(day, code_id):
    intent = day.intent
    remaining = intent.kind == Intent.Kind.EARLY_CHECK_OUT and intent.school.checkout_policy == REMAINING
    meetings = student_meetings(intent.student, intent.school, intent.att_date, intent.seconds, remaining=remaining)
    return {
        meeting.slot: day.record(
            attendance_code_id=code_id,
            comment=intent.comment,
            ccid=meeting.ccid,
            period_id=meeting.period_id,
            start_time=meeting.start_seconds,
            end_time=meeting.end_seconds,
        )
        for meeting in meetings
    }


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
