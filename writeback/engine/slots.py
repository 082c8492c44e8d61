"""What RaptorLink holds in PowerSchool for one student and day, slot by slot.

A slot is one record we own: "daily" (the Daily record), "time" (our Time record) or "<ccid>:<periodid>" (one
class meeting). `Intent.written` lists the records we wrote (`{"mode": ..., "records": [{"slot", "dcid",
"values"}]}`); `Intent.prior` keeps, per slot, what PowerSchool held before our first write to it
(`{"slots": {slot: {"dcid", "values"} or None}}`), so a void can restore it and an edit can tell our
values from someone else's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from raptorlink.powerschool.records import AttendanceRecord

# The ATTENDANCE columns whose change by someone else makes our record theirs.
COMPARED = ("attendance_codeid", "att_comment", "total_minutes")


def record_values(record):
    values = {
        "attendance_codeid": record.attendance_code_id,
        "att_comment": record.comment,
        "total_minutes": record.total_minutes,
        "ccid": record.ccid,
        "periodid": record.period_id,
        "time_in": record.time_in,
        "time_out": record.time_out,
    }
    return {key: value for key, value in values.items() if value is not None}


def row_values(row, times=None):
    """A PowerSchool ATTENDANCE row (and its ATTENDANCE_TIME, if asked for) in the shape of record_values."""
    values = {
        "attendance_codeid": row.get("attendance_codeid"),
        "att_comment": row.get("att_comment") or "",
        "total_minutes": row.get("total_minutes"),
        "ccid": row.get("ccid") or None,
        "periodid": row.get("periodid") or None,
    }
    if times:
        values.update({"time_in": times.get("time_in"), "time_out": times.get("time_out")})
    return {key: value for key, value in values.items() if value is not None}


def changed_by_someone_else(written_values, row):
    """Whether PowerSchool's row no longer holds what we wrote into it."""
    if row is None:
        return True
    current = row_values(row)
    return any(
        _normal(current.get(key)) != _normal(written_values.get(key)) for key in COMPARED if key in written_values
    )


def later_wins(counted):
    """{slot: record} from [(event, {slot: record})] in time order: a later event takes a slot an earlier one had."""
    planned = {}
    for _event, records in counted:
        planned.update(records)
    return planned


def _normal(value):
    return "" if value is None else str(value)


@dataclass
class StudentDay:
    """Everything a mode needs to write one intent: PowerSchool's keys for the student and day, what PowerSchool
    holds now, and what we wrote and found there before."""

    intent: object
    mode: str
    student_id: int
    year_id: int
    calendar_day_id: int | None
    in_session: bool
    read_rows: Callable[[], list]
    lookups: object
    written: dict = field(default_factory=dict)
    prior: dict = field(default_factory=dict)
    _rows: list | None = field(default=None, repr=False)

    @property
    def rows(self):
        """PowerSchool's attendance rows of the student's day in the mode, read on first use: a round trip that
        a first Time record, or a write with no earlier record to compare or keep, never needs."""
        if self._rows is None:
            self._rows = self.read_rows()
        return self._rows

    def record(self, **values):
        return AttendanceRecord(
            student_id=self.student_id,
            school_number=self.intent.school.number,
            year_id=self.year_id,
            att_date=self.intent.att_date,
            mode=self.mode,
            calendar_day_id=self.calendar_day_id,
            **values,
        )

    def restoring(self, slot):
        """The record that puts back what PowerSchool held in `slot` before our first write."""
        before = self.prior[slot]
        values = before["values"]
        return self.record(
            attendance_code_id=values["attendance_codeid"],
            comment=values.get("att_comment", ""),
            total_minutes=values.get("total_minutes"),
            ccid=values.get("ccid"),
            period_id=values.get("periodid"),
            time_in=values.get("time_in"),
            time_out=values.get("time_out"),
        )

    def row_by_dcid(self, dcid):
        return next((row for row in self.rows if row.get("dcid") == dcid), None)
