"""`/_sandbox/...`: look behind the curtain (what was written, what the district holds) and change the district.

These routes are the sandbox's own, not PowerSchool's: demos, training and end-to-end tests use them to see
exactly what a write-back stored and to make the registrar's changes a sync must pick up. JSON in and out.
"""

import datetime

from sandbox import mutations, plugin, schema
from sandbox.http import Response

MODE_NAMES = {
    "daily": "ATT_ModeDaily",
    "meeting": "ATT_ModeMeeting",
    "time": "ATT_ModeTime",
    "interval": "ATT_ModeInterval",
}
DEFAULT_LIMIT = 500
STUDENT = r"/_sandbox/students/(?P<dcid>\d+)"

ATTENDANCE_SQL = """
    SELECT a.*, s.dcid AS student_dcid, s.student_number, s.lastfirst, c.att_code, c.description AS code_description,
           p.period_number
    FROM attendance a
    LEFT JOIN students s ON s.id = a.studentid
    LEFT JOIN attendance_code c ON c.id = a.attendance_codeid
    LEFT JOIN period p ON p.id = a.periodid
"""


def attendance_view(ctx, request):
    """What was written to ATTENDANCE, with its code text and ATTENDANCE_TIME rows; filter by student/date/mode."""
    where, params = _attendance_filters(request.query)
    rows = ctx.store.query(
        f"{ATTENDANCE_SQL} WHERE {where} ORDER BY a.att_date, a.studentid, a.periodid, a.dcid LIMIT ?",
        [*params, _limit(request.query)],
    )
    times = _times_by_attendance(ctx.store, [row["id"] for row in rows])
    records = [_attendance_record(row, times.get(row["id"], [])) for row in rows]
    return Response.json({"count": len(records), "attendance": records})


def attendance_time_view(ctx, request):
    """Every ATTENDANCE_TIME row, with the attendance it belongs to."""
    rows = ctx.store.query(
        """
        SELECT t.*, a.att_date, a.att_mode_code, s.dcid AS student_dcid, s.student_number
        FROM attendance_time t
        LEFT JOIN attendance a ON a.id = t.attendanceid
        LEFT JOIN students s ON s.id = a.studentid
        ORDER BY t.dcid LIMIT ?
        """,
        (_limit(request.query),),
    )
    return Response.json({"count": len(rows), "attendance_time": [dict(row) for row in rows]})


def reset_view(ctx, request):
    counts = mutations.reset(ctx.store)
    return Response.json({"counts": counts, "dataversion": ctx.store.current_dataversion()})


def enroll_view(ctx, request):
    body = _object(request)
    fields = _pick(
        body,
        {
            "school_number",
            "grade_level",
            "first_name",
            "last_name",
            "middle_name",
            "gender",
            "dob",
            "entrydate",
            "contacts",
            "sections",
        },
    )
    _require(fields, {"school_number", "grade_level", "first_name", "last_name"})
    return Response.json(mutations.enroll_student(ctx.store, **fields), status=201)


def withdraw_view(ctx, request, dcid):
    fields = _pick(_object(request), {"exitdate"})
    return Response.json(mutations.withdraw_student(ctx.store, int(dcid), **fields))


def rename_view(ctx, request, dcid):
    fields = _pick(_object(request), {"first_name", "middle_name", "last_name"})
    return Response.json(mutations.rename_student(ctx.store, int(dcid), **fields))


def contacts_view(ctx, request, dcid):
    fields = _pick(_object(request), {"add", "remove", "edit"})
    return Response.json(mutations.change_contacts(ctx.store, int(dcid), **fields))


def schedule_view(ctx, request, dcid):
    fields = _pick(_object(request), {"drop", "add", "on"})
    return Response.json(mutations.change_schedule(ctx.store, int(dcid), **fields))


def summary_view(ctx, request):
    """The district at a glance: counts, schools with their keys and modes, a sample student each, the plugin."""
    store = ctx.store
    counts = {table: store.query_one(f"SELECT COUNT(*) AS n FROM {table}")["n"] for table in schema.POWERSCHOOL_TABLES}
    installed = plugin.installed_plugin(store)
    return Response.json(
        {
            "district": {
                key: store.get_setting(key)
                for key in ("district_name", "district_number", "district_uuid", "district_timezone", "state")
            },
            "profile": store.get_setting("profile"),
            "seed": store.get_setting("seed"),
            "today": store.get_setting("today"),
            "dataversion": store.current_dataversion(),
            "counts": counts,
            "schools": [
                _school_summary(store, row) for row in store.query("SELECT * FROM schools ORDER BY school_number")
            ],
            "plugin": _plugin_summary(installed) if installed else None,
        }
    )


def plugin_view(ctx, request):
    """Install a plugin.xml (an XML body, or `plugin_xml` in JSON), enable/disable, regenerate, set options."""
    warnings = []
    if request.body.lstrip().startswith(b"<"):
        warnings = plugin.install_plugin(ctx.store, request.body).unknown_fields()
        body = {}
    else:
        body = _object(request)
    if "plugin_xml" in body:
        warnings = plugin.install_plugin(ctx.store, body.pop("plugin_xml")).unknown_fields()
    if "enabled" in body:
        plugin.set_enabled(ctx.store, _boolean(body.pop("enabled"), "enabled"))
    if _boolean(body.pop("regenerate_credentials", False), "regenerate_credentials"):
        plugin.regenerate_credentials(ctx.store)
    plugin.set_options(ctx.store, **body)
    installed = plugin.installed_plugin(ctx.store)
    granted = ctx.store.query_one("SELECT COUNT(*) AS n FROM sandbox_field_access")["n"]
    return Response.json({**_plugin_summary(installed), "granted_fields": granted, "unknown_fields": warnings})


