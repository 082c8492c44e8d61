import pytest

from tests.sandbox.ws_client import WsClient, enrolled_student, grant

DAY = "2026-10-14"


@pytest.fixture
def ws(sandbox_store):
    return WsClient(sandbox_store)


def code_id(store, school, yearid=36, presence="Absent"):
    return store.query_one(
        "SELECT id FROM attendance_code WHERE schoolid = ? AND yearid = ? AND presence_status_cd = ? "
        "ORDER BY sortorder",
        (school, yearid, presence),
    )["id"]


def daily(store, mode="ATT_ModeDaily", **changes):
    student = enrolled_student(store, mode)
    values = {
        "studentid": student["id"],
        "schoolid": student["schoolid"],
        "yearid": 36,
        "att_date": DAY,
        "att_mode_code": mode,
        "attendance_codeid": code_id(store, student["schoolid"]),
        "att_comment": "Late check-in 08:47 (kiosk)",
        **changes,
    }
    return {key: str(value) for key, value in values.items()}


def envelope(*attendances, times=None):
    records = []
    for attendance in attendances:
        tables = {"attendance": attendance}
        if times is not None:
            tables["attendance_time"] = times
        records.append({"name": "ATTENDANCE", "tables": tables})
    return {"name": "ATTENDANCE", "record": records}


def error_of(answer):
    [result] = answer.json["result"]
    assert result["status"] == "ERROR"
    [error] = result["error_message"]["error"]
    return error["field"], error["error_description"]


def attendance_rows(store, studentid):
    return store.query("SELECT * FROM attendance WHERE studentid = ? ORDER BY dcid", (int(studentid),))


def test_a_daily_record_is_inserted_with_a_dcid_that_is_not_its_id(ws, sandbox_store):
    record = daily(sandbox_store)
    answer = ws.post("/ws/attendance/daily_time", envelope(record))
    assert answer.status == 200
    assert answer.json["insert_count"] == 1 and answer.json["update_count"] == 0
    result = answer.json["result"][0]
    assert result["status"] == "SUCCESS" and result["action"] == "INSERT" and result["client_uid"] is None
    dcid = result["success_message"]["id"]
    assert result["success_message"]["ref"] == f"https://district.example/ws/schema/table/attendance/{dcid}"
    [row] = attendance_rows(sandbox_store, record["studentid"])
    assert row["dcid"] == dcid and row["id"] != dcid and row["att_comment"] == record["att_comment"]
    assert row["calendar_dayid"] > 0
    visible = ws.get(f"/ws/schema/table/attendance/{dcid}", projection="att_comment,att_mode_code").json
    assert visible["tables"]["attendance"] == {"att_comment": record["att_comment"], "att_mode_code": "ATT_ModeDaily"}


def test_posting_daily_twice_updates_the_one_record(ws, sandbox_store):
    record = daily(sandbox_store)
    first = ws.post("/ws/attendance/daily_time", envelope(record)).json
    second = ws.post("/ws/attendance/daily_time", envelope({**record, "att_comment": "Signed out 13:10"})).json
    assert second["update_count"] == 1 and second["result"][0]["action"] == "UPDATE"
    assert second["result"][0]["success_message"]["id"] == first["result"][0]["success_message"]["id"]
    [row] = attendance_rows(sandbox_store, record["studentid"])
    assert row["att_comment"] == "Signed out 13:10"


def test_time_records_append_unless_a_dcid_names_the_one_to_update(ws, sandbox_store):
    record = daily(sandbox_store, "ATT_ModeTime", total_minutes=20)
    first = ws.post("/ws/attendance/daily_time", envelope(record)).json
    ws.post("/ws/attendance/daily_time", envelope({**record, "total_minutes": "15"}))
    assert len(attendance_rows(sandbox_store, record["studentid"])) == 2
    dcid = first["result"][0]["success_message"]["id"]
    updated = ws.post("/ws/attendance/daily_time", envelope({**record, "dcid": str(dcid), "total_minutes": "0"})).json
    assert updated["result"][0]["action"] == "UPDATE" and updated["result"][0]["success_message"]["id"] == dcid
    minutes = sorted(row["total_minutes"] for row in attendance_rows(sandbox_store, record["studentid"]))
    assert minutes == [0, 15]


