"""Daily mode: one ATT_ModeDaily record per student and day, upserted by PowerSchool; optionally Time In/Out."""

from raptorlink.powerschool.records import DAILY
from writeback.engine.slots import row_values
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


def plan(day, code_id):
    values = {"attendance_code_id": code_id, "comment": day.intent.comment}
    if day.intent.district.write_time_in_out:
        values.update(sign_in_out_times(day))
    return {SLOT: day.record(**values)}


def sign_in_out_times(day):
    """Time In from a check-in, Time Out from a check-out; the other one stays as it was, because the
    sign-in and the sign-out of one day are two events on the same record."""
    ours = day.written.get(SLOT, {}).get("values")
    before = ours or (day.prior.get(SLOT) or {}).get("values") or {}
    times = {"time_in": before.get("time_in", 0), "time_out": before.get("time_out", 0)}
    key = "time_in" if day.intent.kind == Intent.Kind.LATE_CHECK_IN else "time_out"
    times[key] = day.intent.seconds
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
