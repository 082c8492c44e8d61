import pytest

from sandbox import schema
from tests.fixtures import powerschool_fixture
from tests.sandbox.ws_client import WsClient, grant


@pytest.fixture
def ws(sandbox_store):
    return WsClient(sandbox_store)


def add_attendance(store, **values):
    student = store.query_one("SELECT id, schoolid FROM students ORDER BY dcid LIMIT 1")
    row = {
        "studentid": student["id"],
        "schoolid": student["schoolid"],
        "yearid": 36,
        "att_date": "2026-10-13",
        "attendance_codeid": 1,
        "att_mode_code": "ATT_ModeDaily",
        **values,
    }
    with store.transaction() as conn:
        dcid = conn.execute("SELECT COALESCE(MAX(dcid), 0) + 1 FROM attendance").fetchone()[0]
        row = {"dcid": dcid, "id": dcid + 5000, **row}
        conn.execute(
            f"INSERT INTO attendance ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
        )
    return row


def test_a_table_query_returns_records_with_a_numeric_dcid_and_string_values(ws, sandbox_store):
    answer = ws.get("/ws/schema/table/students", projection="dcid,id,student_number,schoolid", pagesize="2")
    assert answer.status == 200
    body = answer.json
    assert body["name"] == "Students" and body["@extensions"] == ""
    first = body["record"][0]
    row = sandbox_store.query_one("SELECT * FROM students ORDER BY dcid LIMIT 1")
    assert first["id"] == row["dcid"]
    assert first["tables"]["students"] == {
        "dcid": str(row["dcid"]),
        "id": str(row["id"]),
        "student_number": str(row["student_number"]),
        "schoolid": str(row["schoolid"]),
    }


def test_projection_is_required(ws):
    answer = ws.get("/ws/schema/table/students")
    assert answer.status == 400 and "projection" in answer.json["message"]


def test_a_projection_with_an_ungranted_column_is_refused_with_validation_failed(ws, sandbox_store):
    grant(sandbox_store, "students", "dob", "NoAccess")
    answer = ws.get("/ws/schema/table/students", projection="dcid,dob")
    assert answer.status == 403
    assert answer.json == {
        "message": "Validation Failed",
        "errors": [{"resource": "students", "field": "students.dob", "code": "No access to the field"}],
    }


def test_star_projects_only_the_granted_columns(ws, sandbox_store):
    grant(sandbox_store, "students", "dob", "NoAccess")
    record = ws.get("/ws/schema/table/students", projection="*", pagesize="1").json["record"][0]
    columns = record["tables"]["students"]
    assert "dob" not in columns and "first_name" in columns


def test_filtering_on_an_ungranted_column_is_refused(ws, sandbox_store):
    grant(sandbox_store, "students", "dob", "NoAccess")
    answer = ws.get("/ws/schema/table/students", projection="dcid", q="dob=gt=2010-01-01")
    assert answer.status == 403 and answer.json["errors"][0]["field"] == "students.dob"


def test_q_filters_rows_and_count_counts_them(ws, sandbox_store):
    school = sandbox_store.query_one("SELECT schoolid FROM students LIMIT 1")["schoolid"]
    expected = sandbox_store.query_one("SELECT COUNT(*) FROM students WHERE schoolid = ?", (school,))[0]
    assert ws.get("/ws/schema/table/students/count", q=f"SchoolID=={school}").json == {"count": expected}
    records = ws.get("/ws/schema/table/students", projection="schoolid", q=f"schoolid=={school}", pagesize="100").json[
        "record"
    ]
    assert len(records) == expected and {r["tables"]["students"]["schoolid"] for r in records} == {str(school)}


def test_a_bad_q_is_a_400_naming_the_problem(ws):
    answer = ws.get("/ws/schema/table/students", projection="dcid", q="nonsense==1")
    assert answer.status == 400 and answer.json == {
        "message": "Invalid q clause 'nonsense==1': unknown column 'nonsense'"
    }


