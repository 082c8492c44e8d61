"""The kiosk's page: one screen that the JavaScript walks through scan, reason, confirm and done."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from kiosk.devices import kiosk_required

# The done screen returns to the start on its own after this long.
DONE_SECONDS = 8
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@kiosk_required
@require_GET
@ensure_csrf_cookie
def kiosk_page(request):
    building = request.kiosk.building
    response = render(
        request,
        "kiosk/kiosk.html",
        {
            "kiosk": request.kiosk,
            "building": building,
            "urls": {
                "student": reverse("kiosk:student"),
                "search": reverse("kiosk:search"),
                "sign_in": reverse("kiosk:sign_in"),
                "roster": reverse("kiosk:roster"),
            },
            "done_seconds": DONE_SECONDS,
        },
    )
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
