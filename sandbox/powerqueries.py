"""The core `com.pearson.core.*` PowerQueries a kiosk uses (powerschool-api.md §7.3), over the sandbox store.

Each query is written the way a plugin's named_queries.xml declares one: arguments, an ordered column list
naming the real TABLE.FIELD each value comes from (what the plugin's field access is checked against), and a
SELECT whose columns follow that order. The SELECT's first column is the record id (the DCID of the query's
core table row), which is also what a `$dataversion` delta filters on.

List arguments are bound as one JSON array and expanded with `json_each`, so every value stays a parameter.
"""

import json
from dataclasses import dataclass
from datetime import date

YEAR_TERM = "t.isyearrec = 1 AND :{date} >= t.firstday AND :{date} <= t.lastday"


@dataclass(frozen=True)
class Arg:
    name: str
    kind: str  # "int", "date", "str", "int_list" or "str_list"
    required: bool = True


@dataclass(frozen=True)
class Column:
    group: str  # the `tables` key the value appears under when the query is not flattened
    label: str
    source: str  # TABLE.FIELD the value is read from

    @property
    def key(self):
        return f"{self.group}.{self.label}"


@dataclass(frozen=True)
class PowerQuery:
    name: str
    display_name: str
    core_table: str
    flattened: bool
    args: tuple
    columns: tuple
    sql: str
    one_of: tuple = ()  # at least one of these (optional) arguments must be given

    def sources(self):
        return [tuple(column.source.split(".")) for column in self.columns]


def columns(group, *specs):
    """Columns of one group: "label" reads group.label; "label=table.field" reads another field."""
    parsed = []
    for spec in specs:
        label, _, source = spec.partition("=")
        parsed.append(Column(group, label, source or f"{group}.{label}"))
    return tuple(parsed)


def parse_args(query, body):
    """The query's bind parameters from a request body; ValueError on unknown, missing or mistyped ones."""
    if not isinstance(body, dict):
        raise ValueError(f"The body of {query.name} must be a JSON object of arguments")
    expected = {arg.name: arg for arg in query.args}
    unknown = [name for name in body if name not in expected and not name.startswith(("$", "__"))]
    if unknown:
        names = ", ".join(expected) or "none"
        raise ValueError(f"Unknown argument(s) for {query.name}: {', '.join(unknown)}. Expected: {names}")
    params = {}
    for arg in query.args:
        value = body.get(arg.name)
        if value is None and arg.required:
            raise ValueError(f"Missing required argument '{arg.name}' for {query.name}")
        params[arg.name] = None if value is None else _convert(query, arg, value)
    if query.one_of and all(params[name] is None for name in query.one_of):
        raise ValueError(f"{query.name} needs one of the arguments: {', '.join(query.one_of)}")
    return params


def _convert(query, arg, value):
    if arg.kind.endswith("_list"):
        items = value if isinstance(value, list) else [value]
        return _json_list([_scalar(query, arg, item, arg.kind[:-5]) for item in items])
    return _scalar(query, arg, value, arg.kind)


def _scalar(query, arg, value, kind):
    where = f"Argument '{arg.name}' of {query.name}"
    if isinstance(value, (dict, list, bool)):
        raise ValueError(f"{where} must be a single value, got {value!r}")
    if kind == "int":
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"{where} must be a whole number, got '{value}'") from None
    if kind == "date":
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(f"{where} must be a date as YYYY-MM-DD, got '{value}'") from None
    return str(value)


def _json_list(items):
    return json.dumps(items)


STUDENT_DCID_ID_MAP = PowerQuery(
    name="com.pearson.core.student.student_dcid_id_map",
    display_name="Students",
    core_table="students",
    flattened=True,
    args=(Arg("students_dcid", "int_list", False), Arg("students_id", "int_list", False)),
    one_of=("students_dcid", "students_id"),
    columns=columns("students", "dcid", "id"),
    sql="""
        SELECT s.dcid, s.dcid, s.id FROM students s
        WHERE s.dcid IN (SELECT value FROM json_each(:students_dcid))
           OR s.id IN (SELECT value FROM json_each(:students_id))
        ORDER BY s.dcid""",
)