def attendance_mode_view(ctx, request):
    fields = _pick(_object(request), {"school_number", "yearid", "mode"})
    _require(fields, {"school_number", "yearid", "mode"})
    return Response.json(mutations.set_attendance_mode(ctx.store, **fields))


# --- helpers --------------------------------------------------------------------------------------------------


def _attendance_filters(query):
    clauses, params = ["1 = 1"], []
    filters = {
        "student": "s.dcid = ?",
        "studentid": "a.studentid = ?",
        "student_number": "s.student_number = ?",
        "school": "a.schoolid = ?",
        "date": "a.att_date = ?",
        "from": "a.att_date >= ?",
        "to": "a.att_date <= ?",
    }
    for name, clause in filters.items():
        value = query.get(name)
        if value:
            if name in ("date", "from", "to"):
                _iso_date(value, name)
            clauses.append(clause)
            params.append(value)
    mode = query.get("mode")
    if mode:
        clauses.append("a.att_mode_code = ?")
        params.append(MODE_NAMES.get(mode.lower(), mode))
    return " AND ".join(clauses), params


def _times_by_attendance(store, attendance_ids):
    times = {}
    if not attendance_ids:
        return times
    placeholders = ", ".join("?" * len(attendance_ids))
    for row in store.query(
        f"SELECT * FROM attendance_time WHERE attendanceid IN ({placeholders}) ORDER BY dcid", attendance_ids
    ):
        times.setdefault(row["attendanceid"], []).append(dict(row))
    return times


def _attendance_record(row, times):
    record = {column: row[column] for column in schema.columns("attendance")}
    record.update(
        {
            "student": {
                "dcid": row["student_dcid"],
                "id": row["studentid"],
                "student_number": row["student_number"],
                "name": row["lastfirst"],
            },
            "att_code": row["att_code"],
            "code_description": row["code_description"],
            "period_number": row["period_number"],
            "attendance_time": times,
        }
    )
    return record


def _school_summary(store, school):
    modes = {
        str(row["yearid"]): row["att_mode_code"]
        for row in store.query(
            "SELECT yearid, att_mode_code FROM sandbox_attendance_mode WHERE schoolid = ? ORDER BY yearid",
            (school["school_number"],),
        )
    }
    sample = store.query_one(
        "SELECT dcid, id, student_number, lastfirst, grade_level FROM students "
        "WHERE schoolid = ? AND enroll_status = 0 ORDER BY dcid LIMIT 1",
        (school["school_number"],),
    )
    students = store.query_one(
        "SELECT COUNT(*) AS n FROM students WHERE schoolid = ? AND enroll_status = 0", (school["school_number"],)
    )["n"]
    return {
        "dcid": school["dcid"],
        "id": school["id"],
        "school_number": school["school_number"],
        "name": school["name"],
        "low_grade": school["low_grade"],
        "high_grade": school["high_grade"],
        "address": school["school_address"],
        "attendance_modes": modes,
        "active_students": students,
        "sample_student": dict(sample) if sample else None,
    }


def _plugin_summary(row):
    return {
        key: row[key]
        for key in (
            "plugin_id",
            "name",
            "client_id",
            "client_secret",
            "dataversion_app",
            "v1_access_level",
            "min_request_interval_ms",
            "token_lifetime_s",
            "max_page_size",
            "max_table_page_size",
        )
    } | {"enabled": bool(row["enabled"]), "reuse_token": bool(row["reuse_token"])}


def _object(request):
    body = request.json()
    if not isinstance(body, dict):
        raise ValueError("The request body must be a JSON object")
    return body


def _pick(body, allowed):
    unknown = set(body) - allowed
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
    return body


def _require(body, required):
    missing = required - set(body)
    if missing:
        raise ValueError(f"Missing fields: {', '.join(sorted(missing))}")


def _boolean(value, name):
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value


def _limit(query):
    value = query.get("limit", str(DEFAULT_LIMIT))
    if not value.isdigit() or int(value) == 0:
        raise ValueError("limit must be a positive whole number")
    return int(value)


def _iso_date(value, name):
    try:
        datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{name} must be a date like 2026-10-14, not {value!r}") from error


ROUTES = [
    ("GET", r"/_sandbox/attendance", attendance_view),
    ("GET", r"/_sandbox/attendance_time", attendance_time_view),
    ("POST", r"/_sandbox/reset", reset_view),
    ("POST", r"/_sandbox/students", enroll_view),
    ("POST", rf"{STUDENT}/withdraw", withdraw_view),
    ("POST", rf"{STUDENT}/rename", rename_view),
    ("POST", rf"{STUDENT}/contacts", contacts_view),
    ("POST", rf"{STUDENT}/schedule", schedule_view),
    ("GET", r"/_sandbox/summary", summary_view),
    ("PUT", r"/_sandbox/plugin", plugin_view),
    ("PUT", r"/_sandbox/attendance_mode", attendance_mode_view),
]
