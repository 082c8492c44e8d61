"""Recording, editing and voiding student events: the only way they change.

Every change writes a history row and hands the write-back outbox an intent in the same transaction, so an event
never exists without its write-back, and a rolled-back request leaves neither behind.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiosk.comments import event_comment
from kiosk.lookup import student_problem
from kiosk.models import EventKind, EventSource, ReasonCode, StudentEvent, StudentEventChange
from raptorlink.audit import audit_record
from raptorlink.models import AuditEntry
from raptorlink.permissions import Action, may
from sis_sync.models import CalendarDay, Contact, StudentContact
from writeback.models import Intent
from writeback.outbox import record_intent

SCHOOL_YEAR_START_MONTH = 7

EDITABLE_FIELDS = ("occurred_at", "reason", "note")


# --- recording --------------------------------------------------------------------------------------


def record_event(
    *,
    student,
    building,
    kind,
    reason,
    occurred_at=None,
    note="",
    source,
    recorded_by=None,
    idempotency_key=None,
    kiosk=None,
    pickup=None,
):
    """Record a late check-in or early check-out; a repeated `idempotency_key` returns the first event.

    `kiosk` is the device it was made at (a kiosk acts only for its own building); `pickup`, for an early
    check-out, says who picked the student up (see `Pickup`)."""
    if idempotency_key:
        existing = StudentEvent.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    errors = {}
    if source == EventSource.DELAYED_ENTRY and occurred_at is None:
        errors["occurred_at"] = "A delayed entry needs the date and time it happened."
    occurred_at = event_time(occurred_at, building)
    errors = {
        **errors,
        **student_problems(student, building),
        **reason_problems(reason, kind, building),
        **calendar_problems(occurred_at, student, building),
        **time_problems(occurred_at, source, recorded_by, building),
        **recorder_problems(recorded_by, building),
        **kiosk_problems(kiosk, building),
        **pickup_problems(pickup, kind, student),
    }
    if kind not in EventKind.values:
        errors["kind"] = "Choose a late check-in or an early check-out."
    if source not in EventSource.values:
        errors["source"] = "Choose the kiosk, the front desk or a delayed entry as the source."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            event = StudentEvent.objects.create(
                kind=kind,
                district=building.district,
                student=student,
                building=building,
                school=student.school,
                occurred_at=occurred_at,
                reason=reason,
                note=note,
                source=source,
                recorded_by=recorded_by,
                excused=reason.excused,
                idempotency_key=idempotency_key or None,
                kiosk=kiosk,
                **(pickup.fields() if pickup else {}),
            )
            change = event_change_record(event, StudentEventChange.Action.CREATED, recorded_by, before={})
            intent_record(event, change, Intent.Operation.WRITE)
    except IntegrityError:
        if not idempotency_key:
            raise
        # A double submit: the other request recorded this key between our look and our insert.
        return StudentEvent.objects.get(idempotency_key=idempotency_key)
    return event


def record_bulk_check_in(
    students,
    *,
    building,
    reason,
    occurred_at=None,
    note="",
    source=EventSource.FRONT_DESK,
    recorded_by=None,
    idempotency_key=None,
):
    """Late check-ins of several students at once (a late bus): all are recorded, or none when one is refused."""
    occurred_at = event_time(occurred_at, building)
    events, refusals = [], []
    with transaction.atomic():
        for student in students:
            try:
                events.append(
                    record_event(
                        student=student,
                        building=building,
                        kind=EventKind.LATE_CHECK_IN,
                        reason=reason,
                        occurred_at=occurred_at,
                        note=note,
                        source=source,
                        recorded_by=recorded_by,
                        idempotency_key=f"{idempotency_key}:{student.pk}" if idempotency_key else None,
                    )
                )
            except ValidationError as error:
                refusals.extend(f"{student.display_name}: {message}" for message in error.messages)
        if refusals:
            transaction.set_rollback(True)
    if refusals:
        raise ValidationError(refusals)
    return events


# --- changing ---------------------------------------------------------------------------------------


def edit_event(event, *, changed_by, reason_text="", kiosk=None, **changes):
    """Change an event's time, reason or note; PowerSchool gets the event as it now stands.

    A `kiosk` (no staff user, `changed_by` None) may change only an event of its own building on the building's
    today: a student signing in again, where the last sign-in wins."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(f"Only the time, the reason and the note of an event can be changed, not {unknown[0]}.")
    with transaction.atomic():
        event = StudentEvent.objects.select_for_update().select_related("building", "reason").get(pk=event.pk)
        if "occurred_at" in changes:
            changes["occurred_at"] = event_time(changes["occurred_at"], event.building)
        errors = {**active_problems(event), **editor_problems(changed_by, kiosk, event)}
        if "reason" in changes:
            errors.update(reason_problems(changes["reason"], event.kind, event.building))
        if "occurred_at" in changes:
            errors.update(calendar_problems(changes["occurred_at"], event.student, event.building))
            errors.update(time_problems(changes["occurred_at"], event.source, changed_by, event.building))
        if errors:
            raise ValidationError(errors)
        before = event_snapshot(event)
        for field, value in changes.items():
            setattr(event, field, value)
        event.excused = event.reason.excused
        if event_snapshot(event) == before:
            return event
        event.save()
        change = event_change_record(event, StudentEventChange.Action.EDITED, changed_by, before, reason_text)
        intent_record(event, change, Intent.Operation.WRITE)
        event_audit(
            event, AuditEntry.Action.EDITED, before, changed_by=changed_by, kiosk=kiosk, reason_text=reason_text
        )
    return event


