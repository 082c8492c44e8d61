import json
import re
from types import SimpleNamespace

import pytest

from sandbox.api import control
from sandbox.http import Request
from tests.sandbox.test_plugin import GOOD


def _call(store, method, path, body=None, query="", raw=None):
    for route_method, pattern, view in control.ROUTES:
        match = re.fullmatch(pattern, path)
        if match and route_method == method:
            payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
            response = view(
                SimpleNamespace(store=store), Request.build(method, path, query, {}, payload), **match.groupdict()
            )
            return response.status, json.loads(response.body)
    raise AssertionError(f"no route for {method} {path}")


def _student(store, school_number=3001):
    return store.query_one(
        "SELECT * FROM students WHERE schoolid = ? AND enroll_status = 0 AND entrydate <= '2026-10-14' ORDER BY dcid",
        (school_number,),
    )


def _write_attendance(store, student, mode="ATT_ModeDaily", date="2026-10-14", code="T"):
    code_row = store.query_one(
        "SELECT id FROM attendance_code WHERE schoolid = ? AND yearid = 36 AND att_code = ?",
        (student["schoolid"], code),
    )
    with store.transaction() as conn:
        attendance_id = 900 + conn.execute("SELECT COUNT(*) FROM attendance").fetchone()[0]
        conn.execute(
            "INSERT INTO attendance (dcid, id, studentid, schoolid, yearid, att_date, attendance_codeid, att_mode_code, att_comment) "
            "VALUES (?, ?, ?, ?, 36, ?, ?, ?, 'Late check-in 08:47')",
            (attendance_id + 5000, attendance_id, student["id"], student["schoolid"], date, code_row["id"], mode),
        )
        conn.execute(
            "INSERT INTO attendance_time (dcid, id, attendanceid, time_in) VALUES (?, ?, ?, 31620)",
            (attendance_id + 7000, attendance_id + 100, attendance_id),
        )


def test_the_summary_lists_schools_with_keys_modes_and_a_sample_student(sandbox_store):
    status, summary = _call(sandbox_store, "GET", "/_sandbox/summary")
    assert status == 200
    assert summary["profile"] == "25.7" and summary["today"] == "2026-10-14" and summary["dataversion"] == 0
    assert summary["counts"]["students"] == 60
    high = next(school for school in summary["schools"] if school["school_number"] == 3001)
    assert high["attendance_modes"] == {"35": "ATT_ModeMeeting", "36": "ATT_ModeMeeting"}
    assert high["dcid"] != high["school_number"] and high["sample_student"]["student_number"]
    assert summary["plugin"]["name"] == "RaptorLink" and summary["plugin"]["enabled"] is True


def test_attendance_shows_what_was_written_with_code_text_and_times(sandbox_store):
    student = _student(sandbox_store)
    _write_attendance(sandbox_store, student)
    status, body = _call(sandbox_store, "GET", "/_sandbox/attendance")
    record = body["attendance"][0]
    assert status == 200 and body["count"] == 1
    assert (record["att_code"], record["code_description"], record["att_comment"]) == (
        "T",
        "Tardy",
        "Late check-in 08:47",
    )
    assert record["student"] == {
        "dcid": student["dcid"],
        "id": student["id"],
        "student_number": student["student_number"],
        "name": student["lastfirst"],
    }
    assert record["attendance_time"][0]["time_in"] == 31620


def test_attendance_can_be_filtered_by_student_date_and_mode(sandbox_store):
    first, second = _student(sandbox_store, 3001), _student(sandbox_store, 1001)
    _write_attendance(sandbox_store, first, mode="ATT_ModeMeeting")
    _write_attendance(sandbox_store, second, date="2026-10-15")
    assert _call(sandbox_store, "GET", "/_sandbox/attendance", query=f"student={first['dcid']}")[1]["count"] == 1
    assert _call(sandbox_store, "GET", "/_sandbox/attendance", query="date=2026-10-15")[1]["count"] == 1
    assert _call(sandbox_store, "GET", "/_sandbox/attendance", query="mode=daily")[1]["count"] == 1
    assert _call(sandbox_store, "GET", "/_sandbox/attendance", query="mode=ATT_ModeMeeting")[1]["count"] == 1
    assert (
        _call(sandbox_store, "GET", "/_sandbox/attendance", query=f"student_number={second['student_number']}")[1][
            "count"
        ]
        == 1
    )


def test_a_bad_attendance_filter_is_refused(sandbox_store):
    with pytest.raises(ValueError, match="date must be a date"):
        _call(sandbox_store, "GET", "/_sandbox/attendance", query="date=yesterday")


def test_attendance_time_rows_are_listed_with_their_attendance(sandbox_store):
    student = _student(sandbox_store)
    _write_attendance(sandbox_store, student)
    status, body = _call(sandbox_store, "GET", "/_sandbox/attendance_time")
    assert status == 200 and body["attendance_time"][0]["student_dcid"] == student["dcid"]


def test_enrolling_through_the_endpoint(sandbox_store):
    status, body = _call(
        sandbox_store,
        "POST",
        "/_sandbox/students",
        {
            "school_number": 2001,
            "grade_level": 7,
            "first_name": "José",
            "last_name": "O'Brien",
            "entrydate": "2026-10-14",
        },
    )
    assert status == 201
    assert (
        sandbox_store.query_one("SELECT lastfirst FROM students WHERE dcid = ?", (body["dcid"],))[0] == "O'Brien, José"
    )


