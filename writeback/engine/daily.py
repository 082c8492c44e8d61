"""Daily mode: one ATT_ModeDaily record per student and day, upserted by PowerSchool; optionally Time In/Out."""

from dataclasses import replace

from raptorlink.powerschool.records import DAILY
from writeback.engine.slots import later_wins, row_values
from writeback.models import Intent

MODE = DAILY
SLOT = "daily"


def find_row(day, slot):
    return day.rows[0] if day.rows else None


def prior_values(client, day, row):
    times = None
    if day.intent.district.write_time_in_out and row.get("id"):
        times = next(iter(client.attendance_times(row["id"])), None)
    return row_values(row, times)


def plan(day, event, code_id):
    return {SLOT: day.record(attendance_code_id=code_id, comment=event.comment)}


def combine(day, counted):
    """The later event's code and comment; with Time In/Out, the last check-in's time and the last check-out's,
    since the sign-in and the sign-out of a day are two events on the same record."""
    planned = later_wins(counted)
    if planned and day.intent.district.write_time_in_out:
        planned[SLOT] = replace(planned[SLOT], **sign_in_out_times(day, [event for event, _ in counted]))
    return planned


def sign_in_out_times(day, events):
    """Time In from the last check-in, Time Out from the last check-out; a kind without an active event keeps
    what PowerSchool held before our first write."""
    before = (day.prior.get(SLOT) or {}).get("values") or {}
    times = {"time_in": before.get("time_in", 0), "time_out": before.get("time_out", 0)}
    for event in events:
        times["time_in" if event.kind == Intent.Kind.LATE_CHECK_IN else "time_out"] = event.seconds
    return times


def send(client, records, trace):
    """Daily and Time records go one per call; returns their dcids in order."""
    dcids = []
    for record in records:
        trace.sent("daily_time", [record])
        result = client.write_daily_time(record)
        trace.answered(result)
        dcids.extend(result.record_ids)
    return dcids


def replacement(day, slot):
    """Nothing: a record of ours with nothing before it is deleted."""
    return None
