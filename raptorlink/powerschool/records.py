"""What the client sends and returns where a plain dict would hide the meaning."""

from dataclasses import dataclass, field
from datetime import date

from raptorlink.powerschool.errors import RecordValidationError, result_error_messages
from raptorlink.powerschool.normalize import as_list, integer

DAILY = "ATT_ModeDaily"
TIME = "ATT_ModeTime"
MEETING = "ATT_ModeMeeting"
INTERVAL = "ATT_ModeInterval"

BATCH_ATTENDANCE_SINCE = (25, 3)
CONTACTS_API_SINCE = (12,)
DATA_VERSION_SINCE = (9, 3)


def version_tuple(version):
    """(25, 7, 0, 0) from "25.7.0.0"; () when PowerSchool did not say."""
    numbers = []
    for part in str(version or "").split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


@dataclass(frozen=True)
class Metadata:
    """GET /ws/v1/metadata: the PowerSchool version, the plugin and its maximum page sizes."""

    powerschool_version: str
    plugin_id: int | None = None
    district_timezone: str | None = None
    page_sizes: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, body):
        values = (body or {}).get("metadata") or {}
        page_sizes = {
            key.removesuffix("_max_page_size"): integer(value)
            for key, value in values.items()
            if key.endswith("_max_page_size")
        }
        return cls(
            powerschool_version=str(values.get("powerschool_version") or ""),
            plugin_id=integer(values.get("plugin_id")),
            district_timezone=values.get("district_timezone"),
            page_sizes=page_sizes,
        )

    @property
    def version(self):
        return version_tuple(self.powerschool_version)

    @property
    def has_batch_attendance(self):
        """POST /ws/attendance/batch_daily_time exists from 25.3."""
        return self.version >= BATCH_ATTENDANCE_SINCE

    @property
    def has_contacts_api(self):
        """/ws/contacts/* exists from 12.0."""
        return self.version >= CONTACTS_API_SINCE

    @property
    def has_data_version(self):
        """/ws/dataversion and $dataversion on PowerQueries exist from 9.3."""
        return self.version >= DATA_VERSION_SINCE


@dataclass
class AttendanceRecord:
    """One ATTENDANCE row to write. Ids are STUDENTS.ID (not DCID) and the school *number*."""

    student_id: int
    school_number: int
    year_id: int
    att_date: date
    mode: str
    attendance_code_id: int
    comment: str = ""
    calendar_day_id: int | None = None
    program_id: int = 0
    total_minutes: int | None = None
    dcid: int | None = None
    ccid: int | None = None
    period_id: int | None = None
    start_time: int | None = None
    end_time: int | None = None
    interval: int | None = None
    time_in: int | None = None
    time_out: int | None = None

    @property
    def is_upsert(self):
        """Whether sending it twice leaves one record: Daily, Meeting and Interval are keyed by
        student, date (and meeting); Time only when it names the record (dcid) it updates."""
        return self.mode != TIME or self.dcid is not None

    def payload(self):
        """The `record[]` entry /ws/attendance/* expects: strings, except the meeting times."""
        values = {
            "studentid": self.student_id,
            "schoolid": self.school_number,
            "yearid": self.year_id,
            "att_date": self.att_date.isoformat(),
            "att_mode_code": self.mode,
            "attendance_codeid": self.attendance_code_id,
            "att_comment": self.comment,
            "programid": self.program_id,
            "calendar_dayid": self.calendar_day_id,
            "total_minutes": self.total_minutes,
            "dcid": self.dcid,
            "ccid": self.ccid,
            "periodid": self.period_id,
            "att_interval": self.interval,
        }
        attendance = {key: str(value) for key, value in values.items() if value is not None}
        if self.start_time is not None:
            attendance["start_time"] = self.start_time
        if self.end_time is not None:
            attendance["end_time"] = self.end_time
        tables = {"attendance": attendance}
        times = {"time_in": self.time_in, "time_out": self.time_out}
        if any(value is not None for value in times.values()):
            tables["attendance_time"] = {key: str(value or 0) for key, value in times.items()}
        return {"name": "Attendance", "tables": tables}


@dataclass
class WriteOutcome:
    """One `result[]` entry: what PowerSchool did with one record."""

    status: str
    action: str
    record_id: int | None = None
    error: RecordValidationError | None = None

    @property
    def ok(self):
        return self.error is None

    @classmethod
    def from_json(cls, result, *, method, path, http_status=200):
        status = str(result.get("status") or "").upper()
        outcome = cls(status=status, action=str(result.get("action") or "").upper())
        if status == "SUCCESS":
            outcome.record_id = integer((result.get("success_message") or {}).get("id"))
        else:
            outcome.error = RecordValidationError(
                result_error_messages(result), method=method, path=path, status=http_status
            )
        return outcome


@dataclass
class AttendanceWriteResult:
    """The answer to an attendance write: counts and, per record, the id written or the error."""

    inserted: int = 0
    updated: int = 0
    outcomes: list = field(default_factory=list)

    @classmethod
    def from_json(cls, body, *, method, path, http_status=200):
        body = (body or {}).get("results", body) or {}
        return cls(
            inserted=integer(body.get("insert_count")) or 0,
            updated=integer(body.get("update_count")) or 0,
            outcomes=[
                WriteOutcome.from_json(result, method=method, path=path, http_status=http_status)
                for result in as_list(body.get("result"))
            ],
        )

    @property
    def record_ids(self):
        return [outcome.record_id for outcome in self.outcomes if outcome.ok]

    @property
    def errors(self):
        return [outcome.error for outcome in self.outcomes if not outcome.ok]

    def merge(self, other):
        return AttendanceWriteResult(
            self.inserted + other.inserted, self.updated + other.updated, self.outcomes + other.outcomes
        )


@dataclass(frozen=True)
class DataVersionDelta:
    """GET /ws/dataversion/{app}/{version}: the DCIDs changed per table and the version to ask with next."""

    version: int
    tables: dict

    @classmethod
    def from_json(cls, body):
        body = body or {}
        tables = {
            name.lower(): [integer(dcid) for dcid in as_list(dcids)]
            for name, dcids in (body.get("tables") or {}).items()
        }
        return cls(version=integer(body.get("$dataversion")) or 0, tables=tables)
