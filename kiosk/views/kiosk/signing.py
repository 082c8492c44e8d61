"""Signing in at the kiosk: a new event, an update of today's earlier one (the last one wins), or a queued
sign-in sent after the network came back (see the package's docstring for which times are accepted)."""

import logging
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from kiosk.devices import kiosk_required
from kiosk.lookup import visible_id
from kiosk.models import EventKind, EventSource, Reason, StudentEvent, StudentEventChange, UnrecordedSignIn
from kiosk.services import edit_event, record_event
from kiosk.views.kiosk.finding import (
    FRONT_DESK,
    cutoff_notice,
    late_check_in_open,
    lookup_message,
    student_by_pk,
    student_by_typed_number,
    today_range,
)
from raptorlink.numbers import json_object, plain_number
from sis_sync.models import Student

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 500
KEPT_PER_KIOSK_PER_DAY = 100
TOO_MANY_KEPT = "This sign-in was not recorded: please see the front desk."
ATTEMPT_KEY = re.compile(r"[A-Za-z0-9-]{8,40}")
# A kiosk's clock may run a little ahead of the server's; a queued time that far ahead is read as now.
CLOCK_SKEW = timedelta(minutes=2)


@kiosk_required
@require_POST
def sign_in(request):
    """Record a sign-in (or update today's earlier one); a repeated attempt key answers with the first outcome."""
    device = request.kiosk
    data = json_body(request)
    if data is None:
        return refused({"__all__": ["The sign-in could not be read. Please try again."]})
    key = str(data.get("key") or "")
    if not ATTEMPT_KEY.fullmatch(key):
        return refused({"key": ["The sign-in has no valid attempt key. Please reload the page."]})
    # Keys are per kiosk, so one kiosk can never see another's sign-in by sending its key.
    key = f"kiosk-{device.pk}:{key}"
    earlier = earlier_outcome(device, key, as_int(data.get("update")))
    if earlier is not None:
        return earlier
    try:
        event, updated = sign_in_record(device, data, key)
    except ValidationError as error:
        errors = error_messages(error)
        if is_replay(data):
            return kept(device, data, key, errors)
        return refused(errors)
    return signed_in(event, updated=updated)


def json_body(request):
    return json_object(request.body)


def is_replay(data):
    return data.get("occurred_at") not in (None, "")


def sign_in_record(device, data, key):
    building = device.building
    occurred_at = replay_time(data.get("occurred_at"), building)
    student = signing_student(building, data)
    kind = str(data.get("kind") or "")
    kind_check(building, kind, occurred_at or timezone.now())
    reason = Reason.objects.filter(pk=as_int(data.get("reason")), district=building.district).first()
    if reason is None:
        raise ValidationError({"reason": "Choose a reason."})
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX_LENGTH} characters."})
    earlier = update_target(building, student, kind, data.get("update"))
    if earlier is not None:
        changes = {"occurred_at": occurred_at or timezone.now(), "reason": reason, "note": note}
        return edit_event(earlier, changed_by=None, kiosk=device, reason_text=again_text(device, key), **changes), True
    event = record_event(
        student=student,
        building=building,
        kind=kind,
        reason=reason,
        occurred_at=occurred_at,
        note=note,
        source=EventSource.KIOSK,
        idempotency_key=key,
        kiosk=device,
    )
    return event, False


def replay_time(value, building):
    """The moment a queued sign-in happened, or None for a sign-in made now (see the module's docstring)."""
    if value in (None, ""):
        return None
    try:
        when = parse_datetime(str(value))
    except ValueError:
        when = None
    if when is None or timezone.is_naive(when):
        raise ValidationError({"occurred_at": f"“{value}” is not a time with its zone (ISO-8601)."})
    now = timezone.now()
    if when > now + CLOCK_SKEW:
        raise ValidationError({"occurred_at": "The kiosk's clock is ahead: this sign-in would be in the future."})
    if timezone.localdate(when, building.zone) != timezone.localdate(now, building.zone):
        raise ValidationError({"occurred_at": "This sign-in was kept from another day; the front desk enters it."})
    return min(when, now)


def signing_student(building, data):
    if data.get("student") not in (None, ""):
        lookup = student_by_pk(building, data["student"])
    else:
        lookup = student_by_typed_number(building, str(data.get("student_id_typed") or ""))
    if not lookup.ok:
        raise ValidationError({"student": lookup_message(lookup)})
    return lookup.student