def void_event(event, *, changed_by, reason_text):
    """Cancel an event (recorded by mistake); PowerSchool gets back what it held before."""
    with transaction.atomic():
        event = StudentEvent.objects.select_for_update().select_related("building").get(pk=event.pk)
        errors = {**active_problems(event), **recorder_problems(changed_by, event.building, field="changed_by")}
        if not reason_text.strip():
            errors["reason_text"] = "Say why the event is voided."
        if errors:
            raise ValidationError(errors)
        before = event_snapshot(event)
        event.active = False
        event.save()
        change = event_change_record(event, StudentEventChange.Action.VOIDED, changed_by, before, reason_text)
        intent_record(event, change, Intent.Operation.VOID)
        event_audit(event, AuditEntry.Action.VOIDED, before, changed_by=changed_by, reason_text=reason_text)
    return event


# --- checks -----------------------------------------------------------------------------------------


def event_time(occurred_at, building):
    """When it happened, aware; a time without a zone (from a form) is read in the building's zone."""
    if occurred_at is None:
        return timezone.now()
    if isinstance(occurred_at, datetime) and timezone.is_naive(occurred_at):
        return timezone.make_aware(occurred_at, building.zone)
    return occurred_at


def student_problems(student, building):
    if student.district_id != building.district_id:
        return {"student": f"{student.display_name} does not attend a school in {building}."}
    problem = student_problem(student, building)
    return {"student": problem} if problem else {}


def kiosk_problems(kiosk, building):
    if kiosk is not None and (kiosk.revoked or kiosk.building_id != building.pk):
        return {"kiosk": f"The kiosk “{kiosk.name}” may not record events for {building}."}
    return {}


@dataclass(frozen=True)
class Pickup:
    """Who picked a student up at an early check-out: one of the student's contacts, or a name typed at the
    desk; anyone not authorised to pick the student up needs an `override` saying why they were allowed."""

    contact: Contact | None = None
    name: str = ""
    override: str = ""

    def fields(self):
        name = self.name.strip() or (
            f"{self.contact.first_name} {self.contact.last_name}".strip() if self.contact else ""
        )
        return {
            "pickup_contact": self.contact,
            "picked_up_by": name[:200],
            "pickup_override": self.override.strip()[:300],
        }


def pickup_authorisation(link, district):
    """Whether the contact behind `link` (a StudentContact) may pick the student up without an override."""
    if not link.active or not link.school_pickup:
        return False
    return link.custodial or not district.pickup_requires_custodial


def pickup_problems(pickup, kind, student):
    if pickup is None:
        return {}
    if kind != EventKind.EARLY_CHECK_OUT:
        return {"pickup": "Only an early check-out records who picked the student up."}
    if pickup.contact is None and not pickup.name.strip():
        return {"pickup": "Choose the contact who picks the student up, or type their name."}
    link = None
    if pickup.contact is not None:
        link = StudentContact.objects.filter(student=student, contact=pickup.contact, active=True).first()
        if link is None:
            return {"pickup": f"{pickup.fields()['picked_up_by']} is not a contact of {student.display_name}."}
    if (link is None or not pickup_authorisation(link, student.district)) and not pickup.override.strip():
        who = pickup.fields()["picked_up_by"]
        return {"pickup_override": f"{who} is not authorised to pick up {student.display_name}; say why they may."}
    return {}


def reason_problems(reason, kind, building):
    label = f"“{reason.label}”"
    if reason.district_id != building.district_id or reason.building_id not in (None, building.pk):
        return {"reason": f"{label} is not a reason offered in {building}."}
    if not reason.enabled:
        return {"reason": f"{label} is no longer offered; choose another reason."}
    if reason.kind != kind:
        wanted = f"{EventKind(kind).label.lower()}s" if kind in EventKind.values else "this event"
        return {"reason": f"{label} is a reason for {reason.get_kind_display().lower()}s, not for {wanted}."}
    return {}


def time_problems(occurred_at, source, recorded_by, building):
    local = timezone.localtime(occurred_at, building.zone)
    if occurred_at > timezone.now():
        return {"occurred_at": f"{local:%m/%d/%Y %H:%M} is in the future; enter when it happened."}
    earliest = previous_school_year_start(timezone.localdate(timezone=building.zone))
    if local.date() < earliest:
        return {
            "occurred_at": f"{local:%m/%d/%Y} is before the previous school year (which began {earliest:%m/%d/%Y}); "
            "enter events of this school year or the last."
        }
    if source == EventSource.DELAYED_ENTRY and recorded_by is None:
        return {"recorded_by": "A delayed entry must be made by a staff member who is signed in."}
    return {}


