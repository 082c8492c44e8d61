"""Kiosk devices: the enrolment link, the cookie it leaves behind, revoking, and the building's IP allowlist.

The link is walked through its page (/kiosk/enrol/<token>); the cookie is tried against a tiny view behind
`kiosk_required`, added to the project's URLs for these tests only.
"""

import hashlib
from datetime import timedelta

import pytest
from django.http import JsonResponse
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from kiosk.devices import COOKIE_NAME, enrolment_issue, kiosk_create, kiosk_required, kiosk_revoke
from kiosk.models import KioskDevice
from tests.kiosk.conftest import NOW


@kiosk_required
def probe(request):
    return JsonResponse({"kiosk": request.kiosk.name, "building": request.kiosk.building.name})


urlpatterns = [path("test-probe/", probe), *project_urlpatterns]
pytestmark = pytest.mark.urls(__name__)
JSON = {"HTTP_ACCEPT": "application/json"}


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def enrol_url(token):
    return f"/kiosk/enrol/{token}"


def enrolled_client(token, **client_options):
    """A fresh browser that followed the enrolment link and pressed the button."""
    browser = Client(**client_options)
    response = browser.post(enrol_url(token))
    assert response.status_code == 302, response.content.decode()
    return browser


@pytest.fixture
def kiosk(world, frozen):
    device, token = kiosk_create(building=world.north, name="Main entrance", created_by=world.district_admin)
    return device, token


# --- the link ------------------------------------------------------------------------------------


def test_the_enrolment_token_and_the_cookie_token_are_stored_only_as_their_hashes(kiosk):
    device, token = kiosk
    stored = KioskDevice.objects.get(pk=device.pk)
    assert stored.enrolment_token_hash == sha256(token)

    browser = enrolled_client(token)
    cookie = browser.cookies[COOKIE_NAME].value
    stored.refresh_from_db()
    assert stored.token_hash == sha256(cookie)
    columns = [str(value) for value in KioskDevice.objects.filter(pk=device.pk).values().get().values()]
    assert not any(token in value or cookie in value for value in columns)


def test_opening_the_link_shows_the_kiosk_and_its_building_without_a_login_and_spends_nothing(client, kiosk):
    device, token = kiosk
    for _ in range(3):
        response = client.get(enrol_url(token))
        assert response.status_code == 200
    html = response.content.decode()
    assert "Main entrance" in html and "North Campus" in html and "Lincoln County Schools" in html
    assert "Make this browser the kiosk" in html
    assert COOKIE_NAME not in response.cookies
    assert KioskDevice.objects.get(pk=device.pk).enrolled_at is None
    assert enrolled_client(token)


def test_pressing_the_button_sets_a_long_lived_secure_http_only_cookie_and_goes_to_the_kiosk_page(client, kiosk):
    device, token = kiosk
    response = client.post(enrol_url(token))
    assert response.status_code == 302
    assert response["Location"] == "/kiosk/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= timedelta(days=365).total_seconds()
    assert KioskDevice.objects.get(pk=device.pk).enrolled_at == NOW


def test_the_link_works_once_and_a_second_browser_is_told_why_not(kiosk):
    _, token = kiosk
    enrolled_client(token)
    for response in (Client().get(enrol_url(token)), Client().post(enrol_url(token))):
        assert response.status_code == 404
        assert "not valid or was already used" in response.content.decode()
        assert COOKIE_NAME not in response.cookies


def test_the_link_expires_after_fifteen_minutes(kiosk, frozen):
    _, token = kiosk
    frozen.shift(timedelta(minutes=14, seconds=59))
    assert Client().get(enrol_url(token)).status_code == 200
    frozen.shift(timedelta(seconds=2))
    for response in (Client().get(enrol_url(token)), Client().post(enrol_url(token))):
        assert response.status_code == 410
        assert "expired (links last 15 minutes)" in response.content.decode()
        assert COOKIE_NAME not in response.cookies


def test_an_unknown_link_gets_a_clear_page_not_an_error(client, world):
    response = client.get(enrol_url("not-a-real-token"))
    assert response.status_code == 404
    assert "not valid or was already used" in response.content.decode()
    assert client.post(enrol_url("not-a-real-token")).status_code == 404


def test_the_button_needs_the_pages_csrf_token(kiosk):
    device, token = kiosk
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(enrol_url(token)).status_code == 403
    assert KioskDevice.objects.get(pk=device.pk).enrolled_at is None

    page = browser.get(enrol_url(token))
    response = browser.post(enrol_url(token), {"csrfmiddlewaretoken": page.context["csrf_token"]})
    assert response.status_code == 302
    assert COOKIE_NAME in response.cookies