def test_enrolling_without_the_required_fields_is_refused(sandbox_store):
    with pytest.raises(ValueError, match="Missing fields: first_name, grade_level"):
        _call(sandbox_store, "POST", "/_sandbox/students", {"school_number": 2001, "last_name": "X"})
    with pytest.raises(ValueError, match="Unknown fields: colour"):
        _call(sandbox_store, "POST", "/_sandbox/students", {"colour": "red"})


def test_withdrawing_renaming_and_changing_contacts_through_the_endpoints(sandbox_store):
    student = _student(sandbox_store)
    path = f"/_sandbox/students/{student['dcid']}"
    person_id = sandbox_store.query_one(
        "SELECT personid FROM studentcontactassoc WHERE studentdcid = ?", (student["dcid"],)
    )[0]
    assert _call(sandbox_store, "POST", f"{path}/rename", {"first_name": "Chloé"})[1]["first_name"] == "Chloé"
    _call(sandbox_store, "POST", f"{path}/contacts", {"edit": [{"person_id": person_id, "school_pickup": False}]})
    assert _call(sandbox_store, "POST", f"{path}/withdraw", {"exitdate": "2026-10-20"})[1]["enroll_status"] == 2
    assert sandbox_store.current_dataversion() > 3


def test_changing_a_schedule_through_the_endpoint(sandbox_store):
    student = _student(sandbox_store)
    cc = sandbox_store.query_one(
        "SELECT dcid FROM cc WHERE studentid = ? AND sectionid > 0 AND termid = 3600", (student["id"],)
    )
    status, _ = _call(
        sandbox_store, "POST", f"/_sandbox/students/{student['dcid']}/schedule", {"drop": [cc[0]], "on": "2026-10-15"}
    )
    assert status == 200
    assert sandbox_store.query_one("SELECT sectionid FROM cc WHERE dcid = ?", (cc[0],))[0] < 0


def test_an_unknown_student_is_a_clear_error(sandbox_store):
    with pytest.raises(ValueError, match="No student with DCID 42"):
        _call(sandbox_store, "POST", "/_sandbox/students/42/rename", {"first_name": "A"})


def test_a_body_that_is_not_a_json_object_is_refused(sandbox_store):
    with pytest.raises(ValueError, match="JSON object"):
        _call(sandbox_store, "POST", "/_sandbox/students/42/rename", ["first_name"])
    with pytest.raises(ValueError, match="not valid JSON"):
        _call(sandbox_store, "POST", "/_sandbox/students/42/rename", raw=b"{first_name")


def test_installing_a_plugin_xml_body(sandbox_store):
    status, body = _call(sandbox_store, "PUT", "/_sandbox/plugin", raw=GOOD.encode())
    assert status == 200
    assert (body["name"], body["granted_fields"], body["unknown_fields"]) == (
        "RaptorLink Kiosk",
        4,
        ["u_kiosk_ext.badge"],
    )


def test_a_malformed_plugin_xml_body_is_refused(sandbox_store):
    with pytest.raises(ValueError, match="not well-formed"):
        _call(sandbox_store, "PUT", "/_sandbox/plugin", raw=b"<plugin name='x'")


def test_disabling_regenerating_and_configuring_the_plugin(sandbox_store):
    before = _call(sandbox_store, "GET", "/_sandbox/summary")[1]["plugin"]
    status, body = _call(
        sandbox_store,
        "PUT",
        "/_sandbox/plugin",
        {"enabled": False, "regenerate_credentials": True, "min_request_interval_ms": 500},
    )
    assert status == 200
    assert body["enabled"] is False and body["client_id"] != before["client_id"]
    assert body["min_request_interval_ms"] == 500
    with pytest.raises(ValueError, match="enabled must be true or false"):
        _call(sandbox_store, "PUT", "/_sandbox/plugin", {"enabled": "no"})


def test_setting_an_attendance_mode_through_the_endpoint(sandbox_store):
    status, body = _call(
        sandbox_store,
        "PUT",
        "/_sandbox/attendance_mode",
        {"school_number": 1001, "yearid": 36, "mode": "ATT_ModeMeeting"},
    )
    assert status == 200 and body == {"school_number": 1001, "yearid": 36, "att_mode_code": "ATT_ModeMeeting"}
    with pytest.raises(ValueError, match="Missing fields: yearid"):
        _call(sandbox_store, "PUT", "/_sandbox/attendance_mode", {"school_number": 1001, "mode": "Daily"})


def test_reset_through_the_endpoint_regenerates_the_district(sandbox_store):
    student = _student(sandbox_store)
    _call(sandbox_store, "POST", f"/_sandbox/students/{student['dcid']}/rename", {"first_name": "Changed"})
    status, body = _call(sandbox_store, "POST", "/_sandbox/reset")
    assert status == 200 and body["counts"]["students"] == 60 and body["dataversion"] == 0
    assert (
        sandbox_store.query_one("SELECT first_name FROM students WHERE dcid = ?", (student["dcid"],))[0]
        == student["first_name"]
    )
