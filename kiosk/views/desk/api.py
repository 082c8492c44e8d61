"""The desk's JSON endpoints: find a student, record, edit and void events, bulk check-in, spot sync, and the
kiosk sign-ins the server could not take.

POSTs carry JSON and the CSRF token (X-CSRFToken). Refusals answer `{"ok": false, "errors": {field: [messages]}}`
with status 400, so the page can show each message beside its field; nothing here answers a 500 for bad input.
Students are looked up among the building's own (whatever their status), so counting through ids reveals no other
building's names; reasons and contacts within the district, events within the building; the services refuse what
the building may not use.
"""

from datetime import date, datetime, time
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kiosk.lookup import student_by_number, students_by_name
from kiosk.models import EventKind, EventSource, Reason, StudentEvent, UnrecordedSignIn
from kiosk.services import Pickup, edit_event, record_bulk_check_in, record_event, void_event
from kiosk.views.desk.access import desk_required
from kiosk.views.desk.present import (
    event_brief,
    events_of_day,
    open_unrecorded,
    student_detail,
    student_summary,
    today_rows,
)
from raptorlink.numbers import json_object, plain_number
from sis_sync.models import Contact, Student, SyncRun
from sis_sync.services import sync_student

NOTE_MAX = 2000
# Names the page uses for fields the services call otherwise.
FIELD_NAMES = {"reason_text": "why", "changed_by": "__all__", "recorded_by": "__all__", "pickup_override": "override"}


class BadInput(Exception):
    """Input the desk cannot act on; `errors` maps the page's field names to messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def desk_api(method):
    """A JSON endpoint of one building's desk that turns refusals into 400 answers with the messages."""
    require = require_POST if method == "POST" else require_GET

    def decorate(view):
        @require
        @desk_required(api=True)
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except BadInput as refused:
                return JsonResponse({"ok": False, "errors": refused.errors}, status=400)
            except ValidationError as refused:
                return JsonResponse({"ok": False, "errors": page_errors(refused)}, status=400)

        return wrapped

    return decorate


def page_errors(error):
    if not hasattr(error, "error_dict"):
        return {"__all__": error.messages}
    errors = {}
    for field, messages in error.message_dict.items():
        errors.setdefault(FIELD_NAMES.get(field, field), []).extend(messages)
    return errors


def json_body(request):
    data = json_object(request.body)
    if data is None:
        raise BadInput({"__all__": ["The page sent something the desk cannot read; reload the page and try again."]})
    return data


def as_id(value):
    return plain_number(value)


def text(data, field, limit=NOTE_MAX):
    value = data.get(field)
    return value.strip()[:limit] if isinstance(value, str) else ""


def not_found(message):
    return JsonResponse({"ok": False, "message": message}, status=404)


# --- finding things within the desk's reach ---------------------------------------------------------


def building_student(building, pk):
    students = Student.objects.filter(district=building.district, school__building=building)
    return students.filter(pk=as_id(pk)).select_related("school").first()


def district_reason(building, pk):
    return Reason.objects.filter(district=building.district, pk=as_id(pk)).first()


def building_event(building, pk):
    events = StudentEvent.objects.select_related("student", "reason", "building")
    return events.filter(building=building, pk=as_id(pk)).first()


def pickup_of(data, building):
    """The pickup the page chose: a contact of the district, or a typed name; None when nothing was chosen."""
    chosen = data.get("pickup")
    if not isinstance(chosen, dict):
        return None
    contact = None
    if chosen.get("contact") is not None:
        contact = Contact.objects.filter(district=building.district, pk=as_id(chosen["contact"])).first()
        if contact is None:
            raise BadInput({"pickup": ["Choose one of the student's contacts, or someone else by name."]})
    return Pickup(
        contact=contact, name="" if contact else text(chosen, "name", 200), override=text(chosen, "override", 300)
    )


def delayed_time(data):
    """The naive local date and time a delayed entry happened (the services read it in the building's zone)."""
    errors = {}
    try:
        day = date.fromisoformat(text(data, "date"))
    except ValueError:
        errors["date"] = ["Enter the date it happened."]
    try:
        clock = time.fromisoformat(text(data, "time"))
    except ValueError:
        errors["time"] = ["Enter the time it happened, e.g. 08:40."]
    if errors:
        raise BadInput(errors)
    return datetime.combine(day, clock)


def desk_key(building, data):
    """The page's key for this attempt, kept apart from other buildings' and kiosks' keys."""
    key = text(data, "key", 40)
    return f"desk{building.pk}-{key}" if key else None


# --- looking up -----------------------------------------------------------------------------------