ATTENDANCE_CODE_BY_SCHOOL_DATE = PowerQuery(
    name="com.pearson.core.attendance.attendance_code_by_school_date",
    display_name="Attendance Codes",
    core_table="attendance_code",
    flattened=False,
    args=(Arg("schoolid", "int"), Arg("att_date", "date")),
    columns=columns(
        "attendance_code",
        "attendance_codeid=attendance_code.id",
        "dcid",
        "att_code",
        "description",
        "presence_status_cd",
        "schoolid",
        "yearid",
        "sortorder",
        "course_credit_points",
    ),
    sql=f"""
        SELECT ac.dcid, ac.id, ac.dcid, ac.att_code, ac.description, ac.presence_status_cd, ac.schoolid, ac.yearid,
               ac.sortorder, ac.course_credit_points
        FROM attendance_code ac
        JOIN terms t ON t.schoolid = ac.schoolid AND t.yearid = ac.yearid AND {YEAR_TERM.format(date="att_date")}
        WHERE ac.schoolid = :schoolid
        ORDER BY ac.sortorder, ac.dcid""",
)

DAILY_ATTENDANCE_TEMPLATE = PowerQuery(
    name="com.pearson.core.attendance.daily_attendance_template",
    display_name="Attendance",
    core_table="attendance",
    flattened=False,
    args=(Arg("studentid", "int"), Arg("att_date", "date")),
    columns=columns(
        "attendance",
        "dcid",
        "id",
        "studentid",
        "schoolid",
        "yearid",
        "att_date",
        "att_mode_code",
        "attendance_codeid",
        "comment=attendance.att_comment",
        "calendar_dayid",
    ),
    # One row per student: the existing daily record when there is one, else a blank one to fill in.
    sql=f"""
        SELECT COALESCE(a.dcid, 0), a.dcid, a.id, s.id, s.schoolid, t.yearid, :att_date, 'ATT_ModeDaily',
               a.attendance_codeid, COALESCE(a.att_comment, ''), cd.id
        FROM students s
        LEFT JOIN terms t ON t.schoolid = s.schoolid AND {YEAR_TERM.format(date="att_date")}
        LEFT JOIN calendar_day cd ON cd.schoolid = s.schoolid AND cd.date_value = :att_date
        LEFT JOIN attendance a ON a.dcid = (
            SELECT MAX(x.dcid) FROM attendance x
            WHERE x.studentid = s.id AND x.att_date = :att_date AND x.att_mode_code = 'ATT_ModeDaily')
        WHERE s.id = :studentid""",
)

TIME_ATTENDANCE_TEMPLATE = PowerQuery(
    name="com.pearson.core.attendance.time_attendance_template",
    display_name="Attendance",
    core_table="attendance",
    flattened=False,
    args=(Arg("studentid", "int"), Arg("dcid", "int", False), Arg("att_date", "date")),
    columns=columns(
        "attendance",
        "dcid",
        "id",
        "studentid",
        "schoolid",
        "yearid",
        "att_date",
        "att_mode_code",
        "attendance_codeid",
        "total_minutes",
        "att_comment",
        "calendar_dayid",
    )
    + columns("attendance_time", "time_in", "time_out"),
    # `dcid` 0 (or absent) asks for a blank Time record; otherwise that record, with its Time In/Out.
    sql=f"""
        SELECT COALESCE(a.dcid, 0), a.dcid, a.id, s.id, s.schoolid, t.yearid, :att_date, 'ATT_ModeTime', a.attendance_codeid,
               COALESCE(a.total_minutes, 0), COALESCE(a.att_comment, ''), cd.id, att.time_in, att.time_out
        FROM students s
        LEFT JOIN terms t ON t.schoolid = s.schoolid AND {YEAR_TERM.format(date="att_date")}
        LEFT JOIN calendar_day cd ON cd.schoolid = s.schoolid AND cd.date_value = :att_date
        LEFT JOIN attendance a ON a.dcid = :dcid AND a.studentid = s.id AND a.att_mode_code = 'ATT_ModeTime'
        LEFT JOIN attendance_time att ON att.attendanceid = a.id
        WHERE s.id = :studentid AND (COALESCE(:dcid, 0) = 0 OR a.dcid IS NOT NULL)""",
)