def test_a_new_link_makes_the_previous_one_stop_working(kiosk):
    device, first = kiosk
    second = enrolment_issue(device)
    assert Client().post(enrol_url(first)).status_code == 404
    assert enrolled_client(second)


def test_a_revoked_kiosks_link_cannot_be_used(kiosk):
    device, token = kiosk
    kiosk_revoke(device)
    response = Client().post(enrol_url(token))
    assert response.status_code in (404, 410)
    assert COOKIE_NAME not in response.cookies


# --- the cookie ----------------------------------------------------------------------------------


def test_an_enrolled_browser_acts_as_its_kiosk_for_its_own_building(kiosk):
    _, token = kiosk
    response = enrolled_client(token).get("/test-probe/", **JSON)
    assert response.status_code == 200
    assert response.json() == {"kiosk": "Main entrance", "building": "North Campus"}


def test_a_browser_without_the_cookie_or_with_a_made_up_one_is_not_a_kiosk(kiosk):
    assert Client().get("/test-probe/", **JSON).status_code == 403
    forger = Client()
    forger.cookies[COOKIE_NAME] = "made-up"
    response = forger.get("/test-probe/", **JSON)
    assert response.status_code == 403
    assert response.json()["error"] == "not_a_kiosk"


def test_revoking_stops_the_kiosk_at_its_next_request(kiosk):
    device, token = kiosk
    browser = enrolled_client(token)
    assert browser.get("/test-probe/", **JSON).status_code == 200
    kiosk_revoke(KioskDevice.objects.get(pk=device.pk))
    response = browser.get("/test-probe/", **JSON)
    assert response.status_code == 403
    assert "revoked" in response.json()["message"]


def test_enrolling_again_replaces_the_cookie_so_the_old_tablet_stops_working(kiosk):
    device, token = kiosk
    old_tablet = enrolled_client(token)
    new_tablet = enrolled_client(enrolment_issue(KioskDevice.objects.get(pk=device.pk)))
    assert old_tablet.get("/test-probe/", **JSON).status_code == 403
    assert new_tablet.get("/test-probe/", **JSON).status_code == 200


def test_the_kiosk_records_when_and_from_where_it_was_last_seen(kiosk, frozen):
    device, token = kiosk
    browser = enrolled_client(token, REMOTE_ADDR="10.20.3.4")
    frozen.shift(timedelta(minutes=5))
    browser.get("/test-probe/", **JSON)
    device.refresh_from_db()
    assert device.last_seen_at == NOW + timedelta(minutes=5)
    assert device.last_seen_ip == "10.20.3.4"


# --- the building's IP allowlist -----------------------------------------------------------------


@pytest.fixture
def allowlisted(world, kiosk):
    world.north.kiosk_networks = "10.20.0.0/16\n192.0.2.7"
    world.north.save()
    return kiosk


@pytest.mark.parametrize(("address", "admitted"), [("10.20.3.4", True), ("192.0.2.7", True), ("198.51.100.1", False)])
def test_a_kiosk_works_only_from_its_buildings_networks(allowlisted, address, admitted):
    _, token = allowlisted
    response = enrolled_client(token, REMOTE_ADDR=address).get("/test-probe/", **JSON)
    assert (response.status_code == 200) is admitted
    if not admitted:
        assert f"do not work from this network ({address})" in response.json()["message"]


def test_a_forwarded_address_counts_only_when_the_proxy_is_trusted(allowlisted, settings):
    _, token = allowlisted
    browser = enrolled_client(token, REMOTE_ADDR="203.0.113.9")
    forwarded = {"HTTP_X_FORWARDED_FOR": "10.20.3.4", **JSON}

    settings.KIOSK_TRUST_X_FORWARDED_FOR = False
    assert browser.get("/test-probe/", **forwarded).status_code == 403
    settings.KIOSK_TRUST_X_FORWARDED_FOR = True
    assert browser.get("/test-probe/", **forwarded).status_code == 200


def test_behind_a_trusted_proxy_only_the_address_the_proxy_appended_counts(allowlisted, settings):
    _, token = allowlisted
    settings.KIOSK_TRUST_X_FORWARDED_FOR = True
    browser = enrolled_client(token, REMOTE_ADDR="172.16.0.1")
    # The client claimed an allowed address; the proxy appended the one it really came from.
    response = browser.get("/test-probe/", HTTP_X_FORWARDED_FOR="10.20.3.4, 198.51.100.1", **JSON)
    assert response.status_code == 403
    assert "(198.51.100.1)" in response.json()["message"]