@desk_api("GET")
def student_lookup(request):
    found = student_by_number(request.building, request.GET.get("id", ""))
    if found.student is None:
        return JsonResponse({"ok": False, "message": f"{found.problem} Check the number, or search by name."})
    return JsonResponse(
        {"ok": found.ok, "message": found.problem, "student": student_detail(found.student, request.building)}
    )


@desk_api("GET")
def student_by_id(request, student_id):
    student = building_student(request.building, student_id)
    if student is None:
        return not_found("No such student in this building.")
    detail = student_detail(student, request.building)
    return JsonResponse({"ok": not detail["problem"], "message": detail["problem"], "student": detail})


@desk_api("GET")
def search(request):
    students = students_by_name(request.building, request.GET.get("q", ""))
    return JsonResponse({"students": [student_summary(student, request.building.district) for student in students]})


# --- recording ------------------------------------------------------------------------------------


@desk_api("POST")
def record(request):
    """A late check-in or early check-out now (or, `delayed`, at an earlier date and time); `update` names an
    earlier event of the same kind today to update instead."""
    data, building = json_body(request), request.building
    key = desk_key(building, data)
    repeated = StudentEvent.objects.filter(idempotency_key=key).first() if key else None
    if repeated is not None:
        return recorded(repeated)
    student, reason, kind = (
        building_student(building, data.get("student")),
        district_reason(building, data.get("reason")),
        data.get("kind"),
    )
    delayed = data.get("delayed") is True
    check_choices(student, reason, kind)
    occurred_at = delayed_time(data) if delayed else None
    pickup = pickup_of(data, building)
    if kind == EventKind.EARLY_CHECK_OUT and not delayed and pickup is None:
        raise BadInput({"pickup": ["Choose who picks the student up."]})
    note = text(data, "note")
    if data.get("update") is not None:
        return update_earlier(request, student, kind, as_id(data["update"]), reason=reason, note=note)
    earlier = None if delayed else events_of_day(building).filter(student=student, kind=kind, active=True).first()
    if earlier is not None:
        return offer_update(earlier)
    event = record_event(
        student=student,
        building=building,
        kind=kind,
        reason=reason,
        occurred_at=occurred_at,
        note=note,
        source=EventSource.DELAYED_ENTRY if delayed else EventSource.FRONT_DESK,
        recorded_by=request.user,
        idempotency_key=key,
        pickup=pickup,
    )
    return recorded(event)


def check_choices(student, reason, kind):
    errors = {}
    if student is None:
        errors["student"] = ["Find the student first: scan the card, type the number or search the name."]
    if kind not in EventKind.values:
        errors["kind"] = ["Choose a late check-in or an early check-out."]
    if reason is None:
        errors["reason"] = ["Choose a reason."]
    if errors:
        raise BadInput(errors)


def offer_update(earlier):
    brief = event_brief(earlier)
    message = (
        f"{brief['name']} already has a {brief['kind_label'].lower()} today at {brief['time']} ({brief['reason']}). "
        "Update that one? PowerSchool keeps one record a day."
    )
    return JsonResponse({"ok": False, "earlier": brief, "message": message}, status=409)


def update_earlier(request, student, kind, pk, **changes):
    earlier = events_of_day(request.building).filter(pk=pk, student=student, kind=kind, active=True).first()
    if earlier is None:
        raise BadInput({"__all__": ["That earlier event was changed or voided meanwhile; record the new one again."]})
    event = edit_event(
        earlier,
        changed_by=request.user,
        reason_text="Recorded again at the front desk",
        occurred_at=timezone.now(),
        **changes,
    )
    return recorded(event, updated=True)


def recorded(event, updated=False):
    return JsonResponse({"ok": True, "updated": updated, "event": event_brief(event)})


@desk_api("POST")
def bulk_check_in(request):
    """Late check-ins of several students with one reason: all of them, or none and the refusals."""
    data, building = json_body(request), request.building
    ids = data.get("students") if isinstance(data.get("students"), list) else []
    wanted = {as_id(pk) for pk in ids}
    students = Student.objects.filter(district=building.district, school__building=building, pk__in=wanted - {None})
    students = list(students.order_by("last_name", "first_name"))
    reason = district_reason(building, data.get("reason"))
    errors = {}
    if not wanted:
        errors["students"] = ["Add the students first: scan their cards or search their names."]
    elif len(students) != len(wanted):
        errors["students"] = ["Some of these students are not of this building; remove them and add them again."]
    if reason is None:
        errors["reason"] = ["Choose a reason."]
    if errors:
        raise BadInput(errors)
    try:
        events = record_bulk_check_in(
            students,
            building=building,
            reason=reason,
            note=text(data, "note"),
            recorded_by=request.user,
            idempotency_key=desk_key(building, data),
        )
    except ValidationError as refused:
        raise BadInput({"students": refused.messages}) from None
    return JsonResponse({"ok": True, "events": [event_brief(event) for event in events]})