# calendar day -> bell schedule -> periods, and cycle day -> section meetings -> the student's CC rows that
# are active that day (a dropped enrollment has a negative SECTIONID, so it never joins).
MEETING_INTERVAL_ATTENDANCE_TEMPLATE = PowerQuery(
    name="com.pearson.core.attendance.meeting_interval_attendance_template",
    display_name="Attendance",
    core_table="attendance",
    flattened=False,
    args=(Arg("studentid", "int"), Arg("schoolid", "int"), Arg("att_date", "date")),
    columns=columns(
        "attendance",
        "dcid",
        "id",
        "studentid",
        "schoolid",
        "yearid",
        "att_date",
        "att_mode_code",
        "ccid",
        "periodid",
        "start_time=bell_schedule_items.start_time",
        "end_time=bell_schedule_items.end_time",
        "attendance_codeid",
        "att_comment",
        "calendar_dayid",
    )
    + columns("period", "period_number", "abbreviation")
    + columns(
        "sections",
        "section_dcid=sections.dcid",
        "course_number",
        "section_number",
        "expression",
    ),
    sql="""
        SELECT COALESCE(a.dcid, 0), a.dcid, a.id, cc.studentid, cd.schoolid, p.year_id, :att_date, 'ATT_ModeMeeting', cc.id,
               p.id, bsi.start_time, bsi.end_time, a.attendance_codeid, COALESCE(a.att_comment, ''), cd.id,
               p.period_number, p.abbreviation, sec.dcid, sec.course_number, sec.section_number, sec.expression
        FROM calendar_day cd
        JOIN cycle_day cyd ON cyd.id = cd.cycle_day_id
        JOIN bell_schedule_items bsi ON bsi.bell_schedule_id = cd.bell_schedule_id
        JOIN period p ON p.id = bsi.period_id
        JOIN section_meeting sm ON sm.schoolid = cd.schoolid AND sm.year_id = p.year_id
             AND sm.period_number = p.period_number AND sm.cycle_day_letter = cyd.letter
        JOIN sections sec ON sec.id = sm.sectionid
        JOIN cc ON cc.sectionid = sec.id AND cc.studentid = :studentid
             AND cc.dateenrolled <= :att_date AND cc.dateleft > :att_date
        LEFT JOIN attendance a ON a.dcid = (
            SELECT MAX(x.dcid) FROM attendance x
            WHERE x.studentid = cc.studentid AND x.att_date = :att_date AND x.ccid = cc.id AND x.periodid = p.id
              AND x.att_mode_code = 'ATT_ModeMeeting')
        WHERE cd.schoolid = :schoolid AND cd.date_value = :att_date AND cd.insession = 1
        ORDER BY bsi.start_time, p.period_number, sec.dcid""",
)