def test_a_time_dcid_of_another_record_is_refused(ws, sandbox_store):
    record = daily(sandbox_store, "ATT_ModeTime")
    answer = ws.post("/ws/attendance/daily_time", envelope({**record, "dcid": "987654"}))
    assert answer.status == 400 and error_of(answer)[0] == "attendance/dcid"
    assert answer.json["result"][0]["action"] == "UPDATE"


def test_a_year_id_other_than_the_terms_is_refused_with_powerschools_message(ws, sandbox_store):
    answer = ws.post("/ws/attendance/daily_time", envelope(daily(sandbox_store, yearid=35)))
    assert answer.status == 400
    assert answer.json["insert_count"] == 0 and answer.json["update_count"] == 0 and answer.json["delete_count"] == 0
    assert answer.json["result"][0]["action"] == "INSERT"
    assert error_of(answer) == ("attendance/yearid", "Record Not Saved. : 35 doesn't match the term's year value: 36.")


def test_a_student_not_enrolled_that_day_is_refused_by_name(ws, sandbox_store):
    record = daily(sandbox_store)
    student = sandbox_store.query_one("SELECT * FROM students WHERE id = ?", (int(record["studentid"]),))
    last_year = {
        **record,
        "att_date": "2025-10-14",
        "yearid": "35",
        "attendance_codeid": str(code_id(sandbox_store, student["schoolid"], 35)),
    }
    answer = ws.post("/ws/attendance/daily_time", envelope(last_year))
    name = f"{student['first_name']} {student['last_name']}"
    assert error_of(answer)[1] == f"Record Not Saved. : The student {name} isn't enrolled on 2025-10-14."


def test_a_mode_other_than_the_schools_is_refused(ws, sandbox_store):
    record = daily(sandbox_store)
    answer = ws.post("/ws/attendance/daily_time", envelope({**record, "att_mode_code": "ATT_ModeTime"}))
    assert error_of(answer) == (
        "attendance/att_mode_code",
        "You have ATT_ModeDaily set as the method to use for "
        "recording attendance at this school. ATT_ModeTime records cannot be saved.",
    )


def test_a_code_of_another_school_or_year_is_refused(ws, sandbox_store):
    record = daily(sandbox_store)
    other_year = code_id(sandbox_store, int(record["schoolid"]), 35)
    answer = ws.post("/ws/attendance/daily_time", envelope({**record, "attendance_codeid": str(other_year)}))
    field, message = error_of(answer)
    assert field == "attendance/attendance_codeid" and f"{other_year} is not an attendance code of school" in message


def test_an_unknown_student_id_is_refused_with_a_hint_about_dcids(ws, sandbox_store):
    answer = ws.post("/ws/attendance/daily_time", envelope(daily(sandbox_store, studentid=999999)))
    field, message = error_of(answer)
    assert field == "attendance/studentid" and "No student has ID 999999" in message and "DCID" in message


@pytest.mark.parametrize("missing", ["studentid", "yearid", "att_date", "attendance_codeid"])
def test_a_missing_required_field_is_named(ws, sandbox_store, missing):
    record = daily(sandbox_store)
    del record[missing]
    assert error_of(ws.post("/ws/attendance/daily_time", envelope(record))) == (
        f"attendance/{missing}",
        f"Record Not Saved. : {missing.upper()} is required.",
    )


def test_a_malformed_body_is_a_400_message(ws, sandbox_store):
    assert ws.post("/ws/attendance/daily_time", {"record": []}).status == 400
    two = ws.post("/ws/attendance/daily_time", envelope(daily(sandbox_store), daily(sandbox_store)))
    assert two.status == 400 and "batch_daily_time" in two.json["message"]


