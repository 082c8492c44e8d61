import pytest

from tests.sandbox.ws_client import WsClient, enrolled_student, grant

DAY = "2026-10-14"
QUERY = "/ws/schema/query/com.pearson.core."


@pytest.fixture
def ws(sandbox_store):
    return WsClient(sandbox_store)


def test_student_dcid_id_map_converts_either_way_as_flattened_rows(ws, sandbox_store):
    students = sandbox_store.query("SELECT dcid, id FROM students ORDER BY dcid LIMIT 2")
    by_dcid = ws.post(QUERY + "student.student_dcid_id_map", {"students_dcid": [s["dcid"] for s in students]}).json
    assert by_dcid["name"] == "Students"
    assert by_dcid["record"] == [{"dcid": str(s["dcid"]), "id": str(s["id"])} for s in students]
    by_id = ws.post(QUERY + "student.student_dcid_id_map", {"students_id": [str(students[1]["id"])]}).json
    assert by_id["record"] == [{"dcid": str(students[1]["dcid"]), "id": str(students[1]["id"])}]


def test_student_dcid_id_map_needs_one_of_its_arguments(ws):
    answer = ws.post(QUERY + "student.student_dcid_id_map", {})
    assert answer.status == 400 and "students_dcid, students_id" in answer.json["message"]


def test_attendance_codes_are_those_of_the_school_year_containing_the_date(ws, sandbox_store):
    school = enrolled_student(sandbox_store)["schoolid"]
    body = ws.post(
        QUERY + "attendance.attendance_code_by_school_date", {"schoolid": school, "att_date": DAY}, count="true"
    ).json
    expected = sandbox_store.query_one(
        "SELECT COUNT(*) FROM attendance_code WHERE schoolid = ? AND yearid = 36", (school,)
    )[0]
    assert body["count"] == expected == len(body["record"])
    code = body["record"][0]
    assert isinstance(code["id"], int)
    assert code["tables"]["attendance_code"]["yearid"] == "36"
    assert set(code["tables"]["attendance_code"]) >= {
        "attendance_codeid",
        "att_code",
        "description",
        "presence_status_cd",
    }
    last_year = ws.post(
        QUERY + "attendance.attendance_code_by_school_date", {"schoolid": school, "att_date": "2025-10-14"}
    ).json
    assert {r["tables"]["attendance_code"]["yearid"] for r in last_year["record"]} == {"35"}


def test_the_daily_template_is_a_blank_record_until_one_exists(ws, sandbox_store):
    student = enrolled_student(sandbox_store, "ATT_ModeDaily")
    template = ws.post(
        QUERY + "attendance.daily_attendance_template", {"studentid": student["id"], "att_date": DAY}
    ).json
    attendance = template["record"][0]["tables"]["attendance"]
    assert attendance["studentid"] == str(student["id"]) and attendance["yearid"] == "36"
    assert attendance["dcid"] is None and attendance["att_mode_code"] == "ATT_ModeDaily"
    assert attendance["calendar_dayid"] is not None


def test_the_meeting_template_has_one_row_per_class_meeting_that_day(ws, sandbox_store):
    student = enrolled_student(sandbox_store)
    body = ws.post(
        QUERY + "attendance.meeting_interval_attendance_template",
        {"studentid": student["id"], "schoolid": student["schoolid"], "att_date": DAY},
    ).json
    meetings = [record["tables"]["attendance"] for record in body["record"]]
    assert meetings, "an enrolled student has classes on a school day"
    starts = [int(m["start_time"]) for m in meetings]
    assert starts == sorted(starts) and all(int(m["end_time"]) > int(m["start_time"]) for m in meetings)
    for meeting in meetings:
        cc = sandbox_store.query_one("SELECT * FROM cc WHERE id = ?", (int(meeting["ccid"]),))
        assert cc["studentid"] == student["id"] and cc["sectionid"] > 0 and cc["dateenrolled"] <= DAY < cc["dateleft"]
        assert sandbox_store.query_one("SELECT 1 FROM period WHERE id = ?", (int(meeting["periodid"]),))