def kind_check(building, kind, when):
    if kind not in EventKind.values:
        raise ValidationError({"kind": "Choose a late check-in or an early check-out."})
    if kind == EventKind.EARLY_CHECK_OUT and not building.self_serve_check_out:
        raise ValidationError({"kind": f"Early check-out is done at the front desk in {building}. {FRONT_DESK}"})
    if kind == EventKind.LATE_CHECK_IN and not late_check_in_open(building, when):
        raise ValidationError({"kind": cutoff_notice(building, when)})


def update_target(building, student, kind, pk):
    """Today's earlier sign-in of the same kind that this one replaces (the last one wins), or None.

    One that was voided meanwhile or is not of today is not updated: the sign-in is recorded anew, so it is kept."""
    if pk in (None, ""):
        return None
    return (
        StudentEvent.objects.filter(
            pk=as_int(pk), building=building, student=student, kind=kind, active=True, **today_range(building)
        )
        .select_related("building", "reason")
        .first()
    )


def again_text(device, key):
    # The attempt key in the history row lets a resubmitted update find its first outcome.
    return f"Signed in again at the kiosk “{device.name}” [{key}]"


def earlier_outcome(device, key, update):
    """The answer already given to this attempt: its event, its update of event `update`, or the sign-in kept for
    the front desk."""
    building = device.building
    event = StudentEvent.objects.filter(idempotency_key=key, building=building).first()
    if event is not None:
        return signed_in(event, updated=False)
    # Only the named event's few history rows are searched for the key, never the building's whole history.
    changes = StudentEventChange.objects.filter(event_id=update, event__building=building, reason__endswith=f"[{key}]")
    change = changes.select_related("event").first() if update else None
    if change is not None:
        return signed_in(change.event, updated=True)
    unrecorded = UnrecordedSignIn.objects.filter(idempotency_key=key, building=building).first()
    if unrecorded is not None:
        return kept_answer({"__all__": [unrecorded.problem]})
    return None


def signed_in(event, *, updated):
    return JsonResponse({"ok": True, "updated": updated, "event": event_json(event)})


def kept(device, data, key, errors):
    """A queued sign-in the server refuses: kept for the front desk instead of being lost. What is kept obeys a
    sign-in's own limits (the note's length, a reason of the district's), and a kiosk keeps at most
    KEPT_PER_KIOSK_PER_DAY: a kiosk offline for a morning refuses a handful, a script flooding the desk more."""
    building = device.building
    if kept_today(device) >= KEPT_PER_KIOSK_PER_DAY and not UnrecordedSignIn.objects.filter(idempotency_key=key):
        logger.warning("Kiosk %s sent more refused sign-ins today than a kiosk keeps; not keeping more", device.pk)
        # The kiosk forgets it (it would send it again and again otherwise), and the student hears the truth.
        return JsonResponse({"ok": False, "kept": True, "errors": errors, "message": TOO_MANY_KEPT}, status=429)
    reason = Reason.objects.filter(pk=as_int(data.get("reason")), district=building.district).first()
    UnrecordedSignIn.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "building": building,
            "kiosk": device,
            "student_id_typed": typed_id(building, data)[:50],
            "kind": str(data.get("kind") or "")[:20],
            "reason_label": reason.label if reason else "",
            "note": str(data.get("note") or "")[:NOTE_MAX_LENGTH],
            "occurred_at": kept_time(data.get("occurred_at")),
            "problem": " ".join(message for messages in errors.values() for message in messages),
        },
    )
    return kept_answer(errors)


def kept_today(device):
    return UnrecordedSignIn.objects.filter(kiosk=device, received_at__date=timezone.localdate()).count()


def kept_answer(errors):
    return JsonResponse(
        {
            "ok": False,
            "kept": True,
            "errors": errors,
            "message": f"This sign-in was passed to the front desk. {FRONT_DESK}",
        },
        status=202,
    )


def typed_id(building, data):
    if data.get("student_id_typed"):
        return str(data["student_id_typed"])
    student = Student.objects.filter(pk=as_int(data.get("student")), district=building.district).first()
    return visible_id(student, building.district) if student else str(data.get("student") or "")


def kept_time(value):
    """The queued time as sent, for the front desk to see; now when it cannot be read or lies ahead."""
    try:
        when = parse_datetime(str(value))
    except ValueError:
        when = None
    if when is None or timezone.is_naive(when):
        return timezone.now()
    return min(when, timezone.now())


def as_int(value):
    return plain_number(value)


def error_messages(error):
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


def refused(errors):
    return JsonResponse({"ok": False, "errors": errors}, status=400)


def event_json(event):
    local = event.local_time
    return {
        "id": event.pk,
        "reference": event.reference,
        "time": f"{local:%H:%M}",
        "date": local.date().isoformat(),
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "reason": event.reason.label,
        "name": event.student.display_name,
        "building": event.building.name,
    }