def test_writing_without_full_access_lists_every_missing_field(ws, sandbox_store):
    grant(sandbox_store, "attendance", "att_comment", "ViewOnly")
    grant(sandbox_store, "attendance", "yearid", "NoAccess")
    answer = ws.post("/ws/attendance/daily_time", envelope(daily(sandbox_store)))
    assert answer.status == 403 and answer.json["message"] == "Validation Failed"
    assert {error["field"] for error in answer.json["errors"]} == {"attendance.att_comment", "attendance.yearid"}


def test_errors_can_come_back_with_status_200(ws, sandbox_store):
    sandbox_store.set_setting("attendance_error_status", 200)
    answer = ws.post("/ws/attendance/daily_time", envelope(daily(sandbox_store, yearid=35)))
    assert answer.status == 200 and answer.json["result"][0]["status"] == "ERROR"


def meeting_records(store, student, code):
    template = store.query(
        "SELECT cc.id AS ccid, p.id AS periodid, bsi.start_time, bsi.end_time FROM calendar_day cd "
        "JOIN cycle_day cyd ON cyd.id = cd.cycle_day_id JOIN bell_schedule_items bsi ON bsi.bell_schedule_id = cd.bell_schedule_id "
        "JOIN period p ON p.id = bsi.period_id JOIN section_meeting sm ON sm.schoolid = cd.schoolid AND sm.year_id = p.year_id "
        "AND sm.period_number = p.period_number AND sm.cycle_day_letter = cyd.letter "
        "JOIN cc ON cc.sectionid = sm.sectionid AND cc.studentid = ? AND cc.dateenrolled <= ? AND cc.dateleft > ? "
        "WHERE cd.schoolid = ? AND cd.date_value = ? ORDER BY bsi.start_time",
        (student["id"], DAY, DAY, student["schoolid"], DAY),
    )
    return [
        {
            "studentid": str(student["id"]),
            "schoolid": str(student["schoolid"]),
            "yearid": "36",
            "att_date": DAY,
            "att_mode_code": "ATT_ModeMeeting",
            "attendance_codeid": str(code),
            "ccid": str(row["ccid"]),
            "periodid": str(row["periodid"]),
            "start_time": row["start_time"],
            "end_time": row["end_time"],
        }
        for row in template
    ]


def test_meeting_records_for_several_periods_are_upserted_per_period(ws, sandbox_store):
    student = enrolled_student(sandbox_store)
    records = meeting_records(sandbox_store, student, code_id(sandbox_store, student["schoolid"]))
    assert len(records) >= 2
    first = ws.post("/ws/attendance/meeting_interval", envelope(*records[:2])).json
    assert first["insert_count"] == 2
    again = ws.post("/ws/attendance/meeting_interval", envelope(*records)).json
    assert again["update_count"] == 2 and again["insert_count"] == len(records) - 2
    rows = attendance_rows(sandbox_store, student["id"])
    assert sorted((row["ccid"], row["periodid"]) for row in rows) == sorted(
        (int(r["ccid"]), int(r["periodid"])) for r in records
    )


def test_meeting_records_must_be_one_student_on_one_day(ws, sandbox_store):
    student = enrolled_student(sandbox_store)
    records = meeting_records(sandbox_store, student, code_id(sandbox_store, student["schoolid"]))
    other_day = {**records[1], "att_date": "2026-10-15"}
    answer = ws.post("/ws/attendance/meeting_interval", envelope(records[0], other_day))
    assert (
        answer.status == 400
        and answer.json["message"] == "meeting_interval records must all be for one student on one day"
    )


def test_a_meeting_record_for_a_class_the_student_is_not_in_is_refused(ws, sandbox_store):
    student = enrolled_student(sandbox_store)
    [record, *_] = meeting_records(sandbox_store, student, code_id(sandbox_store, student["schoolid"]))
    other_cc = sandbox_store.query_one("SELECT id FROM cc WHERE studentid != ? LIMIT 1", (student["id"],))["id"]
    field, message = error_of(ws.post("/ws/attendance/meeting_interval", envelope({**record, "ccid": str(other_cc)})))
    assert field == "attendance/ccid" and "isn't enrolled on 2026-10-14" in message
    field, message = error_of(ws.post("/ws/attendance/meeting_interval", envelope({**record, "ccid": ""})))
    assert (field, message) == ("attendance/ccid", "Record Not Saved. : CCID is required for ATT_ModeMeeting records.")


