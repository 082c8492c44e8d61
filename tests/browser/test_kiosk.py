"""A tablet becomes the kiosk through its enrolment link, then students sign in: by card, by name, again, offline."""

from datetime import time

import pytest
import time_machine
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from kiosk.devices import kiosk_create
from kiosk.models import StudentEvent, UnrecordedSignIn
from sis_sync.engine.students import search_text
from tests.kiosk import conftest as kiosk_tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = kiosk_tests.NOW
# The kiosk tests' campus (schools, students, reasons), for these tests too.
campus = kiosk_tests.campus


@pytest.fixture
def frozen():
    """The server's clock starts at the campus's Wednesday morning and runs, as the browser's does."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def kiosk_page(page, live_server, campus, world):
    return enrol(page, live_server, world)


def enrol(page, live_server, world):
    """The page of a tablet enrolled as North Campus's kiosk, its clock at the same morning."""
    device, token = kiosk_create(building=world.north, name="Main entrance")
    page.clock.install(time=NOW)
    page.goto(f"{live_server.url}/kiosk/enrol/{token}")
    page.get_by_role("button", name="Make this browser the kiosk").click()
    page.wait_for_url(f"{live_server.url}/kiosk/")
    page.get_by_role("heading", name="Scan your card or type your student number").wait_for()
    return page


def go_offline(page):
    """Cut the network once the kiosk holds its roster, as a tablet does after a while in service."""
    page.locator("body[data-roster=loaded]").wait_for(state="attached")
    page.context.set_offline(True)


def scan(page, number):
    """What a card reader does: the number and Enter, typed into whatever has the focus."""
    page.keyboard.type(number)
    page.keyboard.press("Enter")


def test_a_student_scans_a_card_and_signs_in_with_two_taps(kiosk_page, campus, screenshot):
    page = kiosk_page
    page.get_by_role("heading", name="North Campus").click()
    screenshot(page, "start")
    scan(page, "100001")

    page.get_by_role("heading", name="Late check-in — Why are you late?").wait_for()
    assert page.locator("#screen-reason [data-student-line]").inner_text() == "Ada Lovelace · Grade 10 · North High"
    labels = page.locator("#reason-choices button").all_inner_texts()
    assert labels == ["Doctor appointment", "Late bus", "Overslept"]
    screenshot(page, "reasons")
    page.get_by_role("button", name="Doctor appointment").click()

    page.get_by_role("heading", name="Is this right?").wait_for()
    page.get_by_label("Note (optional)").fill("Dentist on Main St")
    screenshot(page, "confirm")
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="You're signed in, Ada Lovelace").wait_for()
    event = StudentEvent.objects.get()
    pass_text = page.locator("#pass").inner_text()
    for expected in ("Tardy pass", "Ada Lovelace", "08:47", "Doctor appointment", "North Campus", event.reference):
        assert expected in pass_text
    assert (event.note, event.kiosk.name) == ("Dentist on Main St", "Main entrance")
    screenshot(page, "done")

    page.emulate_media(media="print")
    assert page.locator("#pass").is_visible()
    assert not page.get_by_role("button", name="Print pass").is_visible()
    assert not page.get_by_role("heading", name="North Campus").is_visible()
    screenshot(page, "printed-pass")
    page.emulate_media(media="screen")

    page.clock.run_for("00:09")
    page.get_by_role("heading", name="Scan your card or type your student number").wait_for()
    assert page.evaluate("document.activeElement.id") == "number"


def test_a_student_finds_their_name_and_an_unknown_number_gets_a_message(kiosk_page, campus, screenshot):
    page = kiosk_page
    campus.ada.search_name = search_text("Ada Lovelace")
    campus.ada.save()
    page.get_by_role("textbox", name="Student number").fill("999999")
    page.get_by_role("textbox", name="Student number").press("Enter")
    alert = page.get_by_role("alert").filter(has_text="No student has the number 999999")
    alert.wait_for()
    screenshot(page, "unknown-number")

    page.get_by_role("searchbox", name="Or search your name").fill("lovél")
    result = page.get_by_role("button", name="Ada Lovelace")
    result.wait_for()
    screenshot(page, "search-results")
    result.click()
    page.get_by_role("button", name="Late bus").click()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="You're signed in, Ada Lovelace").wait_for()
    assert StudentEvent.objects.get().reason == campus.bus


def test_a_card_scanned_while_the_name_search_has_the_focus_finds_the_student(kiosk_page, campus, screenshot):
    page = kiosk_page
    search = page.get_by_role("searchbox", name="Or search your name")
    search.click()
    scan(page, "100002")
    page.get_by_role("heading", name="Late check-in — Why are you late?").wait_for()
    assert page.locator("#screen-reason [data-student-line]").inner_text() == "Ben Okafor · Grade 11 · North High"
    screenshot(page, "scanned-over-the-search")


