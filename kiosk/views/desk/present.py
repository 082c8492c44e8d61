"""What the desk shows of students, contacts, reasons and the day's events, as plain data for JSON and templates."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from kiosk.lookup import student_problem, visible_id
from kiosk.models import EventKind, EventSource, Reason, StudentEvent, UnrecordedSignIn
from kiosk.services import pickup_authorisation
from raptorlink.models import grade_label
from sis_sync.engine.students import search_text
from sis_sync.models import Source, StudentContact
from writeback.models import Intent

# The filter's states: "pending" covers an intent a worker is sending right now.
STATE_STATUSES = {
    "succeeded": {Intent.Status.SUCCEEDED},
    "pending": {Intent.Status.PENDING, Intent.Status.SENDING},
    "failed": {Intent.Status.FAILED, Intent.Status.SKIPPED},
    "conflict": {Intent.Status.CONFLICT},
}


# --- students and contacts ------------------------------------------------------------------------


def student_summary(student, district):
    return {
        "id": student.pk,
        "name": student.display_name,
        "visible_id": visible_id(student, district),
        "grade": "" if student.grade_level is None else grade_label(student.grade_level),
        "school": student.school.name if student.school else "",
    }


def student_detail(student, building):
    """Everything the desk shows of a found student; a student it may not sign in here is only named, with why."""
    problem = student_problem(student, building)
    detail = {**student_summary(student, building.district), "problem": problem}
    of_building = student.school is not None and student.school.building_id == building.pk
    detail["may_sync"] = of_building and student.source == Source.POWERSCHOOL and student.dcid is not None
    if problem:
        return detail
    return {
        **detail,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "preferred_name": student.preferred_name,
        "note": student.note,
        "today": [event_brief(event) for event in events_of_day(building).filter(student=student, active=True)],
        "contacts": [contact_detail(link, building.district) for link in active_contacts(student)],
    }


def active_contacts(student):
    return StudentContact.objects.filter(student=student, active=True, contact__active=True).select_related("contact")


def contact_detail(link, district):
    contact = link.contact
    authorised = pickup_authorisation(link, district)
    return {
        "id": contact.pk,
        "name": str(contact),
        "relationship": link.relationship,
        "priority": link.priority,
        "phones": [{"number": phone.get("number", ""), "type": phone.get("type", "")} for phone in contact.phones],
        "custodial": link.custodial,
        "school_pickup": link.school_pickup,
        "emergency": link.emergency,
        "lives_with": link.lives_with,
        "authorised": authorised,
        "why_not": "" if authorised else pickup_refusal(link, district),
    }


def pickup_refusal(link, district):
    if not link.school_pickup:
        return "Not allowed to pick up (no school-pickup flag in PowerSchool)."
    if district.pickup_requires_custodial and not link.custodial:
        return "Not custodial; the district allows only custodial contacts to pick up."
    return "Not allowed to pick up."


def building_reasons(building):
    """The enabled reasons offered in `building`, per kind, in their order."""
    reasons = Reason.objects.filter(district=building.district, enabled=True).filter(
        Q(building=None) | Q(building=building)
    )
    offered = {kind: [] for kind in EventKind.values}
    for reason in reasons.order_by("sort_order", "label"):
        offered[reason.kind].append({"id": reason.pk, "label": reason.label})
    return offered


# --- the day's events -----------------------------------------------------------------------------


def local_today(building):
    return timezone.localtime(timezone.now(), building.zone).date()


def day_bounds(building, day):
    start = datetime.combine(day, time.min, tzinfo=building.zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=building.zone)


def events_of_day(building, day=None):
    start, end = day_bounds(building, day or local_today(building))
    return (
        StudentEvent.objects.filter(building=building, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("student__school", "reason", "kiosk", "recorded_by", "building")
        .order_by("-occurred_at", "-id")
    )


def event_brief(event):
    return {
        "id": event.pk,
        "reference": event.reference,
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "date": f"{event.local_time:%m/%d/%Y}",
        "time": f"{event.local_time:%H:%M}",
        "reason": event.reason.label,
        "reason_id": event.reason_id,
        "note": event.note,
        "name": event.student.display_name,
    }


def latest_intents(building, references):
    """The newest intent of each event reference: what the write-back of the event as it now stands is doing."""
    latest = {}
    intents = Intent.objects.filter(building=building, event_ref__in=references).order_by("created_at", "id")
    for intent in intents:
        latest[intent.event_ref] = intent
    return latest


def source_text(event):
    who = event.recorded_by.get_full_name() or event.recorded_by.get_username() if event.recorded_by else ""
    if event.source == EventSource.KIOSK:
        return f"Kiosk {event.kiosk.name}" if event.kiosk else "Kiosk"
    if event.source == EventSource.DELAYED_ENTRY:
        entered = timezone.localtime(event.created_at, event.building.zone)
        return f"Delayed entry by {who or 'unknown'}, entered {entered:%m/%d %H:%M}"
    return f"Desk: {who}" if who else "Front desk"


def pickup_text(event):
    if not event.picked_up_by:
        return ""
    if event.pickup_override:
        return f"{event.picked_up_by} (override: {event.pickup_override})"
    return event.picked_up_by


def today_rows(building, *, kind="", state="", query=""):
    """The building's events of its local today, newest first, each with its write-back state; filtered."""
    events = events_of_day(building)
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    events = [event for event in events if matches(event, query, building.district)]
    intents = latest_intents(building, [event.reference for event in events])
    rows = [today_row(event, intents.get(event.reference), building.district) for event in events]
    if state in STATE_STATUSES:
        rows = [row for row in rows if row["intent"] and row["intent"].status in STATE_STATUSES[state]]
    return rows


def matches(event, query, district):
    words = search_text(query or "").split()
    haystack = search_text(
        f"{event.student.display_name} {event.student.first_name} {visible_id(event.student, district)}"
    )
    return all(word in haystack for word in words)


def today_row(event, intent, district):
    return {
        "event": event,
        "brief": event_brief(event),
        "visible_id": visible_id(event.student, district),
        "source": source_text(event),
        "pickup": pickup_text(event),
        "intent": intent,
    }


def open_unrecorded(building):
    return UnrecordedSignIn.objects.filter(building=building, resolved_at=None).select_related("kiosk")