def test_pages_follow_the_sort_and_the_page_size_is_capped(ws, sandbox_store):
    with sandbox_store.transaction() as conn:
        conn.execute("UPDATE sandbox_plugin SET max_table_page_size = 7")
    total = sandbox_store.query_one("SELECT COUNT(*) FROM students")[0]
    first = ws.get("/ws/schema/table/students", projection="dcid", pagesize="500", sort="dcid", sortdescending="true")
    second = ws.get(
        "/ws/schema/table/students", projection="dcid", pagesize="500", page="2", sort="dcid", sortdescending="true"
    )
    dcids = [r["id"] for r in first.json["record"] + second.json["record"]]
    assert len(first.json["record"]) == 7
    assert dcids == sorted(dcids, reverse=True) and len(set(dcids)) == 14
    last_page = -(-total // 7)
    assert ws.get("/ws/schema/table/students", projection="dcid", page=str(last_page + 1)).json["record"] == []


def test_bad_paging_and_sort_parameters_are_400s(ws):
    assert ws.get("/ws/schema/table/students", projection="dcid", page="0").status == 400
    assert ws.get("/ws/schema/table/students", projection="dcid", pagesize="ten").status == 400
    assert ws.get("/ws/schema/table/students", projection="dcid", sort="shoe_size").status == 400


def test_a_single_row_is_read_by_its_primary_key(ws, sandbox_store):
    row = sandbox_store.query_one("SELECT * FROM students ORDER BY dcid DESC LIMIT 1")
    answer = ws.get(f"/ws/schema/table/students/{row['dcid']}", projection="id,last_name")
    assert answer.json == {
        "id": row["dcid"],
        "name": "Students",
        "tables": {"students": {"id": str(row["id"]), "last_name": row["last_name"]}},
    }


def test_a_missing_row_or_table_is_a_404_with_a_message(ws):
    assert ws.get("/ws/schema/table/students/999999", projection="id").json == {
        "message": "No students record with dcid 999999"
    }
    assert ws.get("/ws/schema/table/lunch_menu", projection="*").status == 404
    assert ws.get("/ws/schema/table/sandbox_plugin", projection="*").status == 404


def test_every_schema_table_can_be_read(ws, sandbox_store):
    for table in schema.POWERSCHOOL_TABLES:
        answer = ws.get(f"/ws/schema/table/{table}", projection="*", pagesize="2")
        assert answer.status == 200, table
        assert ws.get(f"/ws/schema/table/{table}/count").status == 200


def test_metadata_lists_columns_with_their_access(ws, sandbox_store):
    grant(sandbox_store, "attendance", "ip_address", "NoAccess")
    body = ws.get("/ws/schema/table/attendance/metadata", expansions="access").json
    access = {column["name"]: column["access"] for column in body["columns"]}
    assert access["att_comment"] == "FullAccess" and access["ip_address"] == "NoAccess"
    assert ws.get("/ws/schema/table/students/metadata", expansions="access").json["columns"][0]["access"] == "ViewOnly"
    assert "access" not in ws.get("/ws/schema/table/students/metadata").json["columns"][0]


def test_attendance_time_rows_are_inserted_updated_and_deleted(ws, sandbox_store):
    attendance = add_attendance(sandbox_store)
    version = sandbox_store.current_dataversion()
    inserted = ws.post(
        "/ws/schema/table/attendance_time",
        {"tables": {"attendance_time": {"attendanceid": str(attendance["id"]), "time_in": "31020", "time_out": "0"}}},
    )
    assert inserted.status == 200
    result = inserted.json["result"][0]
    assert inserted.json["insert_count"] == 1 and result["status"] == "SUCCESS" and result["action"] == "INSERT"
    dcid = result["success_message"]["id"]
    assert result["success_message"]["ref"] == f"https://district.example/ws/schema/table/attendance_time/{dcid}"

    updated = ws.put(f"/ws/schema/table/attendance_time/{dcid}", {"tables": {"attendance_time": {"time_out": "54000"}}})
    assert updated.json["update_count"] == 1 and updated.json["result"][0]["action"] == "UPDATE"
    row = ws.get(f"/ws/schema/table/attendance_time/{dcid}", projection="id,time_in,time_out").json
    assert row["tables"]["attendance_time"]["time_out"] == "54000"
    assert row["tables"]["attendance_time"]["id"] != str(dcid)

    assert ws.delete(f"/ws/schema/table/attendance_time/{dcid}").status == 204
    assert ws.get(f"/ws/schema/table/attendance_time/{dcid}", projection="id").status == 404
    changes = sandbox_store.query(
        "SELECT operation FROM sandbox_dataversion WHERE version > ? ORDER BY version", (version,)
    )
    assert [row["operation"] for row in changes] == ["INSERT", "UPDATE", "DELETE"]


def test_written_values_are_checked_against_the_columns(ws, sandbox_store):
    attendance = add_attendance(sandbox_store)
    bad_number = ws.post(
        "/ws/schema/table/attendance_time",
        {"tables": {"attendance_time": {"attendanceid": str(attendance["id"]), "time_in": "8:47"}}},
    )
    assert bad_number.status == 400 and "time_in must be a whole number" in bad_number.json["message"]
    unknown = ws.post("/ws/schema/table/attendance_time", {"tables": {"attendance_time": {"colour": "red"}}})
    assert unknown.status == 400 and "Unknown column 'colour'" in unknown.json["message"]
    dangling = ws.post("/ws/schema/table/attendance_time", {"tables": {"attendance_time": {"attendanceid": "424242"}}})
    assert dangling.status == 400 and "not the ID of an ATTENDANCE record" in dangling.json["message"]
    assert ws.post("/ws/schema/table/attendance_time", {"rows": []}).status == 400


def test_wrong_verbs_answer_with_powerschools_hints(ws, sandbox_store):
    attendance = add_attendance(sandbox_store)
    put_new = ws.put("/ws/schema/table/attendance_time/777777", {"tables": {"attendance_time": {"time_in": "1"}}})
    assert put_new.status == 404 and "Use POST to insert a new record" in put_new.json["message"]
    put_without_id = ws.put("/ws/schema/table/attendance_time", {"tables": {"attendance_time": {"time_in": "1"}}})
    assert put_without_id.status == 404 and "Use POST to insert a new record" in put_without_id.json["message"]
    inserted = ws.post(
        "/ws/schema/table/attendance_time", {"tables": {"attendance_time": {"attendanceid": str(attendance["id"])}}}
    )
    dcid = inserted.json["result"][0]["success_message"]["id"]
    post_existing = ws.post("/ws/schema/table/attendance_time", {"tables": {"attendance_time": {"dcid": str(dcid)}}})
    assert post_existing.status == 404 and "Use PUT to update existing records" in post_existing.json["message"]
    post_with_id = ws.post(f"/ws/schema/table/attendance_time/{dcid}", {"tables": {"attendance_time": {}}})
    assert post_with_id.status == 404 and "Use PUT to update existing records" in post_with_id.json["message"]


def test_attendance_cannot_be_inserted_through_the_table_api(ws):
    answer = ws.post("/ws/schema/table/attendance", {"tables": {"attendance": {"studentid": "1"}}})
    assert answer.status == 403 and "/ws/attendance/daily_time" in answer.json["message"]
    assert ws.post("/ws/schema/table/students", {"tables": {"students": {"first_name": "X"}}}).status == 403


def test_writing_without_full_access_lists_the_fields(ws, sandbox_store):
    attendance = add_attendance(sandbox_store)
    grant(sandbox_store, "attendance_time", "time_in", "ViewOnly")
    answer = ws.post(
        "/ws/schema/table/attendance_time",
        {"tables": {"attendance_time": {"attendanceid": str(attendance["id"]), "time_in": "31020"}}},
    )
    assert answer.status == 403
    assert answer.json["errors"] == [
        {"resource": "attendance_time", "field": "attendance_time.time_in", "code": "No access to the field"}
    ]


def test_deleting_attendance_removes_its_time_rows_and_is_logged(ws, sandbox_store):
    attendance = add_attendance(sandbox_store)
    ws.post(
        "/ws/schema/table/attendance_time", {"tables": {"attendance_time": {"attendanceid": str(attendance["id"])}}}
    )
    assert ws.delete(f"/ws/schema/table/attendance/{attendance['dcid']}").status == 204
    assert (
        sandbox_store.query_one("SELECT COUNT(*) FROM attendance_time WHERE attendanceid = ?", (attendance["id"],))[0]
        == 0
    )
    last = sandbox_store.query_one(
        "SELECT table_name, dcid, operation FROM sandbox_dataversion ORDER BY version DESC LIMIT 1"
    )
    assert tuple(last) == ("attendance", attendance["dcid"], "DELETE")


def test_time_mode_attendance_cannot_be_deleted_only_zeroed(ws, sandbox_store):
    attendance = add_attendance(sandbox_store, att_mode_code="ATT_ModeTime", total_minutes=30)
    answer = ws.delete(f"/ws/schema/table/attendance/{attendance['dcid']}")
    assert answer.status == 403 and "cannot be deleted, only zeroed" in answer.json["message"]


def test_deleting_needs_full_access_and_an_allowed_table(ws, sandbox_store):
    attendance = add_attendance(sandbox_store)
    grant(sandbox_store, "attendance", "yearid", "ViewOnly")
    refused = ws.delete(f"/ws/schema/table/attendance/{attendance['dcid']}")
    assert refused.status == 403 and refused.json["errors"][0]["field"] == "attendance.yearid"
    student = sandbox_store.query_one("SELECT dcid FROM students LIMIT 1")["dcid"]
    assert ws.delete(f"/ws/schema/table/students/{student}").status == 403


def load_fixture(name):
    return powerschool_fixture(name)


@pytest.mark.parametrize(
    "table, fixture",
    [
        ("attendance", "attendance_by_student_response.json"),
        ("attendance_code", "attendance_code_response.json"),
    ],
)
def test_table_answers_have_the_shape_of_real_powerschool_answers(ws, sandbox_store, table, fixture):
    real = load_fixture(fixture)
    if table == "attendance":
        add_attendance(sandbox_store)
    ours = ws.get(f"/ws/schema/table/{table}", projection="*", pagesize="3").json
    assert set(real) <= set(ours) and isinstance(ours["record"], list) and ours["record"]
    real_record, our_record = real["record"][0], ours["record"][0]
    assert isinstance(our_record["id"], int) and isinstance(real_record["id"], int)
    assert set(real_record) <= set(our_record) and list(our_record["tables"]) == [table]
    real_values, our_values = real_record["tables"][table], our_record["tables"][table]
    assert set(real_values) == set(our_values)
    assert all(isinstance(value, str) for value in our_values.values())
    assert our_values["dcid"] == str(our_record["id"])
