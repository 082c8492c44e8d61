"""A district admin creates a kiosk in admin and a tablet becomes that kiosk through the link, once."""

import pytest

from kiosk.devices import COOKIE_NAME
from kiosk.models import KioskDevice
from tests.browser.test_admin_connection import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def create_kiosk(page, live_server, screenshot):
    page.goto(f"{live_server.url}/admin/kiosk/kioskdevice/add/")
    page.select_option("#id_building", label="North Campus")
    page.fill("#id_name", "Main entrance")
    screenshot(page, "new-kiosk")
    page.click("input[name=_save]")
    page.wait_for_selector("#enrolment-url")


def test_a_district_admin_creates_a_kiosk_and_a_tablet_enrols_through_the_link_once(
    page, browser, live_server, world, screenshot
):
    log_in(page, live_server, world.district_admin)
    create_kiosk(page, live_server, screenshot)
    link = page.input_value("#enrolment-url")
    assert link.startswith(f"{live_server.url}/kiosk/enrol/")
    assert page.get_by_role("img", name="QR code of the enrolment link").locator("svg").is_visible()
    screenshot(page, "enrolment-link")

    tablet = browser.new_context()
    try:
        screen = tablet.new_page()
        screen.goto(link)
        assert screen.get_by_text("Main entrance").is_visible()
        assert screen.get_by_text("North Campus").first.is_visible()
        screenshot(screen, "tablet-confirms")
        screen.get_by_role("button", name="Make this browser the kiosk").click()
        screen.wait_for_url(f"{live_server.url}/kiosk/")
        screenshot(screen, "tablet-is-the-kiosk")
        cookies = {cookie["name"]: cookie for cookie in tablet.cookies()}
        assert cookies[COOKIE_NAME]["httpOnly"]
        assert KioskDevice.objects.get(name="Main entrance").enrolled_at is not None
    finally:
        tablet.close()

    second = browser.new_context()
    try:
        screen = second.new_page()
        response = screen.goto(link)
        assert response.status == 404
        assert screen.get_by_role("alert").inner_text().startswith("This enrolment link is not valid or was already")
        assert screen.get_by_role("button").count() == 0
        screenshot(screen, "link-used-twice")
        assert COOKIE_NAME not in {cookie["name"] for cookie in second.cookies()}
    finally:
        second.close()
