import pytest

from tests.sandbox.ws_client import WsClient, enrolled_student, grant


@pytest.fixture
def ws(sandbox_store):
    return WsClient(sandbox_store)


def application(store):
    return store.query_one("SELECT dataversion_app FROM sandbox_plugin")["dataversion_app"]


def late_check_in(ws, store):
    student = enrolled_student(store, "ATT_ModeDaily")
    code = store.query_one("SELECT id FROM attendance_code WHERE schoolid = ? AND yearid = 36", (student["schoolid"],))[
        "id"
    ]
    attendance = {
        "studentid": str(student["id"]),
        "schoolid": str(student["schoolid"]),
        "yearid": "36",
        "att_date": "2026-10-14",
        "att_mode_code": "ATT_ModeDaily",
        "attendance_codeid": str(code),
    }
    answer = ws.post(
        "/ws/attendance/daily_time",
        {"record": [{"tables": {"attendance": attendance, "attendance_time": {"time_in": "31020"}}}]},
    )
    return answer.json["result"][0]["success_message"]["id"]


def test_a_delta_pull_lists_the_rows_written_since_a_version(ws, sandbox_store):
    late_check_in(ws, sandbox_store)
    version = sandbox_store.current_dataversion()
    dcid = late_check_in(ws, sandbox_store)
    body = ws.get(f"/ws/dataversion/{application(sandbox_store)}/{version}").json
    time_dcid = sandbox_store.query_one("SELECT dcid FROM attendance_time ORDER BY dcid DESC LIMIT 1")["dcid"]
    assert body == {
        "$dataversion": str(sandbox_store.current_dataversion()),
        "tables": {"attendance": [dcid], "attendance_time": [time_dcid]},
    }
    assert ws.get(f"/ws/dataversion/{application(sandbox_store)}/{body['$dataversion']}").json["tables"] == {}


def test_version_zero_lists_every_row_of_the_readable_tables(ws, sandbox_store):
    grant(sandbox_store, "courses", "course_name", "NoAccess")
    with sandbox_store.transaction() as conn:
        conn.execute("DELETE FROM sandbox_field_access WHERE table_name = 'cc'")
    body = ws.get(f"/ws/dataversion/{application(sandbox_store)}/0").json
    students = [row["dcid"] for row in sandbox_store.query("SELECT dcid FROM students ORDER BY dcid")]
    assert body["tables"]["students"] == students
    assert "cc" not in body["tables"] and "courses" in body["tables"]


def test_deleted_rows_and_unreadable_tables_are_left_out(ws, sandbox_store):
    dcid = late_check_in(ws, sandbox_store)
    version = sandbox_store.current_dataversion()
    late_check_in(ws, sandbox_store)
    ws.delete(f"/ws/schema/table/attendance/{dcid}")
    with sandbox_store.transaction() as conn:
        conn.execute("DELETE FROM sandbox_field_access WHERE table_name = 'attendance_time'")
    assert ws.get(f"/ws/dataversion/{application(sandbox_store)}/{version}").json["tables"] == {}


def test_an_unknown_application_or_a_bad_version_is_refused(ws, sandbox_store):
    assert ws.get("/ws/dataversion/SomeoneElse/0").status == 404
    assert ws.get(f"/ws/dataversion/{application(sandbox_store)}/yesterday").status == 400


def test_versions_before_9_3_have_no_delta_pull(sandbox_store):
    sandbox_store.set_setting("profile", "9.2")
    assert WsClient(sandbox_store).get(f"/ws/dataversion/{application(sandbox_store)}/0").status == 404
