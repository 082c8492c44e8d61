"""Who may use the desk of which building, and how a desk's pages behave on a shared front-office PC.

Anonymous users go to the desk's login. A signed-in user with no desk role anywhere (an IT viewer, an outsider)
gets a plain refusal; a desk user asking for a building that is not theirs gets a 404, which does not confirm
that the building exists. A desk left alone for DESK_IDLE_MINUTES signs its user out, every answer is kept out
of the browser's cache (they name students and their contacts), and the pages run only the desk's own script.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from kiosk.services import staff_may_record
from raptorlink.models import Building
from raptorlink.permissions import Action, buildings_for

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SEEN_AT = "desk_seen_at"
NOT_FOUND = "There is no such building at your desk."
REFUSED = "Your account has no front desk role. Ask your district's RaptorLink administrator for one."


def desk_buildings(user):
    """The buildings whose desk `user` may use (the same rule as `staff_may_record`), by district and name."""
    return buildings_for(user, Action.USE_DESK).select_related("district").order_by("district__name", "name")


def refusal(request, *, api):
    if api:
        return JsonResponse({"ok": False, "message": REFUSED}, status=403)
    return render(request, "desk/refused.html", {"message": REFUSED}, status=403)


def desk_page(view):
    """What every desk page and answer gets: the idle sign-out, no caching, the content security policy."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        signed_out_when_idle(request)
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return wrapped


def signed_out_when_idle(request):
    """Sign out a user whose desk sat unused for DESK_IDLE_MINUTES; note this request's time otherwise. The login
    page then takes the next person (the page's script already sends a signed-out desk there)."""
    if not request.user.is_authenticated:
        return
    now = timezone.now().timestamp()
    seen_at = request.session.get(SEEN_AT)
    if seen_at is not None and now - seen_at > settings.DESK_IDLE_MINUTES * 60:
        logout(request)
        return
    request.session[SEEN_AT] = now


def desk_required(view=None, *, api=False):
    """A desk view of one building: `building_id` from the URL becomes `request.building`.

    `api` views answer refusals as JSON; both still send anonymous users to the login page."""

    def decorate(view):
        @desk_page
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
