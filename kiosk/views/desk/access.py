"""Who may use the desk of which building.

Anonymous users go to the desk's login. A signed-in user with no desk role anywhere (an IT viewer, an outsider)
gets a plain refusal; a desk user asking for a building that is not theirs gets a 404, which does not confirm
that the building exists.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render

from kiosk.services import staff_may_record
from raptorlink.models import Building
from raptorlink.permissions import Action, buildings_for

NOT_FOUND = "There is no such building at your desk."
REFUSED = "Your account has no front desk role. Ask your district's RaptorLink administrator for one."


def desk_buildings(user):
    """The buildings whose desk `user` may use (the same rule as `staff_may_record`), by district and name."""
    return buildings_for(user, Action.USE_DESK).select_related("district").order_by("district__name", "name")


def refusal(request, *, api):
    if api:
        return JsonResponse({"ok": False, "message": REFUSED}, status=403)
    return render(request, "desk/refused.html", {"message": REFUSED}, status=403)


def desk_required(view=None, *, api=False):
    """A desk view of one building: `building_id` from the URL becomes `request.building`.

    `api` views answer refusals as JSON; both still send anonymous users to the login page."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, building_id, *args, **kwargs):
            if not desk_buildings(request.user).exists():
                return refusal(request, api=api)
            building = Building.objects.select_related("district").filter(pk=building_id).first()
            if building is None or not staff_may_record(request.user, building):
                if api:
                    return JsonResponse({"ok": False, "message": NOT_FOUND}, status=404)
                raise Http404(NOT_FOUND)
            request.building = building
            return view(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view else decorate
