"""Time mode: an ATT_ModeTime record with the minutes missed by the bell schedule.

PowerSchool appends a Time record unless it is told which one to update, so an edit or a later event of the day
names our record's dcid, and a retry first looks for the record an unanswered try may already have created.
PowerSchool never deletes a Time record, so a void zeroes ours.
"""

from raptorlink.powerschool.records import TIME
from writeback.engine import daily
from writeback.engine.periods import minutes_missed
from writeback.engine.slots import later_wins, row_values
from writeback.models import Intent

MODE = TIME
SLOT = "time"
PRESENT = ""
COMMENT_LENGTH = Intent._meta.get_field("comment").max_length


def find_row(day, slot):
    ours = day.written.get(slot)
    return day.row_by_dcid(ours["dcid"]) if ours else None


def prior_values(client, day, row):
    return row_values(row)


def plan(day, event, code_id):
    late_check_in = event.kind == Intent.Kind.LATE_CHECK_IN
    minutes = minutes_missed(event.school, event.att_date, event.seconds, late_check_in, day.lookups)
    record = day.record(
        attendance_code_id=code_id, comment=event.comment, total_minutes=minutes, dcid=our_record_dcid(day, event)
    )
    return {SLOT: record}


def combine(day, counted):
    """One Time record a day: the later event's code, comment and minutes."""
    return later_wins(counted)


def our_record_dcid(day, event):
    ours = day.written.get(SLOT)
    if ours:
        return ours["dcid"]
    if day.intent.attempts > 1:
        # An earlier try of this intent may have been saved without our hearing back: its comment is ours.
        for row in day.rows:
            if (row.get("att_comment") or "") == event.comment:
                return row["dcid"]
    return None


def send(client, records, trace):
    return daily.send(client, records, trace)


def replacement(day, slot):
    """Our record zeroed: no minutes, the Present code, and a comment that says why."""
    ours = day.written[slot]
    present = day.lookups.code_id(day.intent.school, day.year_id, PRESENT)
    return day.record(
        attendance_code_id=present or ours["values"]["attendance_codeid"],
        comment=f"Voided: {ours['values'].get('att_comment', '')}"[:COMMENT_LENGTH],
        total_minutes=0,
        dcid=ours["dcid"],
    )