def test_no_meetings_on_a_day_without_school(ws, sandbox_store):
    student = enrolled_student(sandbox_store)
    holiday = sandbox_store.query_one(
        "SELECT date_value FROM calendar_day WHERE schoolid = ? AND insession = 0 AND date_value > '2026-09-01'",
        (student["schoolid"],),
    )["date_value"]
    body = ws.post(
        QUERY + "attendance.meeting_interval_attendance_template",
        {"studentid": student["id"], "schoolid": student["schoolid"], "att_date": holiday},
    ).json
    assert body["record"] == []


def test_student_attendance_detail_joins_each_record_to_its_code(ws, sandbox_store):
    student = enrolled_student(sandbox_store, "ATT_ModeDaily")
    code = sandbox_store.query_one(
        "SELECT * FROM attendance_code WHERE schoolid = ? AND yearid = 36 AND att_code != ''", (student["schoolid"],)
    )
    written = ws.post(
        "/ws/attendance/daily_time",
        {
            "record": [
                {
                    "tables": {
                        "attendance": {
                            "studentid": str(student["id"]),
                            "schoolid": str(student["schoolid"]),
                            "yearid": "36",
                            "att_date": DAY,
                            "att_mode_code": "ATT_ModeDaily",
                            "attendance_codeid": str(code["id"]),
                            "att_comment": "Late 08:47",
                        }
                    }
                }
            ]
        },
    )
    assert written.status == 200
    body = ws.post(
        QUERY + "attendance.student_attendance_detail",
        {
            "students_dcid": [student["dcid"]],
            "attendance_att_mode_code": ["ATT_ModeDaily", "ATT_ModeMeeting"],
            "attendance_att_date_start": "2026-10-01",
            "attendance_att_date_end": "2026-10-31",
        },
    ).json
    [record] = body["record"]
    assert record["tables"]["attendance"]["att_comment"] == "Late 08:47"
    assert record["tables"]["attendance_code"]["att_code"] == code["att_code"]
    none = ws.post(
        QUERY + "attendance.student_attendance_detail",
        {"students_dcid": [student["dcid"]], "attendance_att_mode_code": ["ATT_ModeMeeting"]},
    ).json
    assert none["record"] == []


def test_the_year_id_query_answers_for_a_school_or_the_district(ws, sandbox_store):
    assert ws.post(QUERY + "terms.yearid", {"schoolid": 0, "currentdate": DAY}).json["record"] == [{"yearid": "36"}]
    school = enrolled_student(sandbox_store)["schoolid"]
    assert ws.post(QUERY + "terms.yearid", {"schoolid": school, "currentdate": "2025-10-01"}).json["record"] == [
        {"yearid": "35"}
    ]


def test_year_terms_with_q_order_and_paging(ws, sandbox_store):
    school = enrolled_student(sandbox_store)["schoolid"]
    args = {"schoolid": school, "yearid": 36}
    every = ws.post(QUERY + "terms.year_terms", args, pagesize="0").json["record"]
    assert every[0]["isyearrec"] == "1" and len(every) > 2
    semesters = ws.post(
        QUERY + "terms.year_terms", args, **{"$q": "terms.portion==2", "order": "terms.firstday;desc"}
    ).json
    firstdays = [term["firstday"] for term in semesters["record"]]
    assert firstdays == sorted(firstdays, reverse=True) and {t["portion"] for t in semesters["record"]} == {"2"}
    second_page = ws.post(QUERY + "terms.year_terms", args, page="2", pagesize="1").json["record"]
    assert second_page == [every[1]]
    assert ws.post(QUERY + "terms.year_terms/count", args, **{"$q": "portion==2"}).json == {"count": len(firstdays)}


def test_section_enrollments_lists_a_sections_students(ws, sandbox_store):
    section = sandbox_store.query_one(
        "SELECT sec.dcid, sec.id FROM sections sec WHERE EXISTS (SELECT 1 FROM cc WHERE cc.sectionid = sec.id) LIMIT 1"
    )
    body = ws.post(QUERY + "teachers.sectionEnrollments", {"section_dcid": [str(section["dcid"])]}).json
    expected = sandbox_store.query_one(
        "SELECT COUNT(DISTINCT studentid) FROM cc WHERE sectionid = ?", (section["id"],)
    )[0]
    assert len(body["record"]) == expected
    assert set(body["record"][0]) >= {"dcid", "id", "student_number", "last_name"}


