"""The enrolment link: the page a tablet opens to become a building's kiosk.

Opening the link only shows what the browser is about to become; mail scanners and link previews open links
too, so only the button (a POST) spends it.
"""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kiosk.devices import EnrolmentRefused, enrolment_device, kiosk_enrol, kiosk_of, set_kiosk_cookie

# The kiosk's own page (kiosk.urls.kiosk, mounted at /kiosk/).
KIOSK_PAGE = "/kiosk/"


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request, token):
    try:
        if request.method == "POST":
            device, cookie_token = kiosk_enrol(token)
            return set_kiosk_cookie(redirect(KIOSK_PAGE), cookie_token)
        device = enrolment_device(token)
    except EnrolmentRefused as refusal:
        return render(request, "kiosk/enrol/refused.html", {"message": str(refusal)}, status=refusal.status)
    context = {"device": device, "current_kiosk": kiosk_of(request)}
    return render(request, "kiosk/enrol/confirm.html", context)