def test_daily_records_are_refused_by_the_meeting_endpoint(ws, sandbox_store):
    field, message = error_of(ws.post("/ws/attendance/meeting_interval", envelope(daily(sandbox_store))))
    assert field == "attendance/att_mode_code" and "ATT_ModeMeeting or ATT_ModeInterval" in message


def test_batch_writes_up_to_200_records_on_25_x(ws, sandbox_store):
    records = [daily(sandbox_store), daily(sandbox_store, yearid=35)]
    answer = ws.post("/ws/attendance/batch_daily_time", envelope(*records))
    assert answer.status == 400
    assert [result["status"] for result in answer.json["result"]] == ["SUCCESS", "ERROR"]
    assert answer.json["insert_count"] == 1
    too_many = ws.post("/ws/attendance/batch_daily_time", envelope(*[records[0]] * 201))
    assert too_many.status == 400 and "at most 200" in too_many.json["message"]


def test_batch_does_not_exist_on_powerschool_12(legacy_sandbox_store):
    ws = WsClient(legacy_sandbox_store)
    assert ws.post("/ws/attendance/batch_daily_time", envelope(daily(legacy_sandbox_store))).status == 404
    assert ws.post("/ws/attendance/daily_time", envelope(daily(legacy_sandbox_store))).status == 200


def test_time_in_and_out_are_written_beside_the_daily_record(ws, sandbox_store):
    record = daily(sandbox_store)
    ws.post("/ws/attendance/daily_time", envelope(record, times={"time_in": "31020", "time_out": "0"}))
    ws.post("/ws/attendance/daily_time", envelope(record, times={"time_out": "47400"}))
    [row] = attendance_rows(sandbox_store, record["studentid"])
    [times] = sandbox_store.query("SELECT * FROM attendance_time WHERE attendanceid = ?", (row["id"],))
    assert (times["time_in"], times["time_out"]) == (31020, 47400)
    visible = ws.get(
        "/ws/schema/table/attendance_time", projection="attendanceid,time_in", q=f"attendanceid=={row['id']}"
    )
    assert visible.json["record"][0]["tables"]["attendance_time"] == {
        "attendanceid": str(row["id"]),
        "time_in": "31020",
    }


def test_time_in_and_out_need_full_access_on_attendance_time(ws, sandbox_store):
    grant(sandbox_store, "attendance_time", "time_in", "ViewOnly")
    answer = ws.post("/ws/attendance/daily_time", envelope(daily(sandbox_store), times={"time_in": "31020"}))
    assert answer.status == 403 and answer.json["errors"][0]["field"] == "attendance_time.time_in"


def test_time_in_and_out_writes_can_be_switched_off(ws, sandbox_store):
    sandbox_store.set_setting("attendance_time_writes", False)
    answer = ws.post("/ws/attendance/daily_time", envelope(daily(sandbox_store), times={"time_in": "31020"}))
    assert answer.status == 400 and answer.json == {"message": "unknown table attendance_time"}


def test_every_write_is_in_the_data_version_log(ws, sandbox_store):
    version = sandbox_store.current_dataversion()
    record = daily(sandbox_store)
    ws.post("/ws/attendance/daily_time", envelope(record, times={"time_in": "31020"}))
    ws.post("/ws/attendance/daily_time", envelope(record))
    changes = sandbox_store.query(
        "SELECT table_name, operation FROM sandbox_dataversion WHERE version > ? ORDER BY version", (version,)
    )
    assert [tuple(change) for change in changes] == [
        ("attendance", "INSERT"),
        ("attendance_time", "INSERT"),
        ("attendance", "UPDATE"),
    ]