def test_a_second_sign_in_today_updates_the_first(kiosk_page, campus, screenshot):
    page = kiosk_page
    scan(page, "100001")
    page.get_by_role("button", name="Doctor appointment").click()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Done").click()

    scan(page, "100001")
    earlier = "You already have a late check-in today at 08:47 (Doctor appointment). Signing in again updates it."
    page.get_by_text(earlier).wait_for()
    screenshot(page, "earlier-sign-in")
    page.get_by_role("button", name="Late bus").click()
    assert page.locator("#confirm-kind").inner_text() == "Late check-in (updates 08:47)"
    screenshot(page, "confirm-update")
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="You're signed in, Ada Lovelace").wait_for()
    event = StudentEvent.objects.get()
    assert event.reason == campus.bus
    assert event.changes.count() == 2
    assert event.reference in page.locator("#pass").inner_text()
    screenshot(page, "updated")


def test_a_sign_in_made_offline_is_kept_and_sent_when_the_server_answers_again(kiosk_page, campus, screenshot):
    page = kiosk_page
    go_offline(page)
    scan(page, "100002")
    page.get_by_role("heading", name="Late check-in — Why are you late?").wait_for()
    assert page.get_by_text("The kiosk is offline").is_visible()
    assert page.locator("#screen-reason [data-student-line]").inner_text() == "Ben Okafor"
    screenshot(page, "offline-reasons")
    page.get_by_role("button", name="Late bus").click()
    page.get_by_role("button", name="Confirm").click()

    page.get_by_text("Saved — will be sent").wait_for()
    assert page.get_by_text("1 sign-in kept on this kiosk, waiting to be sent.").is_visible()
    assert "Ben Okafor" in page.locator("#pass").inner_text()
    assert not StudentEvent.objects.exists()
    assert page.evaluate("localStorage.getItem('raptorlink.kiosk.queue')").count('"key"') == 1
    screenshot(page, "offline-saved")

    page.clock.run_for("01:00")
    page.context.set_offline(False)
    queue_sent(page)
    event = StudentEvent.objects.get()
    assert (event.student, event.reason, f"{event.local_time:%H:%M}") == (campus.ben, campus.bus, "08:47")
    assert page.evaluate("localStorage.getItem('raptorlink.kiosk.queue')") == "[]"
    screenshot(page, "queue-sent")


def queue_sent(page, looks=30):
    """Wait until the kiosk has sent what it kept. The page's clock is the test's: a send the kiosk scheduled
    (the network came back during a failing send, or a retry's backoff) waits until the clock moves, so move it."""
    status = page.locator("#queue-status")
    for _ in range(looks):
        try:
            status.wait_for(state="hidden", timeout=500)
            return
        except PlaywrightTimeoutError:
            page.clock.run_for(1000)
    raise AssertionError("The kiosk never sent the sign-ins it kept")


def test_a_sign_in_kept_offline_that_the_server_refuses_goes_to_the_front_desk(kiosk_page, campus, screenshot):
    page = kiosk_page
    go_offline(page)
    scan(page, "100002")
    page.get_by_role("button", name="Late bus").click()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Saved — will be sent").wait_for()
    campus.ben.active = False
    campus.ben.save()

    page.context.set_offline(False)
    queue_sent(page)
    kept = UnrecordedSignIn.objects.get()
    assert (kept.student_id_typed, kept.reason_label) == ("100002", "Late bus")
    assert "Ben Okafor is no longer enrolled" in kept.problem
    assert not StudentEvent.objects.exists()
    screenshot(page, "refused-replay-kept")


def test_a_building_with_self_serve_check_out_asks_which_before_the_reasons(
    page, live_server, campus, world, screenshot
):
    world.north.self_serve_check_out = True
    world.north.save()
    enrol(page, live_server, world)
    scan(page, "100001")
    page.get_by_role("heading", name="Hello, Ada Lovelace").wait_for()
    assert page.locator("#kind-choices button").all_inner_texts() == ["Late check-in", "Early check-out"]
    screenshot(page, "late-or-early")
    page.get_by_role("button", name="Early check-out").click()
    page.get_by_role("button", name="Appointment").click()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="You're checked out, Ada Lovelace").wait_for()
    assert "Early check-out pass" in page.locator("#pass").inner_text()
    screenshot(page, "checked-out")


def test_before_the_tardy_cut_off_the_kiosk_says_from_when_late_check_in_is_offered(
    page, live_server, campus, world, screenshot
):
    world.north.tardy_cutoff = time(9, 0)
    world.north.save()
    enrol(page, live_server, world)
    scan(page, "100001")
    message = "Late check-in starts at 09:00. Until then you are not late: go straight to class."
    page.get_by_role("alert").filter(has_text=message).wait_for()
    screenshot(page, "before-cut-off")
    assert not StudentEvent.objects.exists()


def test_a_browser_that_is_not_a_kiosk_sees_a_calm_page(page, live_server, campus, screenshot):
    response = page.goto(f"{live_server.url}/kiosk/")
    assert response.status == 403
    assert page.get_by_role("heading", name="This screen is not a sign-in kiosk").is_visible()
    assert page.locator("a").count() == 0
    screenshot(page, "not-a-kiosk")