STUDENT_ATTENDANCE_DETAIL = PowerQuery(
    name="com.pearson.core.attendance.student_attendance_detail",
    display_name="Attendance",
    core_table="attendance",
    flattened=False,
    args=(
        Arg("students_dcid", "int_list"),
        Arg("attendance_att_mode_code", "str_list", False),
        Arg("attendance_att_date_start", "date", False),
        Arg("attendance_att_date_end", "date", False),
    ),
    columns=columns(
        "attendance",
        "dcid",
        "id",
        "studentid",
        "schoolid",
        "yearid",
        "att_date",
        "att_mode_code",
        "attendance_codeid",
        "att_comment",
        "ccid",
        "periodid",
        "total_minutes",
        "calendar_dayid",
    )
    + columns("attendance_code", "att_code", "description", "presence_status_cd")
    + columns("students", "students_dcid=students.dcid"),
    sql="""
        SELECT a.dcid, a.dcid, a.id, a.studentid, a.schoolid, a.yearid, a.att_date, a.att_mode_code,
               a.attendance_codeid, a.att_comment, a.ccid, a.periodid, a.total_minutes, a.calendar_dayid,
               ac.att_code, ac.description, ac.presence_status_cd, s.dcid
        FROM students s
        JOIN attendance a ON a.studentid = s.id
        LEFT JOIN attendance_code ac ON ac.id = a.attendance_codeid
        WHERE s.dcid IN (SELECT value FROM json_each(:students_dcid))
          AND (:attendance_att_mode_code IS NULL
               OR a.att_mode_code IN (SELECT value FROM json_each(:attendance_att_mode_code)))
          AND (:attendance_att_date_start IS NULL OR a.att_date >= :attendance_att_date_start)
          AND (:attendance_att_date_end IS NULL OR a.att_date <= :attendance_att_date_end)
        ORDER BY a.att_date, a.periodid, a.dcid""",
)

TERMS_YEARID = PowerQuery(
    name="com.pearson.core.terms.yearid",
    display_name="Terms",
    core_table="terms",
    flattened=True,
    args=(Arg("schoolid", "int"), Arg("currentdate", "date")),
    columns=columns("terms", "yearid"),
    # School 0 is the district office: any school's year term containing the date answers for it.
    sql=f"""
        SELECT MIN(t.dcid), t.yearid FROM terms t
        WHERE {YEAR_TERM.format(date="currentdate")} AND (:schoolid = 0 OR t.schoolid = :schoolid)
        GROUP BY t.yearid ORDER BY t.yearid""",
)

YEAR_TERMS = PowerQuery(
    name="com.pearson.core.terms.year_terms",
    display_name="Terms",
    core_table="terms",
    flattened=True,
    args=(Arg("schoolid", "int"), Arg("yearid", "int")),
    columns=columns(
        "terms",
        "dcid",
        "id",
        "schoolid",
        "yearid",
        "name",
        "abbreviation",
        "firstday",
        "lastday",
        "isyearrec",
        "portion",
    ),
    sql="""
        SELECT t.dcid, t.dcid, t.id, t.schoolid, t.yearid, t.name, t.abbreviation, t.firstday, t.lastday,
               t.isyearrec, t.portion
        FROM terms t WHERE t.schoolid = :schoolid AND t.yearid = :yearid
        ORDER BY t.portion, t.firstday, t.id""",
)

SECTION_ENROLLMENTS = PowerQuery(
    name="com.pearson.core.teachers.sectionEnrollments",
    display_name="Students",
    core_table="students",
    flattened=True,
    args=(Arg("section_dcid", "int_list"),),
    columns=columns(
        "students",
        "dcid",
        "id",
        "student_number",
        "first_name",
        "last_name",
        "lastfirst",
        "grade_level",
        "gender",
    ),
    sql="""
        SELECT s.dcid, s.dcid, s.id, s.student_number, s.first_name, s.last_name, s.lastfirst, s.grade_level,
               s.gender
        FROM students s
        WHERE s.id IN (
            SELECT cc.studentid FROM cc JOIN sections sec ON cc.sectionid = sec.id
            WHERE sec.dcid IN (SELECT value FROM json_each(:section_dcid)))
        ORDER BY s.lastfirst, s.dcid""",
)

QUERIES = {
    query.name: query
    for query in (
        STUDENT_DCID_ID_MAP,
        ATTENDANCE_CODE_BY_SCHOOL_DATE,
        DAILY_ATTENDANCE_TEMPLATE,
        TIME_ATTENDANCE_TEMPLATE,
        MEETING_INTERVAL_ATTENDANCE_TEMPLATE,
        STUDENT_ATTENDANCE_DETAIL,
        TERMS_YEARID,
        YEAR_TERMS,
        SECTION_ENROLLMENTS,
    )
}
