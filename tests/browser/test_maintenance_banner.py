"""A kiosk open since the morning shows a maintenance window announced later, at the next roster reload."""

from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from kiosk.devices import kiosk_create
from raptorlink.models import MaintenanceWindow
from tests.kiosk import conftest as kiosk_tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = kiosk_tests.NOW
# Just past the roster's reload, and well within a request's time-out, so the reload's answer is awaited.
ROSTER_RELOAD_MS = 601_000


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_a_kiosk_left_open_shows_a_window_posted_later_and_hides_it_when_it_ends(
    page, live_server, world, frozen, screenshot
):
    device, token = kiosk_create(building=world.north, name="Main entrance")
    page.clock.install(time=NOW)
    page.goto(f"{live_server.url}/kiosk/enrol/{token}")
    page.get_by_role("button", name="Make this browser the kiosk").click()
    page.wait_for_url(f"{live_server.url}/kiosk/")
    page.locator("body[data-roster=loaded]").wait_for(state="attached")
    banners = page.locator("#maintenance p")
    expect(banners).to_have_count(0)

    window = MaintenanceWindow.objects.create(
        district=world.district,
        title="PowerSchool upgrade",
        message="Sign-ins are kept and sent to PowerSchool afterwards.",
        starts_at=NOW + timedelta(minutes=40),
        ends_at=NOW + timedelta(hours=2),
    )
    page.clock.run_for(ROSTER_RELOAD_MS)
    expect(banners).to_have_text(
        "Maintenance soon: PowerSchool upgrade · Wednesday 10/14/2026 09:27–10:47 CDT"
        "Sign-ins are kept and sent to PowerSchool afterwards."
    )
    screenshot(page, "upcoming")

    frozen.move_to(window.ends_at + timedelta(minutes=1))
    page.clock.run_for(ROSTER_RELOAD_MS)
    expect(banners).to_have_count(0)
