"""Apply one intent to PowerSchool: resolve its keys, read what PowerSchool holds, write, and say what we own.

Whatever the intent (a new event, an edit, a void), PowerSchool is brought to what the student's day now is: the
day's active events as they stand, the last of each kind (by the time it happened) winning where they share a
record (see `day_plan`). So a void of the last event puts the earlier one back, an edit that moves an event
before another leaves the other one in place, and only a day with no active event left gives back what
PowerSchool held before our first write (or deletes our record). Each write updates the records we wrote before
(the slots of `Intent.written`) instead of adding new ones. Before touching a record we wrote, PowerSchool's copy
is compared with ours; if someone changed it since, we leave it alone and report a conflict.
"""

import logging
from dataclasses import dataclass, field

from raptorlink.models import AttendanceMode
from raptorlink.powerschool.errors import StudentIdError
from sis_sync.models import RosterSource, Source, Student
from writeback.engine import daily, meeting, periods, time_mode
from writeback.engine.codes import resolved_code_id
from writeback.engine.slots import StudentDay, changed_by_someone_else, record_values
from writeback.errors import WritebackProblem
from writeback.models import Intent

logger = logging.getLogger(__name__)

MODES = {AttendanceMode.DAILY: daily, AttendanceMode.TIME: time_mode, AttendanceMode.MEETING: meeting}
EXCERPT_LENGTH = 500
# Intents whose event PowerSchool has, or is about to get; failed, conflicting and skipped ones wait for a person.
LIVE = (Intent.Status.PENDING, Intent.Status.SENDING, Intent.Status.SUCCEEDED)


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


def intent_apply(intent, client, trace, lookups):
    """Write the intent (or undo its event for a void); returns what we now own in PowerSchool for the day.
    `lookups` carries the synced facts already read in this drain batch. Raises WritebackProblem or
    PowerSchoolError."""
    mode = intent.school.effective_attendance_mode
    module = MODES[mode]
    history = day_history(intent)
    day = student_day(intent, client, module, history, lookups)
    planned = day_plan(day, module, client, day_events(intent, history))
    releasing = set(day.written) - set(planned)
    if intent.resolved_at is None:
        # A person who retries a conflict has compared both versions and chosen ours.
        refuse_conflicts(day, module, planned, releasing)
    dcids = module.send(client, list(planned.values()), trace)
    release(day, module, client, trace, releasing)
    owned = [
        {"slot": slot, "dcid": dcid, "values": record_values(record)}
        for (slot, record), dcid in zip(planned.items(), dcids, strict=True)
    ]
    prior = {slot: before for slot, before in day.prior.items() if slot in planned}
    return Applied(mode, {"mode": mode, "records": owned}, {"slots": prior} if prior else {})


def student_day(intent, client, module, history, lookups):
    student_id = powerschool_student_id(intent.student, client)
    previous = last_applied(intent, history)
    calendar = lookups.calendar_day(intent.school, intent.att_date)
    return StudentDay(
        intent=intent,
        mode=module.MODE,
        student_id=student_id,
        year_id=lookups.year_id(intent.school, intent.att_date),
        calendar_day_id=calendar.ps_id if calendar is not None else None,
        in_session=lookups.in_session(intent.school, intent.att_date),
        read_rows=lambda: client.attendance(student_id, intent.att_date, module.MODE),
        lookups=lookups,
        written={record["slot"]: record for record in previous["written"].get("records", [])} if previous else {},
        prior=dict(previous["prior"].get("slots", {})) if previous else {},
    )


def day_plan(day, module, client, events):
    """The records PowerSchool should hold for the student's day: of the day's active `events`, the last
    check-in and the last check-out, each planned by the mode, the later one winning a record both would write.

    An event of another intent that cannot be written (no code, no period) is left out, so it cannot hold up
    the others; its own intent reports why. This intent's own event raises."""
    last_of_kind = {}
    for event in events:
        records = event_records(day, module, event)
        if records is not None:
            last_of_kind[event.kind] = (event, records)
    counted = sorted(last_of_kind.values(), key=lambda planned: event_order(planned[0]))
    # Before combining: what a slot keeps from PowerSchool's own record (Daily's Time In/Out) comes from there.
    capture_prior(day, module, client, {slot for _, records in counted for slot in records})
    return module.combine(day, counted)


