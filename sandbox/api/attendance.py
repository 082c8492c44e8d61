"""Attendance writes, `POST /ws/attendance/...` (powerschool-api.md §8).

Every record is checked by `attendance_rules`; the good ones are upserted and the broken ones answered with
PowerSchool's per-record error. Two behaviours that real versions differ on are settings:
`attendance_error_status` (400 by default, or 200 with the errors inside) and `attendance_time_writes`
(on by default: an `attendance_time` object beside `attendance` sets Time In/Out, §8.5).
"""

from sandbox import access, rows
from sandbox.attendance_rules import (
    DAILY,
    INTERVAL,
    MEETING,
    MEETING_TIMES,
    TIME,
    Rejection,
    checked_record,
    existing_record,
)
from sandbox.http import HttpError, Response

BATCH_LIMIT = 200
# ATTENDANCE_TIME columns a client may set; the keys and the link to ATTENDANCE are PowerSchool's.
TIME_KEYS = ("dcid", "id", "attendanceid")


def daily_time(ctx, request):
    records = posted_records(ctx, request)
    if len(records) != 1:
        raise ValueError(f"daily_time takes exactly one record, got {len(records)}; use batch_daily_time for several")
    return write_records(ctx, records, (DAILY, TIME))


def batch_daily_time(ctx, request):
    if not ctx.profile.has_batch:
        raise HttpError(Response.message(404, f"The resource {request.path} was not found"))
    records = posted_records(ctx, request)
    if len(records) > BATCH_LIMIT:
        raise ValueError(f"batch_daily_time accepts at most {BATCH_LIMIT} records, got {len(records)}")
    return write_records(ctx, records, (DAILY, TIME))


def meeting_interval(ctx, request):
    records = posted_records(ctx, request)
    keys = {(_text(record["attendance"], "studentid"), _text(record["attendance"], "att_date")) for record in records}
    if len(keys) != 1:
        raise ValueError("meeting_interval records must all be for one student on one day")
    return write_records(ctx, records, (MEETING, INTERVAL))


def posted_records(ctx, request):
    """The posted records as `{"attendance": {...}, "attendance_time": {...} or None}`; ValueError when malformed."""
    body = request.json()
    records = body.get("record") if isinstance(body, dict) else None
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not records:
        raise ValueError('The body must be {"name":"ATTENDANCE","record":[{"tables":{"attendance":{...}}}]}')
    return [_tables(record, ctx) for record in records]


def _tables(record, ctx):
    tables = record.get("tables") if isinstance(record, dict) else None
    if not isinstance(tables, dict) or not isinstance(tables.get("attendance"), dict):
        raise ValueError('Each record needs "tables":{"attendance":{...}}')
    time_writes = ctx.store.get_setting("attendance_time_writes", True)
    allowed = {"attendance", "attendance_time"} if time_writes else {"attendance"}
    unknown = [name for name in tables if name not in allowed]
    if unknown:
        raise ValueError(f"unknown table {unknown[0]}")
    times = tables.get("attendance_time")
    if times is not None and not isinstance(times, dict):
        raise ValueError('"attendance_time" must be an object of column values')
    return {"attendance": tables["attendance"], "attendance_time": times}


def write_records(ctx, records, modes):
    access.require_write(ctx.store, "attendance", written_fields(records))
    results = [write_record(ctx, record, modes) for record in records]
    payload = {
        "insert_count": sum(result["action"] == "INSERT" and result["status"] == "SUCCESS" for result in results),
        "update_count": sum(result["action"] == "UPDATE" and result["status"] == "SUCCESS" for result in results),
        "delete_count": 0,
        "result": results,
    }
    failed = any(result["status"] == "ERROR" for result in results)
    return Response.json(payload, int(ctx.store.get_setting("attendance_error_status", 400)) if failed else 200)


def written_fields(records):
    fields = []
    for record in records:
        fields += [
            ("attendance", name.lower())
            for name in record["attendance"]
            if name.lower() not in MEETING_TIMES + ("dcid", "id")
        ]
        if record["attendance_time"] is not None:
            fields += [("attendance_time", "attendanceid")]
            fields += [
                ("attendance_time", name.lower()) for name in record["attendance_time"] if name.lower() not in TIME_KEYS
            ]
    return fields


def write_record(ctx, record, modes):
    action = "UPDATE" if record["attendance"].get("dcid") not in (None, "", "0", 0) else "INSERT"
    try:
        values = checked_record(ctx.store, record["attendance"], modes)
        times = _time_values(record["attendance_time"])
        with ctx.store.transaction() as conn:
            existing = existing_record(ctx.store, values)
            action = "UPDATE" if existing else "INSERT"
            dcid = _upsert_attendance(conn, values, existing)
            if times is not None:
                _upsert_time(conn, dcid, times)
    except Rejection as rejection:
        return _error(action, rejection)
    ref = f"{ctx.base_url}/ws/schema/table/attendance/{dcid}"
    return {"client_uid": None, "status": "SUCCESS", "action": action, "success_message": {"id": dcid, "ref": ref}}


def _time_values(times):
    if times is None:
        return None
    try:
        values = rows.coerce_values("attendance_time", times)
    except ValueError as error:
        raise Rejection("attendance_time", f"Record Not Saved. : {error}.") from None
    return {column: value for column, value in values.items() if column not in TIME_KEYS}


def _upsert_attendance(conn, values, existing):
    values = {column: value for column, value in values.items() if column != "dcid"}
    if existing is None:
        return rows.insert_row(conn, "attendance", values)
    rows.update_row(conn, "attendance", existing["dcid"], values)
    return existing["dcid"]


def _upsert_time(conn, attendance_dcid, times):
    attendance_id = conn.execute("SELECT id FROM attendance WHERE dcid = ?", (attendance_dcid,)).fetchone()["id"]
    linked = conn.execute("SELECT dcid FROM attendance_time WHERE attendanceid = ?", (attendance_id,)).fetchone()
    if linked is None:
        rows.insert_row(conn, "attendance_time", {**times, "attendanceid": attendance_id})
    else:
        rows.update_row(conn, "attendance_time", linked["dcid"], times)


def _error(action, rejection):
    error = {"field": f"attendance/{rejection.field}", "error_code": "INVALID", "error_description": rejection.message}
    return {"client_uid": None, "status": "ERROR", "action": action, "error_message": {"error": [error]}}


def _text(values, name):
    found = next((value for key, value in values.items() if key.lower() == name), None)
    return str(found).strip() if found is not None else None


ROUTES = [
    ("POST", r"/ws/attendance/daily_time", daily_time),
    ("POST", r"/ws/attendance/meeting_interval", meeting_interval),
    ("POST", r"/ws/attendance/batch_daily_time", batch_daily_time),
]
