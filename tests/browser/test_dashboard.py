"""The dashboard in a real browser: the charts drawn, the themes followed, the links leading to the log."""

import pytest
import time_machine
from playwright.sync_api import expect

from kiosk.models import EventKind, EventSource
from raptorlink.models import Incident
from sis_sync.models import SyncRun
from tests.console.events import NOW, add_event, add_run, add_unrecorded, add_written, at, local
from tests.world import PASSWORD
from tests.writeback.log_rows import log_world
from writeback.models import Intent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_morning(world):
    with time_machine.travel(NOW, tick=True):
        campus = log_world(world)
        for clock, student, source in [
            ("07:45", campus.cleo, EventSource.DELAYED_ENTRY),
            ("08:05", campus.ada, EventSource.KIOSK),
            ("08:12", campus.ada, EventSource.KIOSK),
            ("08:31", campus.cleo, EventSource.KIOSK),
            ("08:50", campus.ada, EventSource.FRONT_DESK),
            ("09:20", campus.cleo, EventSource.KIOSK),
        ]:
            add_event(student, local(clock), source=source)
        add_event(campus.ada, local("09:40"), kind=EventKind.EARLY_CHECK_OUT, source=EventSource.FRONT_DESK)
        add_unrecorded(world.north)
        for days_ago, seconds in [(0, 2), (0, 3), (0, 9), (1, 4), (2, 45), (3, 1), (5, 12), (6, 200)]:
            add_written(campus.ada, at(days_ago=days_ago, hours_ago=1), seconds=seconds)
        add_written(campus.cleo, at(hours_ago=2), status=Intent.Status.FAILED)
        add_written(campus.cleo, at(days_ago=2), status=Intent.Status.CONFLICT)
        add_run(world.district, at(hours_ago=30))
        add_run(world.district, at(minutes_ago=20), kind=SyncRun.Kind.DELTA, counts={"students": {"updated": 4}})
        Incident.objects.create(district=world.district, kind=Incident.Kind.WRITEBACK_FAILURES, detail="2 failed.")
        yield campus


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def bar_fill(page):
    return page.locator("#chart-sign-ins-title + desc ~ rect").first.evaluate("bar => getComputedStyle(bar).fill")


def test_a_district_admin_sees_the_dashboard_with_its_charts_in_light_and_dark(
    page, live_server, world, busy_morning, screenshot
):
    page.emulate_media(color_scheme="light")
    log_in(page, live_server, world.district_admin)

    expect(page.locator(".rl-title")).to_have_text("Lincoln County Schools")
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.locator("#sign-ins tbody tr")).to_have_count(2)
    expect(page.locator("#open-failed .rl-figure")).to_have_text("1")
    expect(page.locator("#sync tr.rl-row-stale").first).to_be_visible()
    expect(page.locator("#all-settings")).to_be_visible()
    light = bar_fill(page)
    screenshot(page, "light")

    page.emulate_media(color_scheme="dark")
    dark = bar_fill(page)
    screenshot(page, "dark")

    assert light != dark


def test_the_failed_count_leads_to_the_write_back_log_filtered_to_failures(page, live_server, world, busy_morning):
    log_in(page, live_server, world.district_admin)

    page.click("#open-failed")

    page.wait_for_url("**/admin/writeback/intent/log/?status=failed")
    expect(page.get_by_text("Cleo")).to_be_visible()


def test_a_building_admin_sees_their_building_only(page, live_server, world, busy_morning, screenshot):
    log_in(page, live_server, world.building_admin)

    expect(page.locator("#sign-ins tbody tr")).to_have_count(1)
    expect(page.locator("#sign-ins tbody th")).to_have_text("North Campus")
    expect(page.locator("#sync")).to_have_count(0)
    screenshot(page, "building-admin")


def test_an_it_viewer_sees_sync_and_write_back_without_sign_ins(page, live_server, world, busy_morning, screenshot):
    log_in(page, live_server, world.it_viewer)

    expect(page.locator("#sync")).to_be_visible()
    expect(page.locator("#writeback")).to_be_visible()
    expect(page.locator("#sign-ins")).to_have_count(0)
    screenshot(page, "it-viewer")