def event_records(day, module, event):
    try:
        if not day.in_session:
            raise periods.not_a_school_day(event.school, event.att_date)
        return module.plan(day, event, resolved_code_id(event, day.year_id, day.lookups))
    except WritebackProblem as problem:
        if event.event_ref == day.intent.event_ref:
            raise
        logger.info("Leaving %s out of %s's write-back: %s", event.event_ref, day.intent.event_ref, problem)
        return None


def event_order(event):
    return (event.seconds, event.id)


def day_history(intent):
    """Every intent, in the order they were recorded, of the events the student has had on the intent's day
    (whatever day each intent put its event on): one light row each, full rows are read only where needed."""
    on_this_day = Intent.objects.filter(student_id=intent.student_id, att_date=intent.att_date).values("event_ref")
    return list(
        Intent.objects.filter(student_id=intent.student_id, event_ref__in=on_this_day)
        .order_by("id")
        .values("id", "event_ref", "att_date", "operation", "status", "finished_at")
    )


def day_events(intent, history):
    """The student's active events on the intent's day, in the order they happened, each as its latest intent
    that is not waiting for a person (what was last asked of PowerSchool for it). An event whose latest such
    intent is a void, or moved it to another day, is not active here."""
    latest = {row["event_ref"]: row for row in history if row["status"] in LIVE}
    active = {
        row["id"]
        for row in latest.values()
        if row["att_date"] == intent.att_date and row["operation"] == Intent.Operation.WRITE
    }
    # Mostly the day has one event, the intent's own, which is already read.
    events = [intent] if intent.id in active else []
    others = active - {intent.id}
    if others:
        events += Intent.objects.filter(id__in=others).select_related("district", "school__district", "student")
    return sorted(events, key=event_order)


def last_applied(intent, history):
    """What PowerSchool holds for this student and day, by the last intent that succeeded (its `written` and
    `prior`), or None."""
    succeeded = [
        row
        for row in history
        if row["att_date"] == intent.att_date and row["status"] == Intent.Status.SUCCEEDED and row["id"] != intent.id
    ]
    if not succeeded:
        return None
    last = max(succeeded, key=lambda row: (row["finished_at"] is not None, row["finished_at"], row["id"]))
    return Intent.objects.filter(id=last["id"]).values("written", "prior").get()


def powerschool_student_id(student, client):
    """STUDENTS.ID: from the sync or an earlier conversion; else converted from what the roster gave (the DCID,
    or only the student number) and kept on the student for next time."""
    if student.ps_id:
        return student.ps_id
    keys = {"ps_id": id_for_dcid(student, client)} if student.dcid else keys_for_number(student, client)
    Student.objects.filter(pk=student.pk).update(**keys)
    for name, value in keys.items():
        setattr(student, name, value)
    return student.ps_id


def id_for_dcid(student, client):
    try:
        return client.student_id_for_dcid(student.dcid)
    except StudentIdError:
        raise student_id_problem(student, f"PowerSchool has no student with DCID {student.dcid}.") from None


def keys_for_number(student, client):
    """{"ps_id", "dcid"} of the one PowerSchool student with the student's number."""
    number = student.student_number.strip()
    try:
        matches = client.students_with_number(number)
    except StudentIdError as error:
        raise student_id_problem(student, f"{error}.") from None
    if len(matches) != 1:
        found = "no student" if not matches else f"{len(matches)} students"
        raise student_id_problem(student, f"PowerSchool has {found} with student number {number!r}.")
    return {"ps_id": matches[0]["id"], "dcid": matches[0]["dcid"]}


def student_id_problem(student, reason):
    message = f"Could not find the student's PowerSchool id: {reason}"
    settings = RosterSource.objects.filter(district_id=student.district_id).first()
    if settings is None or settings.owner == Source.POWERSCHOOL:
        return WritebackProblem("student_id", message)
    return WritebackProblem("student_id", message, hint=roster_hint(settings, reason))


def roster_hint(settings, reason):
    """The fix for a roster district: the identifier settings, as they stand, with what they led us to try."""
    field_label = RosterSource._meta.get_field("identifier_field").verbose_name
    rule_label = RosterSource._meta.get_field("identifier_rule").verbose_name
    return (
        f"{reason} RaptorLink looked the student up as the district's roster source settings say: "
        f"“{field_label}” is “{settings.get_identifier_field_display()}” and “{rule_label}” is "
        f"“{settings.get_identifier_rule_display()}”. Check those settings (Roster source) against what the "
        f"{settings.get_owner_display()} files really carry for this student, and that the student exists in "
        "PowerSchool; after correcting them, import the roster again and retry from the write-back log."
    )


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
