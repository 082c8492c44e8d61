"""The front desk in a real browser: log in, scan, pick up, delayed entry, edit and void, bulk check-in."""

from dataclasses import dataclass
from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from kiosk.models import EventKind, EventSource, StudentEvent
from kiosk.services import record_event
from sis_sync.engine.students import search_text
from sis_sync.models import Contact, StudentContact
from tests.kiosk.synced import THIS_YEAR, add_codes, add_reason, add_school, add_student, synced
from tests.world import PASSWORD
from writeback.models import Intent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Wednesday morning in Lincoln's zone; the clock runs on from there.
MORNING = datetime.fromisoformat("2026-10-14T08:47:00-05:00")


@dataclass
class Campus:
    ada: object
    ben: object
    doctor: object
    bus: object
    appointment: object
    mother: object
    neighbour: object


def add_contact(student, first, last, number, **flags):
    contact = Contact.objects.create(
        **synced(student.district, f"contact-{number}"),
        first_name=first,
        last_name=last,
        phones=[{"number": f"555-010{number}", "type": "Mobile"}],
    )
    StudentContact.objects.create(
        **synced(student.district, f"link-{number}"), student=student, contact=contact, priority=number, **flags
    )
    return contact


@pytest.fixture
def campus(world):
    with time_machine.travel(MORNING, tick=True):
        school = add_school(world.district, world.north, 101, "North High")
        add_codes(school, THIS_YEAR, ["T", "TE", "CO"])
        ada = add_student(school, 1, "Ada", "Lovelace", grade=10)
        ben = add_student(school, 2, "Ben", "Okafor", grade=11)
        for student in (ada, ben):
            student.search_name = search_text(f"{student.first_name} {student.last_name}")
            student.save()
        yield Campus(
            ada=ada,
            ben=ben,
            doctor=add_reason(world.district, "Doctor appointment", excused=True, codes={school: "TE"}),
            bus=add_reason(world.district, "Late bus", codes={school: "T"}),
            appointment=add_reason(world.district, "Appointment", kind=EventKind.EARLY_CHECK_OUT, codes={school: "CO"}),
            mother=add_contact(ada, "Mary", "Lovelace", 1, relationship="Mother", custodial=True, school_pickup=True),
            neighbour=add_contact(ben, "Nell", "Baker", 2, relationship="Neighbour", emergency=True),
        )


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def open_desk(page, live_server, world):
    log_in(page, live_server, world.front_desk)
    page.wait_for_url(f"{live_server.url}/desk/{world.north.pk}/")
    page.wait_for_selector("#today table, #today p")


def scan(page, number):
    page.keyboard.type(number)
    page.keyboard.press("Enter")


def status(page):
    return page.locator("#status")


def test_front_desk_staff_log_in_and_land_on_their_buildings_desk(page, live_server, world, campus, screenshot):
    page.goto(f"{live_server.url}/desk/")
    page.wait_for_url("**/desk/login/?next=/desk/")
    screenshot(page, "login")
    page.fill("#id_username", world.front_desk.username)
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "correct username and password" in page.locator(".message.error").inner_text()
    screenshot(page, "wrong-password")

    open_desk(page, live_server, world)

    assert page.locator("h1.place").inner_text() == "North Campus"
    assert page.evaluate("document.activeElement.id") == "find-input"
    screenshot(page, "desk")


def test_a_pickup_by_an_authorised_contact_and_one_by_an_override(page, live_server, world, campus, screenshot):
    open_desk(page, live_server, world)

    scan(page, "100001")
    page.check("input[name=kind][value=early_check_out]")
    mother = page.locator("label.contact", has_text="Mary Lovelace")
    assert "Authorised" in mother.inner_text() and "Custodial" in mother.inner_text()
    screenshot(page, "contacts")
    mother.locator("input").check()
    assert page.locator("#override").is_hidden()
    page.get_by_label("Appointment").check()
    page.click("#act-submit")
    expect(status(page)).to_contain_text("Recorded: Early check-out of Ada Lovelace")
    screenshot(page, "authorised-recorded")

    scan(page, "100002")
    page.check("input[name=kind][value=early_check_out]")
    neighbour = page.locator("label.contact", has_text="Nell Baker")
    assert "NOT AUTHORISED" in neighbour.inner_text()
    neighbour.locator("input").check()
    page.get_by_label("Appointment").check()
    page.click("#act-submit")
    expect(page.locator("[data-error-for=override]")).to_contain_text("Nell Baker is not authorised")
    screenshot(page, "override-needed")
    page.fill("#pickup-override", "Mother phoned the office")
    page.click("#act-submit")
    expect(status(page)).to_contain_text("Recorded: Early check-out of Ben Okafor")
    page.wait_for_selector("#today td:has-text('Nell Baker (override: Mother phoned the office)')")
    screenshot(page, "override-recorded")

    pickups = StudentEvent.objects.order_by("id").values_list("picked_up_by", "pickup_override", "recorded_by")
    assert list(pickups) == [
        ("Mary Lovelace", "", world.front_desk.pk),
        ("Nell Baker", "Mother phoned the office", world.front_desk.pk),
    ]


