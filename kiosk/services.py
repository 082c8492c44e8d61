"""Recording, editing and voiding student events: the only way they change.

Every change writes a history row and hands the write-back outbox an intent in the same transaction, so an event
never exists without its write-back, and a rolled-back request leaves neither behind.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiosk.comments import event_comment
from kiosk.models import EventKind, EventSource, ReasonCode, StudentEvent, StudentEventChange
from raptorlink.models import Membership, Role
from writeback.models import Intent
from writeback.outbox import record_intent

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
):
    """Record a late check-in or early check-out; a repeated `idempotency_key` returns the first event."""
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
        **time_problems(occurred_at, source, recorded_by, building),
        **recorder_problems(recorded_by, building),
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


def edit_event(event, *, changed_by, reason_text="", **changes):
    """Change an event's time, reason or note; PowerSchool gets the event as it now stands."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(f"Only the time, the reason and the note of an event can be changed, not {unknown[0]}.")
    with transaction.atomic():
        event = StudentEvent.objects.select_for_update().select_related("building", "reason").get(pk=event.pk)
        if "occurred_at" in changes:
            changes["occurred_at"] = event_time(changes["occurred_at"], event.building)
        errors = {**active_problems(event), **recorder_problems(changed_by, event.building, field="changed_by")}
        if "reason" in changes:
            errors.update(reason_problems(changes["reason"], event.kind, event.building))
        if "occurred_at" in changes:
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
    name = student.display_name
    if not student.active:
        return {"student": f"{name} is no longer enrolled (inactive in PowerSchool)."}
    school = student.school
    if student.district_id != building.district_id or school is None or school.building_id != building.pk:
        return {"student": f"{name} does not attend a school in {building}."}
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
    if occurred_at > timezone.now():
        local = timezone.localtime(occurred_at, building.zone)
        return {"occurred_at": f"{local:%m/%d/%Y %H:%M} is in the future; enter when it happened."}
    if source == EventSource.DELAYED_ENTRY and recorded_by is None:
        return {"recorded_by": "A delayed entry must be made by a staff member who is signed in."}
    return {}


def recorder_problems(user, building, field="recorded_by"):
    if user is None and field == "recorded_by":
        return {}
    if user is None or not staff_may_record(user, building):
        return {field: f"{user or 'Nobody'} may not record or change student events in {building}."}
    return {}


def active_problems(event):
    if not event.active:
        return {"event": f"{event.reference} was voided; it cannot be changed any more."}
    return {}


def staff_may_record(user, building):
    """District admins anywhere in their district; building admins and front desk in their own buildings."""
    if not (user.is_active and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    memberships = Membership.objects.filter(user=user, district_id=building.district_id)
    return (
        memberships.filter(role=Role.DISTRICT_ADMIN).exists()
        or memberships.filter(role__in=[Role.BUILDING_ADMIN, Role.FRONT_DESK], buildings=building).exists()
    )


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
