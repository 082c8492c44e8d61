"""Apply one intent to PowerSchool: resolve its keys, read what PowerSchool holds, write, and say what we own.

The last event of a student's day wins: each write updates the records we wrote before (the slots of
`Intent.written`) instead of adding new ones. Before touching a record we wrote, PowerSchool's copy is compared
with ours; if someone changed it since, we leave it alone and report a conflict. A void puts back what
PowerSchool held before our first write, or deletes our record when there was nothing.
"""

from dataclasses import dataclass, field

from raptorlink.models import AttendanceMode
from raptorlink.powerschool.errors import StudentIdError
from sis_sync.models import Student
from writeback.engine import daily, meeting, periods, time_mode
from writeback.engine.codes import resolved_code_id
from writeback.engine.slots import StudentDay, changed_by_someone_else, record_values
from writeback.errors import WritebackProblem
from writeback.models import Intent

MODES = {AttendanceMode.DAILY: daily, AttendanceMode.TIME: time_mode, AttendanceMode.MEETING: meeting}
EXCERPT_LENGTH = 500


@dataclass
class Trace:
    """What was sent to PowerSchool for one attempt and what came back (the attempt log; never a token)."""

    calls: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    status_code: int | None = None

    def sent(self, call, records):
        self.calls.append({"call": call, "records": [record.payload() for record in records]})

    def deleting(self, dcid):
        self.calls.append({"call": "delete_attendance", "dcid": dcid})

    def deleted(self, dcid):
        self.answers.append(f"deleted {dcid}")
        self.status_code = 200

    def answered(self, result):
        self.answers.append(f"inserted {result.inserted}, updated {result.updated}, ids {result.record_ids}")
        self.status_code = 200

    @property
    def answer(self):
        return "; ".join(self.answers)[:EXCERPT_LENGTH]

    @property
    def request(self):
        return {"calls": self.calls}


@dataclass(frozen=True)
class Applied:
    mode: str
    written: dict
    prior: dict


def intent_apply(intent, client, trace):
    """Write the intent (or undo its event for a void); returns what we now own in PowerSchool for the day.
    Raises WritebackProblem or PowerSchoolError."""
    mode = intent.school.effective_attendance_mode
    module = MODES[mode]
    day = student_day(intent, client, module)
    planned = {}
    if intent.operation == Intent.Operation.WRITE:
        planned = module.plan(day, resolved_code_id(intent, day.year_id))
    releasing = set(day.written) - set(planned)
    if intent.resolved_at is None:
        # A person who retries a conflict has compared both versions and chosen ours.
        refuse_conflicts(day, module, planned, releasing)
    capture_prior(day, module, client, planned)
    dcids = module.send(client, list(planned.values()), trace)
    release(day, module, client, trace, releasing)
    owned = [
        {"slot": slot, "dcid": dcid, "values": record_values(record)}
        for (slot, record), dcid in zip(planned.items(), dcids, strict=True)
    ]
    prior = {slot: before for slot, before in day.prior.items() if slot in planned}
    return Applied(mode, {"mode": mode, "records": owned}, {"slots": prior} if prior else {})


def student_day(intent, client, module):
    student_id = powerschool_student_id(intent.student, client)
    previous = last_applied(intent)
    written = {record["slot"]: record for record in previous.written.get("records", [])} if previous else {}
    return StudentDay(
        intent=intent,
        mode=module.MODE,
        student_id=student_id,
        year_id=periods.year_id_for(intent.school, intent.att_date),
        calendar_day_id=calendar_day_id(intent),
        rows=client.attendance(student_id, intent.att_date, module.MODE),
        written=written,
        prior=dict(previous.prior.get("slots", {})) if previous else {},
    )


def last_applied(intent):
    """The intent whose outcome PowerSchool holds for this student and day: the last one that succeeded."""
    return (
        Intent.objects.filter(student=intent.student, att_date=intent.att_date, status=Intent.Status.SUCCEEDED)
        .exclude(id=intent.id)
        .order_by("-finished_at", "-id")
        .first()
    )


def calendar_day_id(intent):
    day = periods.calendar_day(intent.school, intent.att_date)
    return day.ps_id if day is not None else None


def powerschool_student_id(student, client):
    """STUDENTS.ID: from the sync, else converted from the DCID and kept for next time."""
    if student.ps_id:
        return student.ps_id
    if not student.dcid:
        raise WritebackProblem("student_id", f"Could not find the student's PowerSchool id: {student} has no DCID.")
    try:
        student.ps_id = client.student_id_for_dcid(student.dcid)
    except StudentIdError as error:
        raise WritebackProblem("student_id", f"Could not find the student's PowerSchool id: {error}") from None
    Student.objects.filter(pk=student.pk).update(ps_id=student.ps_id)
    return student.ps_id


def refuse_conflicts(day, module, planned, releasing):
    for slot, ours in day.written.items():
        row = module.find_row(day, slot)
        if changed_by_someone_else(ours["values"], row) and not already_done(day, module, slot, row, planned):
            raise WritebackProblem(
                "conflict",
                f"PowerSchool's attendance record {ours['dcid']} was changed or removed by someone else after "
                "RaptorLink wrote it.",
            )


def already_done(day, module, slot, row, planned):
    """Whether PowerSchool already holds what this intent is about to leave in the slot: an earlier try of it
    was applied but its answer was lost."""
    if slot in planned:
        return not changed_by_someone_else(record_values(planned[slot]), row)
    replacement = released_record(day, module, slot)
    if replacement is None:
        return row is None
    return not changed_by_someone_else(record_values(replacement), row)


def capture_prior(day, module, client, planned):
    """Remember what PowerSchool holds in each slot we are about to write for the first time."""
    for slot in planned:
        if slot in day.prior or slot in day.written:
            continue
        row = module.find_row(day, slot)
        day.prior[slot] = (
            None if row is None else {"dcid": row["dcid"], "values": module.prior_values(client, day, row)}
        )


def released_record(day, module, slot):
    """What goes in place of our record when we give a slot back: PowerSchool's earlier record, the mode's
    replacement, or None for deleting ours."""
    if day.prior.get(slot):
        return day.restoring(slot)
    return module.replacement(day, slot)


def release(day, module, client, trace, slots):
    """Give `slots` back: restore what PowerSchool held before us, or remove our record."""
    replacing = []
    for slot in sorted(slots):
        record = released_record(day, module, slot)
        if record is None:
            delete(client, day.written[slot]["dcid"], trace)
        else:
            replacing.append(record)
    module.send(client, replacing, trace)


def delete(client, dcid, trace):
    trace.deleting(dcid)
    client.delete_attendance(dcid)
    trace.deleted(dcid)