# --- today's events -------------------------------------------------------------------------------


@desk_api("GET")
def today(request):
    """The day's list as an HTML fragment the page swaps in (and polls, so write-back states move)."""
    rows = today_rows(
        request.building,
        kind=request.GET.get("kind", ""),
        state=request.GET.get("state", ""),
        query=request.GET.get("q", ""),
    )
    context = {"rows": rows, "unrecorded": open_unrecorded(request.building), "building": request.building}
    return render(request, "desk/_today.html", context)


@desk_api("POST")
def edit(request, event_id):
    event = building_event(request.building, event_id)
    if event is None:
        return not_found("No such event at this building.")
    data = json_body(request)
    changes = {}
    if "time" in data:
        local = event.local_time
        changes["occurred_at"] = delayed_time(
            {"date": text(data, "date") or local.date().isoformat(), "time": data["time"]}
        )
    if "reason" in data:
        changes["reason"] = district_reason(request.building, data["reason"])
        if changes["reason"] is None:
            raise BadInput({"reason": ["Choose a reason."]})
    if "note" in data:
        changes["note"] = text(data, "note")
    why = text(data, "why", 300)
    if not why:
        raise BadInput({"why": ["Say why the event is changed."]})
    event = edit_event(event, changed_by=request.user, reason_text=why, **changes)
    return JsonResponse({"ok": True, "event": event_brief(event)})


@desk_api("POST")
def void(request, event_id):
    event = building_event(request.building, event_id)
    if event is None:
        return not_found("No such event at this building.")
    event = void_event(event, changed_by=request.user, reason_text=text(json_body(request), "why", 300))
    return JsonResponse({"ok": True, "event": event_brief(event)})


# --- kiosk sign-ins the server refused ------------------------------------------------------------


def open_sign_in(building, pk):
    return UnrecordedSignIn.objects.filter(building=building, pk=as_id(pk), resolved_at=None).first()


@desk_api("POST")
def resolve_unrecorded(request, sign_in_id):
    """Record a refused kiosk sign-in properly, for the student it really was, at the time it happened."""
    building = request.building
    sign_in = open_sign_in(building, sign_in_id)
    if sign_in is None:
        return not_found("This sign-in was already dealt with, or is not one of this building's.")
    data = json_body(request)
    student, reason = building_student(building, data.get("student")), district_reason(building, data.get("reason"))
    check_choices(student, reason, sign_in.kind)
    with transaction.atomic():
        event = record_event(
            student=student,
            building=building,
            kind=sign_in.kind,
            reason=reason,
            occurred_at=sign_in.occurred_at,
            note=text(data, "note"),
            source=EventSource.DELAYED_ENTRY,
            recorded_by=request.user,
            idempotency_key=f"desk{building.pk}-unrecorded-{sign_in.pk}",
        )
        mark_resolved(sign_in, request.user)
    return recorded(event)


@desk_api("POST")
def dismiss_unrecorded(request, sign_in_id):
    sign_in = open_sign_in(request.building, sign_in_id)
    if sign_in is None:
        return not_found("This sign-in was already dealt with, or is not one of this building's.")
    mark_resolved(sign_in, request.user)
    return JsonResponse({"ok": True})


def mark_resolved(sign_in, user):
    sign_in.resolved_at = timezone.now()
    sign_in.resolved_by = user
    sign_in.save(update_fields=["resolved_at", "resolved_by"])


# --- spot sync ------------------------------------------------------------------------------------


@desk_api("POST")
def spot_sync(request, student_id):
    """Refresh one of the building's students from PowerSchool now. Should PowerSchool have moved them to another
    building, the answer names them with why, as the lookup would."""
    student = building_student(request.building, student_id)
    if student is None:
        return not_found("No such student in this building.")
    detail = student_detail(student, request.building)
    if not detail["may_sync"]:
        raise BadInput(
            {"__all__": [f"{student.display_name} does not come from PowerSchool; there is nothing to sync."]}
        )
    run = sync_student(request.building.district, student_dcid=student.dcid, trigger="front desk")
    student.refresh_from_db()
    detail = student_detail(student, request.building)
    if run.status != SyncRun.Status.SUCCEEDED:
        return JsonResponse({"ok": False, "message": sync_failure(run), "student": detail})
    return JsonResponse(
        {"ok": True, "message": f"{student.display_name} was refreshed from PowerSchool.", "student": detail}
    )


def sync_failure(run):
    if run.error_category in ("unavailable", "throttled"):
        return "PowerSchool could not be reached just now, so nothing changed. Try again in a minute."
    if run.error_category == "auth":
        return "PowerSchool refused RaptorLink's credentials, so nothing changed. Tell your district's IT."
    return run.message or "The sync did not finish, so nothing changed."