def test_a_scan_into_the_note_field_still_finds_the_student(page, live_server, world, campus, screenshot):
    open_desk(page, live_server, world)
    scan(page, "100001")
    page.wait_for_selector("#student-name:has-text('Ada Lovelace')")
    page.focus("#act-note")
    page.keyboard.type("Bus")

    scan(page, "100002")

    page.wait_for_selector("#student-name:has-text('Ben Okafor')")
    assert page.input_value("#act-note") == ""
    screenshot(page, "scanned-over-note")


def test_a_delayed_entry_for_yesterday(page, live_server, world, campus, screenshot):
    open_desk(page, live_server, world)
    page.keyboard.press("Alt+2")
    assert page.get_by_role("button", name="Delayed entry").get_attribute("aria-pressed") == "true"
    page.fill("#find-input", "lovel")
    page.keyboard.press("Enter")
    page.wait_for_selector(".result:has-text('Ada Lovelace')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#student-name:has-text('Ada Lovelace')")
    page.fill("#act-date", "2026-10-13")
    page.fill("#act-time", "09:05")
    page.get_by_label("Doctor appointment").check()
    page.fill("#act-note", "Note from the dentist")
    screenshot(page, "delayed-form")
    page.click("#act-submit")

    expect(status(page)).to_contain_text("Recorded: Late check-in of Ada Lovelace, 10/13/2026 09:05")
    screenshot(page, "delayed-recorded")
    event = StudentEvent.objects.get()
    assert (event.source, event.recorded_by, event.note) == ("delayed_entry", world.front_desk, "Note from the dentist")


def test_editing_and_voiding_from_todays_list(page, live_server, world, campus, screenshot):
    event = record_event(
        student=campus.ada,
        building=world.north,
        kind=EventKind.LATE_CHECK_IN,
        reason=campus.doctor,
        source=EventSource.KIOSK,
    )
    Intent.objects.filter(event_ref=event.reference).update(status=Intent.Status.FAILED, hint="Map the reason.")
    open_desk(page, live_server, world)
    row = page.locator(f"tr[data-event='{event.pk}']")
    assert "Failed" in row.inner_text()
    screenshot(page, "list")

    row.get_by_role("button", name="Edit").click()
    page.fill("#edit-time", "08:30")
    page.select_option("#edit-reason", label="Late bus")
    page.click("#edit-dialog button[value=save]")
    expect(page.locator("#edit-dialog [data-error-for=why]")).to_have_text("Say why the event is changed.")
    page.fill("#edit-why", "Came on the late bus")
    screenshot(page, "edit")
    page.click("#edit-dialog button[value=save]")
    page.wait_for_selector(f"tr[data-event='{event.pk}'] td:has-text('Late bus')")
    expect(status(page)).to_contain_text(f"Changed {event.reference}")
    assert row.locator("td").first.inner_text() == "08:30"
    screenshot(page, "edited")

    row.get_by_role("button", name="Void").click()
    page.fill("#void-why", "Wrong student")
    screenshot(page, "void")
    page.click("#void-dialog button[value=void]")
    page.wait_for_selector(f"tr.voided[data-event='{event.pk}']")
    screenshot(page, "voided")
    assert list(Intent.objects.order_by("id").values_list("operation", flat=True)) == ["write", "write", "void"]


def test_a_bulk_check_in_of_a_late_bus(page, live_server, world, campus, screenshot):
    open_desk(page, live_server, world)
    page.get_by_role("button", name="Bulk check-in").click()
    scan(page, "100001")
    page.wait_for_selector("#bulk-list li:has-text('Ada Lovelace')")
    scan(page, "100002")
    page.wait_for_selector("#bulk-list li:has-text('Ben Okafor')")
    scan(page, "424242")
    expect(status(page)).to_contain_text("No student has the number 424242")
    assert page.locator("#bulk-count").inner_text() == "(2 students)"
    page.get_by_label("Late bus").check()
    page.fill("#bulk-note", "Bus 7")
    screenshot(page, "bulk-list")
    page.get_by_role("button", name="Check them all in").click()

    expect(status(page)).to_contain_text("Checked in 2")
    page.wait_for_selector("#today td:has-text('Ben Okafor')")
    screenshot(page, "bulk-recorded")
    assert sorted(StudentEvent.objects.values_list("student__first_name", "note")) == [
        ("Ada", "Bus 7"),
        ("Ben", "Bus 7"),
    ]
