"""RaptorLink's PowerSchool client: one method per thing the product reads or writes.

Lists come back as iterators that page to the end; v1 objects as normalised dicts (see normalize.py);
table rows as dicts typed per tables.TABLE_COLUMNS. Every id keeps PowerSchool's meaning: v1 `id` and
path ids are DCIDs, `schoolid` is the school number, attendance and enrollments use STUDENTS.ID.
"""

import random
import re
import time
from itertools import islice

from raptorlink.powerschool import paging
from raptorlink.powerschool.errors import NotFoundError, PowerSchoolError, RecordValidationError, StudentIdError
from raptorlink.powerschool.normalize import as_list, expansion_names, integer, v1_object
from raptorlink.powerschool.records import (
    DAILY,
    AttendanceWriteResult,
    DataVersionDelta,
    Metadata,
)
from raptorlink.powerschool.session import PowerSchoolSession
from raptorlink.powerschool.tables import LEGACY_CONTACT_COLUMNS, TABLE_COLUMNS, projection

STUDENT_EXPANSIONS = ("demographics", "addresses", "phones", "alerts", "school_enrollment", "contact", "contact_info")
DCID_ID_MAP_QUERY = "com.pearson.core.student.student_dcid_id_map"
CODES_BY_DATE_QUERY = "com.pearson.core.attendance.attendance_code_by_school_date"
ID_MAP_BATCH = 500
# Keys per `column==(a,b,…)` query: about 1.5 kB of URL, well inside what PowerSchool's front ends accept.
KEYS_PER_QUERY = 200
BATCH_ATTENDANCE_LIMIT = 200
# What a `q` condition may compare with as is: FIQL gives ; , ( ) = ! < > * and quotes their own meaning.
PLAIN_VALUE = re.compile(r"[A-Za-z0-9._@/:+-]+")
STUDENT_KEY_COLUMNS = {column: TABLE_COLUMNS["students"][column] for column in ("dcid", "id", "student_number")}
# Seconds to wait for a delta pull from version 0, which lists every row of the district.
DATA_VERSION_TIMEOUT = 180.0


