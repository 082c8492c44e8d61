"""The building's self-serve grades and school day on the kiosk's screen, online and offline."""

from datetime import time

import pytest

from kiosk.models import StudentEvent
from tests.browser import test_kiosk as kiosk_browser
from tests.browser.test_kiosk import enrol, go_offline, scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The kiosk browser tests' campus and running clock, for these tests too.
campus = kiosk_browser.campus
frozen = kiosk_browser.frozen


def test_a_grade_that_does_not_self_serve_is_sent_to_the_front_desk(page, live_server, campus, world, screenshot):
    world.north.self_serve_grades = [11, 12]
    world.north.save()
    enrol(page, live_server, world)
    scan(page, "100001")
    message = "Students in grade 10 do not sign in at the kiosk. Please sign in at the front desk."
    page.get_by_role("alert").filter(has_text=message).wait_for()
    screenshot(page, "grade-at-desk")
    assert not StudentEvent.objects.exists()


def test_offline_the_kiosk_still_sends_such_a_student_to_the_front_desk(page, live_server, campus, world, screenshot):
    world.north.self_serve_grades = [11, 12]
    world.north.save()
    enrol(page, live_server, world)
    go_offline(page)
    scan(page, "100001")
    page.get_by_role("alert").filter(has_text="Please sign in at the front desk.").wait_for()
    screenshot(page, "grade-at-desk-offline")
    scan(page, "100002")
    page.get_by_role("button", name="Late bus").wait_for()


def test_after_the_school_day_the_kiosk_says_the_day_is_over(page, live_server, campus, world, screenshot):
    world.north.day_start, world.north.day_end = time(7, 30), time(8, 30)
    world.north.save()
    enrol(page, live_server, world)
    scan(page, "100001")
    page.get_by_role("alert").filter(has_text="The school day is over (it ended at 08:30)").wait_for()
    screenshot(page, "day-over")
    assert not StudentEvent.objects.exists()
