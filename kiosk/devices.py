"""Kiosk devices: enrolled once through a short-lived link, known afterwards by a long-lived cookie.

A kiosk never holds a staff login. Its cookie carries a random token whose SHA-256 hash is all the database
keeps, so a leaked database cannot be turned into a working kiosk. Revoking a kiosk stops it at its next request.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from kiosk.models import KioskDevice

COOKIE_NAME = "raptorlink_kiosk"
# Browsers cap a cookie's lifetime at 400 days; a kiosk in daily use renews it.
COOKIE_MAX_AGE = int(timedelta(days=400).total_seconds())
ENROLMENT_VALID_FOR = timedelta(minutes=15)
# Recording "last seen" on every request would make each kiosk write a row per scan.
LAST_SEEN_EVERY = timedelta(minutes=1)


class EnrolmentRefused(Exception):
    """The enrolment link cannot be used; the message says why, for the person holding the tablet.

    `status` is the HTTP status a page should answer with: 404 for a link that never was or is spent, 410 for one
    that expired or whose kiosk was revoked."""

    def __init__(self, message, *, status=410):
        super().__init__(message)
        self.status = status


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_token():
    return secrets.token_urlsafe(32)


# --- lifecycle ------------------------------------------------------------------------------------


def kiosk_create(*, building, name, created_by=None):
    """A new kiosk and its enrolment token (shown once, as a link and a QR code)."""
    device = KioskDevice.objects.create(building=building, name=name, created_by=created_by)
    return device, enrolment_issue(device)


def enrolment_issue(device):
    """A fresh single-use enrolment token for `device`, valid for 15 minutes; an earlier link stops working."""
    token = new_token()
    device.enrolment_token_hash = token_hash(token)
    device.enrolment_expires_at = timezone.now() + ENROLMENT_VALID_FOR
    device.save(update_fields=["enrolment_token_hash", "enrolment_expires_at"])
    return token


def kiosk_enrol(enrolment_token):
    """Turn the browser holding `enrolment_token` into the kiosk: returns (device, cookie token).

    The link is spent by its first use; a second browser opening it is refused. Enrolling again replaces the
    device's cookie, so a kiosk moved to a new tablet leaves the old one signed out."""
    with transaction.atomic():
        device = enrolment_device(enrolment_token, for_update=True)
        token = new_token()
        device.token_hash = token_hash(token)
        device.enrolment_token_hash = None
        device.enrolment_expires_at = None
        device.enrolled_at = timezone.now()
        device.save(update_fields=["token_hash", "enrolment_token_hash", "enrolment_expires_at", "enrolled_at"])
    return device, token


def enrolment_device(enrolment_token, *, for_update=False):
    """The kiosk an enrolment link would enrol, without spending the link; EnrolmentRefused says why not."""
    devices = KioskDevice.objects.select_related("building__district")
    if for_update:
        devices = devices.select_for_update(of=("self",))
    device = devices.filter(enrolment_token_hash=token_hash(enrolment_token or "")).first()
    if device is None:
        raise EnrolmentRefused("This enrolment link is not valid or was already used. Ask for a new one.", status=404)
    if device.revoked:
        raise EnrolmentRefused(f"The kiosk “{device.name}” was revoked. Ask for a new kiosk.")
    if not device.enrolment_open:
        raise EnrolmentRefused("This enrolment link has expired (links last 15 minutes). Ask for a new one.")
    return device


def kiosk_revoke(device):
    """The kiosk stops working at its next request; its enrolment link, if any, too."""
    device.revoked_at = timezone.now()
    device.token_hash = None
    device.enrolment_token_hash = None
    device.save(update_fields=["revoked_at", "token_hash", "enrolment_token_hash"])


# --- requests -------------------------------------------------------------------------------------


def set_kiosk_cookie(response, token):
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )
    return response


def client_address(request):
    if settings.KIOSK_TRUST_X_FORWARDED_FOR:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def kiosk_of(request):
    """The enrolled, unrevoked kiosk whose cookie `request` carries, or None."""
    token = request.COOKIES.get(COOKIE_NAME)
    if not token:
        return None
    return (
        KioskDevice.objects.select_related("building__district")
        .filter(token_hash=token_hash(token), revoked_at=None)
        .first()
    )


def note_seen(device, address):
    now = timezone.now()
    if device.last_seen_at and now - device.last_seen_at < LAST_SEEN_EVERY and device.last_seen_ip == address:
        return
    KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now, last_seen_ip=address or None)


def kiosk_required(view):
    """Views only an enrolled kiosk may use: sets `request.kiosk` (its building is `request.kiosk.building`).

    Anything else gets a page saying this browser is not a kiosk (403), never a login form: a kiosk has none."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        device = kiosk_of(request)
        if device is None:
            return refusal(request, "This browser is not an enrolled kiosk, or its kiosk was revoked.")
        address = client_address(request)
        if not device.building.admits_address(address):
            return refusal(request, f"Kiosks of {device.building} do not work from this network ({address}).")
        note_seen(device, address)
        request.kiosk = device
        return view(request, *args, **kwargs)

    return wrapped


def refusal(request, message):
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": False, "error": "not_a_kiosk", "message": message}, status=403)
    return render(request, "kiosk/not_a_kiosk.html", {"message": message}, status=403)