class PowerSchoolClient:
    def __init__(
        self,
        connection,
        *,
        sleep=time.sleep,
        jitter=random.random,
        http=None,
        page_size=paging.DEFAULT_PAGE_SIZE,
        shared_limits=False,
    ):
        self.session = PowerSchoolSession(
            connection, sleep=sleep, jitter=jitter, http=http, shared_limits=shared_limits
        )
        self.page_size = page_size
        # The plugin's maximum page size for table queries, once the metadata has told it (use_largest_pages).
        self.table_page_maximum = None
        self._metadata = None

    def __repr__(self):
        return f"<PowerSchoolClient {self.session.base_url}>"

    # --- server -------------------------------------------------------------------------------
    def server_time(self):
        """GET /ws/v1/time (no token needed): {"time": ..., "timestamp": ...}."""
        body = self.session.get("/ws/v1/time", authenticated=False) or {}
        return v1_object(body.get("resource") or {})

    def metadata(self):
        """GET /ws/v1/metadata: version and page sizes, fetched once per client."""
        if self._metadata is None:
            self._metadata = Metadata.from_json(self.session.get("/ws/v1/metadata"))
        return self._metadata

    def use_largest_pages(self):
        """Ask for pages as large as the plugin allows: fewer round trips. Lists whose maximum is smaller get
        capped pages, which the paging iterators handle; table queries, whose maximum is now known, are asked
        for pages of exactly that size and need no count (see paging.py)."""
        page_sizes = self.metadata().page_sizes
        sizes = [size for size in page_sizes.values() if isinstance(size, int) and size > 0]
        if sizes:
            self.page_size = max(sizes)
        table_maximum = page_sizes.get("schema_table_query")
        self.table_page_maximum = table_maximum if isinstance(table_maximum, int) and table_maximum > 0 else None
        return self.page_size

    def table_access(self, table):
        """GET /ws/schema/table/{table}/metadata?expansions=access → {field: "ViewOnly" | "FullAccess" | ...}."""
        body = self.session.get(f"/ws/schema/table/{table}/metadata", {"expansions": "access"}) or {}
        columns = body.get("columns") or (body.get("metadata") or {}).get("columns") or []
        return {str(column.get("name", "")).lower(): column.get("access") for column in as_list(columns)}

    # --- v1 resources ---------------------------------------------------------------------------
    def district(self):
        """GET /ws/v1/district."""
        return self._v1_single("/ws/v1/district", "district")

    def schools(self):
        """GET /ws/v1/district/school, every page: `id` is SCHOOLS.DCID, `school_number` the schoolid."""
        return self._v1_list("/ws/v1/district/school", "schools", "school")

    def school(self, school_dcid):
        """GET /ws/v1/school/{dcid}."""
        return self._v1_single(f"/ws/v1/school/{int(school_dcid)}", "school")

    def students(self, school_dcid, expansions=STUDENT_EXPANSIONS, q=None):
        """GET /ws/v1/school/{dcid}/student?expansions=…, every page: `id` is STUDENTS.DCID, `local_id` the
        student number (text)."""
        params = {"expansions": ",".join(expansions), "q": q}
        return self._v1_list(f"/ws/v1/school/{int(school_dcid)}/student", "students", "student", params)

    def district_students(self, expansions=STUDENT_EXPANSIONS, q=None):
        """GET /ws/v1/district/student?expansions=…, every page."""
        params = {"expansions": ",".join(expansions), "q": q}
        return self._v1_list("/ws/v1/district/student", "students", "student", params)

    def student(self, student_dcid, expansions=STUDENT_EXPANSIONS):
        """GET /ws/v1/student/{dcid}?expansions=…."""
        params = {"expansions": ",".join(expansions)}
        return self._v1_single(f"/ws/v1/student/{int(student_dcid)}", "student", params)

    def _v1_list(self, path, plural, singular, params=None):
        return paging.v1_items(self.session, path, plural, singular, params, self.page_size)

    def _v1_single(self, path, singular, params=None):
        envelope = (self.session.get(path, params) or {}).get(singular) or {}
        return v1_object(envelope, expansion_names(envelope))

    # --- table API --------------------------------------------------------------------------------
    def table_rows(self, table, q=None, columns=None, sort=None):
        """GET /ws/schema/table/{table}?projection=…&q=…&sort=…, every page, typed (`columns` defaults to the
        table's TABLE_COLUMNS; `sort` names the column to order by, ascending)."""
        if self.table_page_maximum is None:
            return paging.table_rows(self.session, table, q, self.page_size, columns, sort)
        page_size = min(self.page_size, self.table_page_maximum)
        return paging.table_rows(self.session, table, q, page_size, columns, sort, within_maximum=True)

    def rows_by_keys(self, table, column, keys, q=None, columns=None):
        """Table rows whose `column` is one of `keys` (e.g. the DCIDs a delta pull listed), asked for in chunks
        of `column==(a,b,…)`; `q` adds conditions to every chunk."""
        keys = sorted({int(key) for key in keys})
        for start in range(0, len(keys), KEYS_PER_QUERY):
            condition = f"{column}==({','.join(str(key) for key in keys[start : start + KEYS_PER_QUERY])})"
            yield from self.table_rows(table, f"{condition};{q}" if q else condition, columns)

    def table_row(self, table, dcid):
        """GET /ws/schema/table/{table}/{dcid}?projection=…, typed; None when there is no such row."""
        try:
            record = self.session.get(f"/ws/schema/table/{table}/{int(dcid)}", {"projection": projection(table)})
        except NotFoundError:
            return None
        return paging.table_values(record or {}, table)

    def terms(self, school_number, year_id=None):
        """Table `terms` for a school (optionally one year): yearid, first and last day, the year term flag."""
        return self.table_rows("terms", _fiql(schoolid=school_number, yearid=year_id))

    def year_term(self, school_number, on_date):
        """Table `terms`: the full-year term containing `on_date` at a school, or None (summer, no calendar)."""
        q = (
            _fiql(schoolid=school_number, isyearrec=1)
            + f";firstday=le={on_date.isoformat()};lastday=ge={on_date.isoformat()}"
        )
        return next(iter(self.table_rows("terms", q)), None)

    def calendar_days(self, school_number, first_day, last_day):
        """Table `calendar_day` for a school between two dates (inclusive)."""
        q = f"schoolid=={int(school_number)};date_value=ge={first_day.isoformat()};date_value=le={last_day.isoformat()}"
        return self.table_rows("calendar_day", q)

    def cycle_days(self, school_number, year_id):
        """Table `cycle_day` for a school and year (letters A, B, … of the rotation)."""
        return self.table_rows("cycle_day", _fiql(schoolid=school_number, year_id=year_id))

    def bell_schedules(self, school_number, year_id):
        """Table `bell_schedule` for a school and year."""
        return self.table_rows("bell_schedule", _fiql(schoolid=school_number, year_id=year_id))

    def bell_schedule_items(self, bell_schedule_id):
        """Table `bell_schedule_items` of one bell schedule: period ids with start and end in seconds since midnight."""
        return self.table_rows("bell_schedule_items", _fiql(bell_schedule_id=bell_schedule_id))

    def periods(self, school_number, year_id):
        """Table `period` for a school and year."""
        return self.table_rows("period", _fiql(schoolid=school_number, year_id=year_id))

    def courses(self):
        """Table `courses` (district-wide): course numbers and names."""
        return self.table_rows("courses")

    def sections(self, school_number, term_id=None):
        """Table `sections` for a school (optionally one term): `id` is what CC.SECTIONID points at."""
        return self.table_rows("sections", _fiql(schoolid=school_number, termid=term_id))

    def section_meetings(self, school_number, year_id):
        """Table `section_meeting` for a school and year: which period and cycle day each section meets."""
        return self.table_rows("section_meeting", _fiql(schoolid=school_number, year_id=year_id))

    def enrollments(self, school_number, year_id=None):
        """Table `cc` for a school. With a year, only that year's live enrollments: PowerSchool negates the
        term id of a dropped enrollment, so dropped rows fall outside the year's term-id range."""
        q = _fiql(schoolid=school_number)
        if year_id is not None:
            q += f";termid=ge={int(year_id) * 100};termid=lt={(int(year_id) + 1) * 100}"
        return self.table_rows("cc", q)

    def student_identifiers(self, school_number=None):
        """Table `students`: DCID, ID and student number side by side (the three are different numbers)."""
        return self.table_rows("students", _fiql(schoolid=school_number) or None)

    def student_keys(self, q=None, sort=None):
        """Table `students` (optionally filtered, sorted by a column): only DCID, ID and student number, what
        linking a roster's students to PowerSchool's needs."""
        return self.table_rows("students", q, STUDENT_KEY_COLUMNS, sort)

    def student_rows(self, q=None, *, legacy_contacts=False):
        """Table `students` (optionally filtered): keys, names, school, enrollment and phone; with
        `legacy_contacts` also the single-record guardian and emergency columns (PowerSchool before 12)."""
        return self.table_rows("students", q, student_columns(legacy_contacts))

    def users(self):
        """Table `users`: one row per staff person (USERS.DCID)."""
        return self.table_rows("users")

    def school_staff(self, school_number=None):
        """Table `schoolstaff`: a person's link to a school (SCHOOLSTAFF.ID is what SECTIONS.TEACHER holds)."""
        return self.table_rows("schoolstaff", _fiql(schoolid=school_number) or None)

    def attendance_codes(self, school_number, year_id):
        """Table `attendance_code` for a school and year (codes are per school per year)."""
        return self.table_rows("attendance_code", _fiql(schoolid=school_number, yearid=year_id))

    def attendance_codes_for_date(self, school_number, att_date):
        """PowerQuery com.pearson.core.attendance.attendance_code_by_school_date: the codes valid on a date."""
        args = {"schoolid": int(school_number), "att_date": att_date.isoformat()}
        for record in paging.powerquery_rows(self.session, CODES_BY_DATE_QUERY, args, self.page_size):
            values = paging.powerquery_values(record, "attendance_code")
            yield {
                "id": integer(values.get("attendance_codeid", values.get("id"))),
                "att_code": values.get("att_code") or "",
                "description": values.get("description"),
                "yearid": integer(values.get("yearid")),
                "schoolid": integer(values.get("schoolid")) or int(school_number),
                "presence_status_cd": values.get("presence_status_cd"),
            }

    # --- contacts ---------------------------------------------------------------------------------
    def student_contacts(self, student_dcid):
        """GET /ws/contacts/student/{dcid} (12.0+): the student's contacts; [] when PowerSchool answers 204."""
        return as_list(self.session.get(f"/ws/contacts/student/{int(student_dcid)}"))

    def contact_people(self):
        """Table `person`: every contact person (unlimited contacts model), in order of PERSON.ID."""
        return self.table_rows("person", sort="id")

    def student_contact_links(self):
        """Table `studentcontactassoc`: which person is a contact of which student (by STUDENTS.DCID), in order
        of the link's id."""
        return self.table_rows("studentcontactassoc", sort="studentcontactassocid")

    def student_contact_details(self):
        """Table `studentcontactdetail`: per link, emergency, custodial, lives-with and may-pick-up flags, in
        order of the link's id."""
        return self.table_rows("studentcontactdetail", sort="studentcontactassocid")

    def email_addresses(self):
        """Table `emailaddress`, in order of its id."""
        return self.table_rows("emailaddress", sort="emailaddressid")

    def person_email_links(self):
        """Table `personemailaddressassoc`: a person's e-mail addresses, with the primary one flagged, in order
        of PERSON.ID."""
        return self.table_rows("personemailaddressassoc", sort="personid")

    def phone_numbers(self):
        """Table `phonenumber`, in order of its id."""
        return self.table_rows("phonenumber", sort="phonenumberid")

    def person_phone_links(self):
        """Table `personphonenumberassoc`: a person's phone numbers, with the preferred one flagged, in order of
        PERSON.ID."""
        return self.table_rows("personphonenumberassoc", sort="personid")

    def codesets(self, code_type=None):
        """Table `codeset`: the labels behind relationship, phone and e-mail type ids."""
        return self.table_rows("codeset", f"codetype=={code_type}" if code_type else None)

    # --- student DCID ↔ ID ------------------------------------------------------------------------
    def student_ids_for_dcids(self, dcids):
        """PowerQuery com.pearson.core.student.student_dcid_id_map by DCID → {dcid: id}; unknown DCIDs are absent."""
        pairs = self._dcid_id_pairs("students_dcid", dcids)
        return {dcid: student_id for dcid, student_id in pairs}

    def student_dcids_for_ids(self, ids):
        """PowerQuery com.pearson.core.student.student_dcid_id_map by ID → {id: dcid}; unknown IDs are absent."""
        pairs = self._dcid_id_pairs("students_id", ids)
        return {student_id: dcid for dcid, student_id in pairs}

    def student_id_for_dcid(self, dcid):
        """STUDENTS.ID for one DCID, or StudentIdError when PowerSchool does not know the DCID."""
        student_id = self.student_ids_for_dcids([dcid]).get(int(dcid))
        if student_id is None:
            raise StudentIdError(f"PowerSchool has no student with DCID {int(dcid)}")
        return student_id

    def students_with_number(self, student_number):
        """Table `students` rows ({"dcid", "id", "student_number"}) whose student number is `student_number`:
        one normally, none when PowerSchool has no such student, several when the number is not unique."""
        if not PLAIN_VALUE.fullmatch(student_number):
            raise StudentIdError(
                f"The student number {student_number!r} cannot be looked up in PowerSchool: it is empty or holds "
                "characters PowerSchool's query language reserves"
            )
        q = f"student_number=={student_number}"
        return list(self.table_rows("students", q, STUDENT_KEY_COLUMNS))

    def _dcid_id_pairs(self, argument, numbers):
        numbers = iter(sorted({int(number) for number in numbers}))
        while batch := list(islice(numbers, ID_MAP_BATCH)):
            rows = paging.powerquery_rows(self.session, DCID_ID_MAP_QUERY, {argument: batch}, ID_MAP_BATCH)
            for record in rows:
                values = paging.powerquery_values(record, "students")
                yield integer(values.get("dcid")), integer(values.get("id"))

    # --- attendance -------------------------------------------------------------------------------
    def write_daily_time(self, record):
        """POST /ws/attendance/daily_time: create or update one Daily or Time record."""
        return self._write_attendance("/ws/attendance/daily_time", [record], idempotent=record.is_upsert)

    def write_meeting_interval(self, records):
        """POST /ws/attendance/meeting_interval: Meeting or Interval records of one student on one day."""
        if len({(record.student_id, record.att_date) for record in records}) != 1:
            raise ValueError("meeting_interval takes records of exactly one student on one day")
        return self._write_attendance("/ws/attendance/meeting_interval", records, idempotent=True)

    def write_batch_daily_time(self, records):
        """POST /ws/attendance/batch_daily_time (25.3+), 200 records per call; failed records are in the
        result's outcomes instead of raising."""
        result = AttendanceWriteResult()
        records = list(records)
        for start in range(0, len(records), BATCH_ATTENDANCE_LIMIT):
            chunk = records[start : start + BATCH_ATTENDANCE_LIMIT]
            idempotent = all(record.is_upsert for record in chunk)
            result = result.merge(self._post_attendance("/ws/attendance/batch_daily_time", chunk, idempotent))
        return result

    def write_daily_records(self, records):
        """Daily/Time records, in batches where the PowerSchool version has batch_daily_time, else one by one;
        failed records are in the result's outcomes instead of raising."""
        if self.metadata().has_batch_attendance:
            return self.write_batch_daily_time(records)
        result = AttendanceWriteResult()
        for record in records:
            path = "/ws/attendance/daily_time"
            result = result.merge(self._post_attendance(path, [record], record.is_upsert))
        return result

    def _write_attendance(self, path, records, idempotent):
        result = self._post_attendance(path, records, idempotent)
        if result.errors:
            raise result.errors[0]
        return result

    def _post_attendance(self, path, records, idempotent):
        body = {"name": "Attendance", "record": [record.payload() for record in records]}
        try:
            answer, status = self.session.post(path, body, idempotent=idempotent), 200
        except RecordValidationError as rejected:
            # Some versions answer 400 with the per-record outcomes inside; keep them per record.
            if not rejected.body.get("result"):
                raise
            answer, status = rejected.body, rejected.status
        return AttendanceWriteResult.from_json(answer, method="POST", path=path, http_status=status)

    def attendance(self, student_id, att_date, mode=None):
        """Table `attendance` for one student (STUDENTS.ID) on one date, optionally one mode."""
        q = f"studentid=={int(student_id)};att_date=={att_date.isoformat()}"
        if mode:
            q += f";att_mode_code=={mode}"
        return list(self.table_rows("attendance", q))

    def daily_attendance(self, student_id, att_date):
        """The student's Daily record on a date (what a daily_time write upserts), or None."""
        return next(iter(self.attendance(student_id, att_date, DAILY)), None)

    def attendance_record(self, dcid):
        """GET /ws/schema/table/attendance/{dcid}: one attendance row, or None when it is gone."""
        return self.table_row("attendance", dcid)

    def attendance_times(self, attendance_id):
        """Table `attendance_time` for one ATTENDANCE.ID: Time In / Time Out in seconds since midnight."""
        return list(self.table_rows("attendance_time", _fiql(attendanceid=attendance_id)))

    def delete_attendance(self, dcid):
        """DELETE /ws/schema/table/attendance/{dcid}: True when deleted, False when it was already gone —
        so repeating a delete whose answer was lost is safe."""
        try:
            self.session.delete(f"/ws/schema/table/attendance/{int(dcid)}", idempotent=True)
        except NotFoundError:
            return False
        return True

    # --- delta sync -------------------------------------------------------------------------------
    def changed_records(self, application, since_version):
        """GET /ws/dataversion/{application}/{version} (9.3+): DCIDs changed per subscribed table since then."""
        body = self.session.get(f"/ws/dataversion/{application}/{int(since_version)}")
        return DataVersionDelta.from_json(body)

    def data_version(self, application, since_version):
        """The version a delta pull would tell to ask with next, from the same request as `changed_records`.
        Asked from version 0 the answer lists every row of the district (tens of megabytes once decoded for a
        large one), so it is scanned for the version as it arrives and never decoded or held whole."""
        path = f"/ws/dataversion/{application}/{int(since_version)}"
        # PowerSchool lists every row before it sends the first byte: the usual timeout is too short for that.
        timeout = DATA_VERSION_TIMEOUT if since_version == 0 else None
        with self.session.get_streamed(path, timeout=timeout) as response:
            return paging.data_version_in(response.iter_content(paging.STREAM_CHUNK))

    def powerquery(self, name, args=None, *, application=None, since_version=None):
        """POST /ws/schema/query/{name}, every page; with `since_version` only rows changed since that data
        version ($dataversion, 9.3+)."""
        args = dict(args or {})
        if since_version is not None:
            if not application:
                raise PowerSchoolError("A data-version query needs the plugin's application name")
            args.update({"$dataversion": str(since_version), "$dataversion_applicationname": application})
        return paging.powerquery_rows(self.session, name, args, self.page_size)


def student_columns(legacy_contacts=False):
    """The `students` columns a sync reads, with the legacy contact columns when asked."""
    if legacy_contacts:
        return {**TABLE_COLUMNS["students"], **LEGACY_CONTACT_COLUMNS}
    return TABLE_COLUMNS["students"]


def _fiql(**conditions):
    """`a==1;b==2` from the conditions that have a value."""
    return ";".join(f"{name}=={value}" for name, value in conditions.items() if value is not None)
