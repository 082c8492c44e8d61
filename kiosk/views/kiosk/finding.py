"""Finding the student at the kiosk (a typed or scanned number, a name search's pick), the roster the page keeps
for recognising numbers offline, and what the kiosk offers: the kinds open now and the building's reasons."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kiosk.devices import kiosk_required
from kiosk.lookup import (
    SIGN_IN_AT_DESK,
    Lookup,
    self_serve_problem,
    student_by_number,
    student_problem,
    students_by_name,
    students_of_building,
    visible_id,
    visible_number,
)
from kiosk.models import EventKind, Reason, StudentEvent
from raptorlink.maintenance import building_banners
from raptorlink.numbers import plain_number
from sis_sync.models import Student

FRONT_DESK = "Please see the front desk."
# The page reloads the roster this often, so a student enrolled this morning is recognised offline too.
ROSTER_REFRESH_SECONDS = 600


@kiosk_required
@require_GET
def student_lookup(request):
    """The student behind a typed or scanned number (`id`), or a name search's pick (`pk`), and what they may do."""
    building = request.kiosk.building
    if request.GET.get("pk"):
        lookup = student_by_pk(building, request.GET["pk"])
    else:
        lookup = student_by_typed_number(building, request.GET.get("id", ""))
    if not lookup.ok:
        return JsonResponse({"ok": False, "message": lookup_message(lookup)})
    return JsonResponse(student_answer(lookup.student, building))


@kiosk_required
@require_GET
def student_search(request):
    building = request.kiosk.building
    students = students_by_name(building, request.GET.get("q", ""))
    return JsonResponse({"students": [student_json(student, building.district) for student in students]})


@kiosk_required
@require_GET
def roster(request):
    """The building's active students (pk, visible id, name), so the page recognises a number while offline, and
    what it needs to offer a sign-in then: the reasons, the tardy cut-off and whether check-out is self-serve."""
    building = request.kiosk.building
    district = building.district
    fields = ("pk", "ps_id", "student_number", "preferred_name", "first_name", "last_name", "grade_level")
    rows = students_of_building(building).values_list(*fields)
    return JsonResponse(
        {
            "columns": ["id", "visible_id", "name", "self_serve"],
            "students": [
                [
                    pk,
                    visible_number(district, ps_id, number),
                    f"{preferred or first} {last}",
                    building.self_serves(grade),
                ]
                for pk, ps_id, number, preferred, first, last, grade in rows
            ],
            "reasons": reasons_json(building, offerable_kinds(building)),
            "tardy_cutoff": clock(building.late_check_in_opens),
            "day_end": clock(building.day_end),
            "self_serve_check_out": building.self_serve_check_out,
            "time_zone": building.time_zone,
            "refresh_seconds": ROSTER_REFRESH_SECONDS,
            "maintenance": building_banners(building),
        }
    )


def clock(moment):
    return f"{moment:%H:%M}" if moment else None


def student_by_pk(building, pk):
    """A student picked from this building's name search. Keys are easy to count through, so another building's
    student is "not found" here, without the name a typed number's message gives."""
    student = None
    if (number := plain_number(pk)) is not None:
        students = Student.objects.filter(pk=number, district=building.district, school__building=building)
        student = students.select_related("school").first()
    if student is None:
        return Lookup(None, f"This student could not be found. {FRONT_DESK}")
    return at_kiosk(Lookup(student, student_problem(student, building)), building)


def student_by_typed_number(building, typed):
    lookup = student_by_number(building, typed)
    if lookup.student is None and typed.strip():
        # An unknown number may be a typo the student can fix.
        return Lookup(None, f"{lookup.problem} Check it, or ask at the front desk.")
    return at_kiosk(lookup, building)


def at_kiosk(lookup, building):
    """The lookup as the kiosk sees it: a student of a grade that does not self-serve is sent to the front desk."""
    if not lookup.ok:
        return lookup
    return Lookup(lookup.student, self_serve_problem(lookup.student, building))


def lookup_message(lookup):
    # Without a student the message already says what to do; a student who may not sign in needs a person.
    if lookup.student is None or SIGN_IN_AT_DESK in lookup.problem:
        return lookup.problem
    return f"{lookup.problem} {FRONT_DESK}"


def student_answer(student, building):
    now = timezone.now()
    kinds = offered_kinds(building, now)
    notice = cutoff_notice(building, now)
    if not kinds:
        return {"ok": False, "message": notice}
    return {
        "ok": True,
        "student": student_json(student, building.district),
        "today": today_json(student, building),
        "offers": kinds,
        "reasons": reasons_json(building, kinds),
        "notice": notice,
    }


def student_json(student, district):
    return {
        "id": student.pk,
        "name": student.display_name,
        "visible_id": visible_id(student, district),
        "grade": student.grade_level,
        "school": student.school.name if student.school else "",
    }


def today_json(student, building):
    """The student's latest sign-in today at this building, which a new one of the same kind updates."""
    event = (
        StudentEvent.objects.filter(student=student, building=building, active=True, **today_range(building))
        .select_related("reason", "building")
        .order_by("-occurred_at")
        .first()
    )
    if event is None:
        return None
    return {"event": event.pk, "kind": event.kind, "time": f"{event.local_time:%H:%M}", "reason": event.reason.label}


def today_range(building):
    today = timezone.localdate(timezone=building.zone)
    start = datetime.combine(today, datetime.min.time(), tzinfo=building.zone)
    return {"occurred_at__gte": start, "occurred_at__lt": start + timedelta(days=1)}


# --- what the kiosk offers ----------------------------------------------------------------------------------------


def offerable_kinds(building):
    if building.self_serve_check_out:
        return [EventKind.LATE_CHECK_IN, EventKind.EARLY_CHECK_OUT]
    return [EventKind.LATE_CHECK_IN]


def offered_kinds(building, when):
    kinds = [EventKind.LATE_CHECK_IN] if late_check_in_open(building, when) else []
    if building.self_serve_check_out:
        kinds.append(EventKind.EARLY_CHECK_OUT)
    return [str(kind) for kind in kinds]


def late_check_in_open(building, when):
    """Whether the kiosk offers late check-in at `when`: from the tardy cut-off (or the start of the school day)
    until the day ends."""
    local = timezone.localtime(when, building.zone).time()
    opens = building.late_check_in_opens
    return (opens is None or local >= opens) and not building.day_is_over(local)


def cutoff_notice(building, when):
    if late_check_in_open(building, when):
        return ""
    if building.day_is_over(timezone.localtime(when, building.zone).time()):
        return f"The school day is over (it ended at {building.day_end:%H:%M}): no late check-in now. {FRONT_DESK}"
    opens = building.late_check_in_opens
    return f"Late check-in starts at {opens:%H:%M}. Until then you are not late: go straight to class."


def reasons_json(building, kinds):
    reasons = (
        Reason.objects.filter(district=building.district, enabled=True, kind__in=kinds)
        .filter(Q(building=None) | Q(building=building))
        .order_by("sort_order", "label")
    )
    grouped = {str(kind): [] for kind in kinds}
    for reason in reasons:
        grouped[reason.kind].append({"id": reason.pk, "label": reason.label})
    return grouped