def previous_school_year_start(today):
    """July 1 of the school year before today's (PowerSchool's years begin in July)."""
    this_year_start = today.year if today.month >= SCHOOL_YEAR_START_MONTH else today.year - 1
    return date(this_year_start - 1, SCHOOL_YEAR_START_MONTH, 1)


def calendar_problems(occurred_at, student, building):
    """Refuse a day the synced calendar has the student's school out of session, since PowerSchool takes no
    attendance then. A day off is a calendar day out of session, or a day missing between synced days (weekends
    may not be listed); a date the calendar does not cover (not synced, or another roster source) is allowed."""
    school = student.school
    if school is None:
        return {}
    local = timezone.localtime(occurred_at, building.zone)
    days = CalendarDay.objects.filter(school=school, active=True)
    in_session = days.filter(date=local.date()).values_list("in_session", flat=True).first()
    if in_session is None:
        in_session = not (days.filter(date__lt=local.date()).exists() and days.filter(date__gt=local.date()).exists())
    if in_session:
        return {}
    return {"occurred_at": f"{local:%A %m/%d/%Y} is not a school day at {school.name}."}


def recorder_problems(user, building, field="recorded_by"):
    if user is None and field == "recorded_by":
        return {}
    if user is None or not staff_may_record(user, building):
        return {field: f"{user or 'Nobody'} may not record or change student events in {building}."}
    return {}


def editor_problems(user, kiosk, event):
    if kiosk is None:
        return recorder_problems(user, event.building, field="changed_by")
    problems = kiosk_problems(kiosk, event.building)
    if not problems and event.local_time.date() != timezone.localdate(timezone=event.building.zone):
        problems = {"kiosk": f"A kiosk changes only today's sign-ins; {event.reference} is of another day."}
    return problems


def active_problems(event):
    if not event.active:
        return {"event": f"{event.reference} was voided; it cannot be changed any more."}
    return {}


def staff_may_record(user, building):
    """Whether `user` may record sign-ins at `building`'s desk (raptorlink.permissions: USE_DESK)."""
    return may(user, Action.USE_DESK, building)


# --- history and outbox -----------------------------------------------------------------------------


def event_snapshot(event):
    return {
        "kind": event.kind,
        "occurred_at": event.occurred_at.isoformat(),
        "reason": event.reason_id,
        "reason_label": event.reason.label,
        "note": event.note,
        "excused": event.excused,
        "active": event.active,
    }


def event_change_record(event, action, changed_by, before, reason_text=""):
    return StudentEventChange.objects.create(
        event=event,
        action=action,
        changed_by=changed_by,
        before=before,
        after=event_snapshot(event),
        reason=reason_text[: StudentEventChange._meta.get_field("reason").max_length],
    )


def event_audit(event, action, before, *, changed_by, kiosk=None, reason_text=""):
    """The audit log's entry for an edit or a void: who (the staff member, or the kiosk), and the changed values."""
    after = event_snapshot(event)
    changed = [name for name in after if after[name] != before.get(name)]
    return audit_record(
        action=action,
        obj=event,
        actor=changed_by,
        actor_name=f"Kiosk {kiosk}" if changed_by is None and kiosk is not None else "",
        label=f"{event.reference}: {event.get_kind_display().lower()} of {event.student}",
        before={name: before.get(name) for name in changed},
        after={name: after[name] for name in changed},
        reason=reason_text,
        district_id=event.district_id,
        building_id=event.building_id,
    )


def reason_code_text(reason, school):
    """The code text the reason maps to at `school`; empty when unmapped (the write-back then says so)."""
    return ReasonCode.objects.filter(reason=reason, school=school).values_list("code", flat=True).first() or ""


def intent_record(event, change, operation):
    local = event.local_time
    return record_intent(
        district=event.district,
        school=event.school,
        building=event.building,
        student=event.student,
        kind=event.kind,
        operation=operation,
        event_ref=event.reference,
        occurred_at=event.occurred_at,
        att_date=local.date(),
        seconds=local.hour * 3600 + local.minute * 60 + local.second,
        reason=event.reason.label,
        code_text=reason_code_text(event.reason, event.school),
        comment=event_comment(event),
        source=event.source,
        idempotency_key=f"{event.reference}:{change.pk}",
    )


def waiting_intents_map(reason_code):
    """Give the intents still waiting for a code for this reason at this school (recorded while it was unmapped)
    the code just mapped, so "map the reason, then retry from the log" works. Returns how many were given it.

    Intents carry the code's text from the moment they were recorded; those a worker holds right now (sending)
    are left alone and will fail as unmapped once more, to be retried."""
    reason = reason_code.reason
    waiting = Intent.objects.filter(
        school=reason_code.school,
        kind=reason.kind,
        reason=reason.label,
        code_text="",
        status__in=[Intent.Status.PENDING, Intent.Status.FAILED],
    )
    return waiting.update(code_text=reason_code.code)
