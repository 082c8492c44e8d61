"""PowerSchool's rules for an attendance record posted to /ws/attendance (powerschool-api.md §8.4).

Each failed rule raises `Rejection` with the ATTENDANCE field it concerns and the message a real server
sends; the texts for year, enrollment and mode are the ones districts see in vendor write-back logs, because
clients (ours included) classify errors by them.
"""

from sandbox import rows

DAILY = "ATT_ModeDaily"
TIME = "ATT_ModeTime"
MEETING = "ATT_ModeMeeting"
INTERVAL = "ATT_ModeInterval"
REQUIRED = ("studentid", "schoolid", "yearid", "att_date", "att_mode_code", "attendance_codeid")
# Sent by Meeting clients but not stored in ATTENDANCE: the class meeting's clock times.
MEETING_TIMES = ("start_time", "end_time")
# Statuses whose entry/exit dates describe a real enrollment (active, transferred out, graduated).
ENROLLED_STATUSES = (0, 2, 3)


class Rejection(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def checked_record(store, attendance, modes):
    """The record's ATTENDANCE values, converted and checked; raises Rejection for the first broken rule."""
    values = _converted(attendance)
    for field in REQUIRED:
        if values.get(field) in (None, ""):
            raise Rejection(field, f"Record Not Saved. : {field.upper()} is required.")
    if values["att_mode_code"] not in modes:
        raise Rejection(
            "att_mode_code",
            f"Record Not Saved. : {values['att_mode_code']} records cannot be saved "
            f"through this endpoint; it accepts {' or '.join(modes)}.",
        )
    student = _student(store, values["studentid"])
    expected_year = _school_year(store, values)
    if values["yearid"] != expected_year:
        raise Rejection(
            "yearid", f"Record Not Saved. : {values['yearid']} doesn't match the term's year value: {expected_year}."
        )
    _check_mode(store, values)
    _check_code(store, values)
    values.setdefault("calendar_dayid", _school_day(store, values))
    _check_enrolled(store, student, values)
    if values["att_mode_code"] in (MEETING, INTERVAL):
        _check_meeting(store, student, values)
    return values


def _converted(attendance):
    """ATTENDANCE column values in their column types; empty values count as not sent."""
    values = {}
    for name, value in attendance.items():
        column = name.lower()
        if column in MEETING_TIMES or value in (None, ""):
            continue
        try:
            values.update(rows.coerce_values("attendance", {column: value}))
        except ValueError as error:
            raise Rejection(column, f"Record Not Saved. : {error}.") from None
    # PowerSchool assigns ATTENDANCE.ID itself; a posted one is ignored, as a real server does.
    values.pop("id", None)
    return values


def _student(store, studentid):
    student = store.query_one("SELECT * FROM students WHERE id = ?", (studentid,))
    if student is None:
        raise Rejection(
            "studentid",
            f"Record Not Saved. : No student has ID {studentid}. "
            "STUDENTID must be STUDENTS.ID, not STUDENTS.DCID or the student number.",
        )
    return student


def _school_year(store, values):
    term = store.query_one(
        "SELECT yearid FROM terms WHERE schoolid = ? AND isyearrec = 1 AND firstday <= ? AND lastday >= ?",
        (values["schoolid"], values["att_date"], values["att_date"]),
    )
    if term is None:
        raise Rejection(
            "att_date",
            f"Record Not Saved. : School {values['schoolid']} has no school year containing {values['att_date']}.",
        )
    return term["yearid"]


def _check_mode(store, values):
    setting = store.query_one(
        "SELECT att_mode_code FROM sandbox_attendance_mode WHERE schoolid = ? AND yearid = ?",
        (values["schoolid"], values["yearid"]),
    )
    if setting is not None and setting["att_mode_code"] != values["att_mode_code"]:
        raise Rejection(
            "att_mode_code",
            f"You have {setting['att_mode_code']} set as the method to use for recording "
            f"attendance at this school. {values['att_mode_code']} records cannot be saved.",
        )


def _check_code(store, values):
    code = store.query_one(
        "SELECT 1 FROM attendance_code WHERE id = ? AND schoolid = ? AND yearid = ?",
        (values["attendance_codeid"], values["schoolid"], values["yearid"]),
    )
    if code is None:
        raise Rejection(
            "attendance_codeid",
            f"Record Not Saved. : Attendance code {values['attendance_codeid']} is not "
            f"an attendance code of school {values['schoolid']} in year {values['yearid']}.",
        )


def _school_day(store, values):
    day = store.query_one(
        "SELECT id FROM calendar_day WHERE schoolid = ? AND date_value = ? AND insession = 1",
        (values["schoolid"], values["att_date"]),
    )
    if day is None:
        raise Rejection(
            "att_date", f"Record Not Saved. : {values['att_date']} is not a school day at school {values['schoolid']}."
        )
    return day["id"]


def _check_enrolled(store, student, values):
    date = values["att_date"]
    enrolled = (
        student["schoolid"] == values["schoolid"]
        and student["enroll_status"] in ENROLLED_STATUSES
        and (student["entrydate"] or "") <= date
        and (not student["exitdate"] or date < student["exitdate"])
    )
    if not enrolled:
        raise _not_enrolled(student, date)


def _check_meeting(store, student, values):
    for field in ("ccid", "periodid"):
        if not values.get(field):
            raise Rejection(
                field, f"Record Not Saved. : {field.upper()} is required for {values['att_mode_code']} records."
            )
    enrollment = store.query_one(
        "SELECT 1 FROM cc WHERE id = ? AND studentid = ? AND sectionid > 0 AND dateenrolled <= ? AND dateleft > ?",
        (values["ccid"], student["id"], values["att_date"], values["att_date"]),
    )
    if enrollment is None:
        raise _not_enrolled(student, values["att_date"], field="ccid")
    period = store.query_one(
        "SELECT 1 FROM period WHERE id = ? AND schoolid = ?", (values["periodid"], values["schoolid"])
    )
    if period is None:
        raise Rejection(
            "periodid",
            f"Record Not Saved. : Period {values['periodid']} is not a period of school {values['schoolid']}.",
        )


def _not_enrolled(student, date, field="studentid"):
    name = f"{student['first_name']} {student['last_name']}"
    return Rejection(field, f"Record Not Saved. : The student {name} isn't enrolled on {date}.")


def existing_record(store, values):
    """The ATTENDANCE row this record updates, or None for an insert (Time appends unless a dcid is given)."""
    mode = values["att_mode_code"]
    if mode == TIME:
        return _time_record(store, values) if values.get("dcid") else None
    sql = "SELECT * FROM attendance WHERE studentid = ? AND att_date = ? AND att_mode_code = ?"
    params = [values["studentid"], values["att_date"], mode]
    if mode in (MEETING, INTERVAL):
        sql += " AND ccid = ? AND periodid = ? AND att_interval = ?"
        params += [values["ccid"], values["periodid"], values.get("att_interval", 0)]
    return store.query_one(sql + " ORDER BY dcid LIMIT 1", params)


def _time_record(store, values):
    row = store.query_one("SELECT * FROM attendance WHERE dcid = ?", (values["dcid"],))
    if row is None or row["att_mode_code"] != TIME or row["studentid"] != values["studentid"]:
        raise Rejection(
            "dcid",
            f"Record Not Saved. : DCID {values['dcid']} is not an ATT_ModeTime record of "
            f"student {values['studentid']}.",
        )
    return row