def test_the_time_template_returns_an_existing_record_with_its_times(ws, sandbox_store):
    student = enrolled_student(sandbox_store, "ATT_ModeTime")
    code = sandbox_store.query_one(
        "SELECT id FROM attendance_code WHERE schoolid = ? AND yearid = 36", (student["schoolid"],)
    )
    written = ws.post(
        "/ws/attendance/daily_time",
        {
            "record": [
                {
                    "tables": {
                        "attendance": {
                            "studentid": str(student["id"]),
                            "schoolid": str(student["schoolid"]),
                            "yearid": "36",
                            "att_date": DAY,
                            "att_mode_code": "ATT_ModeTime",
                            "attendance_codeid": str(code["id"]),
                            "total_minutes": "30",
                        },
                        "attendance_time": {"time_in": "31020", "time_out": "0"},
                    }
                }
            ]
        },
    ).json
    dcid = written["result"][0]["success_message"]["id"]
    body = ws.post(
        QUERY + "attendance.time_attendance_template", {"studentid": student["id"], "dcid": dcid, "att_date": DAY}
    ).json
    record = body["record"][0]
    assert record["id"] == dcid and record["tables"]["attendance"]["total_minutes"] == "30"
    assert record["tables"]["attendance_time"] == {"time_in": "31020", "time_out": "0"}


def test_a_query_touching_an_ungranted_field_fails_validation(ws, sandbox_store):
    grant(sandbox_store, "students", "id", "NoAccess")
    answer = ws.post(QUERY + "student.student_dcid_id_map", {"students_dcid": [1]})
    assert answer.status == 403
    assert answer.json == {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "com.pearson.core.student.student_dcid_id_map",
                "field": "students.id",
                "code": "No access to the field",
            }
        ],
    }


def test_unknown_queries_and_bad_arguments_are_refused_clearly(ws):
    assert ws.post(QUERY + "student.nothing_here", {}).status == 404
    missing = ws.post(QUERY + "terms.yearid", {"schoolid": 0})
    assert (
        missing.status == 400
        and missing.json["message"] == "Missing required argument 'currentdate' for com.pearson.core.terms.yearid"
    )
    bad_date = ws.post(QUERY + "terms.yearid", {"schoolid": 0, "currentdate": "10/14/2026"})
    assert bad_date.status == 400 and "YYYY-MM-DD" in bad_date.json["message"]
    unknown = ws.post(QUERY + "terms.yearid", {"schoolid": 0, "currentdate": DAY, "school": 1})
    assert unknown.status == 400 and "Unknown argument(s)" in unknown.json["message"]
    bad_order = ws.post(QUERY + "terms.yearid", {"schoolid": 0, "currentdate": DAY}, order="terms.nope")
    assert bad_order.status == 400


def test_a_data_version_delta_returns_only_rows_changed_since(ws, sandbox_store):
    students = sandbox_store.query("SELECT dcid, id FROM students ORDER BY dcid LIMIT 3")
    application = sandbox_store.query_one("SELECT dataversion_app FROM sandbox_plugin")[0]
    version = sandbox_store.current_dataversion()
    with sandbox_store.transaction() as conn:
        conn.execute("UPDATE students SET home_phone = '555-0100' WHERE dcid = ?", (students[1]["dcid"],))
        sandbox_store.record_change(conn, "students", students[1]["dcid"], "UPDATE")
    args = {
        "students_dcid": [s["dcid"] for s in students],
        "$dataversion": str(version),
        "$dataversion_applicationname": application,
    }
    body = ws.post(QUERY + "student.student_dcid_id_map", args).json
    assert body["record"] == [{"dcid": str(students[1]["dcid"]), "id": str(students[1]["id"])}]
    assert body["$dataversion"] == str(sandbox_store.current_dataversion())
    wrong_app = ws.post(QUERY + "student.student_dcid_id_map", {**args, "$dataversion_applicationname": "Other"})
    assert wrong_app.status == 400
