import json
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kiosk.models import EventKind, EventSource, StudentEvent, UnrecordedSignIn
from kiosk.services import Pickup, record_event
from raptorlink.models import Role
from sis_sync.engine.students import search_text
from sis_sync.models import Contact, StudentContact
from tests.kiosk.synced import add_student, synced
from tests.world import add_member, make_user
from writeback.errors import HINTS
from writeback.models import Intent

# --- helpers ------------------------------------------------------------------------------------------


def api(building, path):
    return f"/desk/{building.pk}/api/{path}"


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def add_contact(student, first, last, *, number, **flags):
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


def check_in(campus, world, **overrides):
    fields = {
        "student": campus.ada,
        "building": world.north,
        "kind": EventKind.LATE_CHECK_IN,
        "reason": campus.doctor,
        "source": EventSource.KIOSK,
    }
    return record_event(**{**fields, **overrides})


@pytest.fixture
def desk(world, campus):
    return signed_in(world.front_desk)


@pytest.fixture
def south_desk(world, campus):
    """Front-desk staff of the south building only."""
    user = make_user("sam.south", staff=False)
    add_member(user, world.district, Role.FRONT_DESK, [world.south])
    return signed_in(user)


@pytest.fixture
def family(campus):
    """Ada's contacts: a custodial mother who may pick up, a grandfather who may pick up but has no custody,
    and a neighbour who may not pick up."""
    return {
        "mother": add_contact(
            campus.ada, "Mary", "Lovelace", number=1, relationship="Mother", custodial=True, school_pickup=True
        ),
        "grandpa": add_contact(campus.ada, "George", "Byron", number=2, relationship="Grandfather", school_pickup=True),
        "neighbour": add_contact(campus.ada, "Nell", "Baker", number=3, relationship="Neighbour", emergency=True),
    }


def check_out(client, world, campus, **extra):
    body = {"key": "k-out", "student": campus.ada.pk, "kind": "early_check_out", "reason": campus.appointment.pk}
    return post(client, api(world.north, "record"), {**body, **extra})


# --- who may use the desk -----------------------------------------------------------------------------


def desk_endpoints(world, campus):
    """Every desk URL of the north building, with its method."""
    event = check_in(campus, world)
    sign_in = unrecorded(world, campus)
    north = world.north
    return [
        ("get", f"/desk/{north.pk}/"),
        ("get", api(north, "student?id=100001")),
        ("get", api(north, f"students/{campus.ada.pk}")),
        ("post", api(north, f"students/{campus.ada.pk}/sync")),
        ("get", api(north, "search?q=ada")),
        ("post", api(north, "record")),
        ("post", api(north, "bulk")),
        ("get", api(north, "today")),
        ("post", api(north, f"events/{event.pk}/edit")),
        ("post", api(north, f"events/{event.pk}/void")),
        ("post", api(north, f"unrecorded/{sign_in.pk}/resolve")),
        ("post", api(north, f"unrecorded/{sign_in.pk}/dismiss")),
    ]


def unrecorded(world, campus, building=None, **fields):
    defaults = {
        "building": building or world.north,
        "student_id_typed": "100009",
        "kind": EventKind.LATE_CHECK_IN,
        "reason_label": "Late bus",
        "note": "kept offline",
        "occurred_at": timezone.now() - timedelta(minutes=40),
        "problem": "No student has the number 100009.",
        "idempotency_key": f"kiosk-{UnrecordedSignIn.objects.count()}",
    }
    return UnrecordedSignIn.objects.create(**{**defaults, **fields})


def test_every_desk_view_sends_anonymous_users_to_the_desk_login(world, campus):
    client = Client()
    for method, url in [("get", "/desk/"), *desk_endpoints(world, campus)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/desk/login/?next="), url


@pytest.mark.parametrize("role", ["it_viewer", "outsider"])
def test_it_viewers_and_outsiders_get_a_plain_refusal_everywhere(world, campus, role):
    client = signed_in(getattr(world, role))
    for method, url in [("get", "/desk/"), *desk_endpoints(world, campus)]:
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert "no front desk role" in response.content.decode(), url


def test_staff_of_other_buildings_and_districts_are_told_the_building_does_not_exist(world, campus, south_desk):
    for client in (south_desk, signed_in(world.other_admin)):
        for method, url in desk_endpoints(world, campus):
            assert getattr(client, method)(url).status_code == 404, url


def test_a_desk_in_a_building_that_does_not_exist_is_not_found(desk):
    assert desk.get("/desk/999999/").status_code == 404


def test_a_front_desk_user_with_one_building_goes_straight_to_its_desk(world, desk):
    response = desk.get("/desk/")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/{world.north.pk}/"


def test_a_district_admin_chooses_among_the_districts_buildings(world, campus):
    response = signed_in(world.district_admin).get("/desk/")
    page = response.content.decode()
    assert "North Campus" in page and "South Campus" in page and "Riverside" not in page


def test_the_desk_page_shows_the_building_and_its_reasons(world, desk, campus):
    response = desk.get(f"/desk/{world.north.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "North Campus" in page and "Overslept" in page and "desk/desk.js" in page
    assert "<script>" not in page.replace('<script id="desk-data" type="application/json">', "")


def test_front_desk_staff_log_in_at_the_desk_and_land_on_it(world, campus):
    client = Client()
    assert "Log in to the front desk" in client.get("/desk/login/").content.decode()
    response = client.post("/desk/login/", {"username": "frank.desk", "password": "correct-horse-battery-staple"})
    assert response["Location"] == "/desk/"
    assert client.get("/desk/", follow=True).redirect_chain[-1][0] == f"/desk/{world.north.pk}/"


def test_a_wrong_password_is_answered_on_the_login_page(world):
    response = Client().post("/desk/login/", {"username": "frank.desk", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_logging_out_takes_a_post_and_returns_to_the_login(desk):
    response = desk.post("/desk/logout/")
    assert response["Location"] == "/desk/login/"
    assert desk.get("/desk/")["Location"].startswith("/desk/login/")


def test_the_admin_keeps_its_own_login(world):
    assert Client().get("/admin/")["Location"].startswith("/admin/login/")


def test_a_post_without_the_csrf_token_is_refused(world, campus):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.front_desk)
    response = post(client, api(world.north, "record"), {"student": campus.ada.pk})
    assert response.status_code == 403
    assert StudentEvent.objects.count() == 0


# --- forged ids ---------------------------------------------------------------------------------------


def test_a_student_of_another_building_cannot_be_signed_in_or_named_with_a_forged_id(world, campus, desk):
    response = post(
        desk,
        api(world.north, "record"),
        {"student": campus.cleo.pk, "kind": "late_check_in", "reason": campus.bus.pk},
    )
    assert response.status_code == 400
    assert "Find the student first" in response.json()["errors"]["student"][0]
    assert "Cleo" not in response.content.decode()
    assert desk.get(api(world.north, f"students/{campus.cleo.pk}")).status_code == 404
    assert post(desk, api(world.north, f"students/{campus.cleo.pk}/sync")).status_code == 404
    bulk = post(desk, api(world.north, "bulk"), {"students": [campus.ada.pk, campus.cleo.pk], "reason": campus.bus.pk})
    assert "not of this building" in bulk.json()["errors"]["students"][0]
    assert StudentEvent.objects.count() == 0


def test_a_student_of_another_district_is_unknown_to_the_desk(world, campus, desk):
    stranger = add_student(campus.north_high, 77, "Sly", "Stranger")
    stranger.district = world.other_district
    stranger.save()
    response = post(desk, api(world.north, "record"), {"student": stranger.pk, "kind": "late_check_in", "reason": 1})
    assert "Find the student first" in response.json()["errors"]["student"][0]
    assert desk.get(api(world.north, f"students/{stranger.pk}")).status_code == 404


def test_a_reason_of_another_building_is_refused(world, campus, south_desk):
    response = post(
        south_desk,
        api(world.south, "record"),
        {"student": campus.cleo.pk, "kind": "late_check_in", "reason": campus.north_only.pk},
    )
    assert "“Overslept” is not a reason offered in South Campus" in response.json()["errors"]["reason"][0]


def test_events_and_sign_ins_of_another_building_cannot_be_touched(world, campus, south_desk):
    event = check_in(campus, world)
    sign_in = unrecorded(world, campus)
    for path in (f"events/{event.pk}/edit", f"events/{event.pk}/void"):
        assert post(south_desk, api(world.south, path), {"why": "x", "note": "x"}).status_code == 404
    for path in (f"unrecorded/{sign_in.pk}/resolve", f"unrecorded/{sign_in.pk}/dismiss"):
        assert post(south_desk, api(world.south, path)).status_code == 404
    event.refresh_from_db()
    sign_in.refresh_from_db()
    assert event.active and event.note == "" and sign_in.resolved_at is None


def test_another_students_contact_cannot_be_named_as_the_pickup(world, campus, desk):
    bens_father = add_contact(campus.ben, "Obi", "Okafor", number=9, custodial=True, school_pickup=True)
    response = check_out(desk, world, campus, pickup={"contact": bens_father.pk})
    assert "Obi Okafor is not a contact of Ada Lovelace" in response.json()["errors"]["pickup"][0]


def test_a_bad_body_gets_a_message_not_an_error_page(world, campus, desk):
    response = desk.post(api(world.north, "record"), data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert "reload the page" in response.json()["errors"]["__all__"][0]
    response = post(desk, api(world.north, "record"), {"student": "x", "kind": "nap", "reason": None})
    assert set(response.json()["errors"]) == {"student", "kind", "reason"}


# --- finding students ---------------------------------------------------------------------------------


def test_a_scanned_number_shows_the_student_with_local_fields_and_contacts(world, campus, desk, family):
    campus.ada.preferred_name = "Addie"
    campus.ada.note = "Inhaler in the office"
    campus.ada.save()
    answer = desk.get(api(world.north, "student?id=100001")).json()
    student = answer["student"]
    assert answer["ok"] is True
    assert (student["name"], student["preferred_name"], student["note"]) == (
        "Addie Lovelace",
        "Addie",
        "Inhaler in the office",
    )
    assert (student["grade"], student["school"], student["visible_id"]) == ("10", "North High", "100001")
    contacts = {contact["name"]: contact for contact in student["contacts"]}
    assert contacts["Mary Lovelace"]["phones"] == [{"number": "555-0101", "type": "Mobile"}]
    assert contacts["Mary Lovelace"]["custodial"] and contacts["Mary Lovelace"]["authorised"]
    assert contacts["Nell Baker"]["emergency"] and not contacts["Nell Baker"]["authorised"]
    assert "no school-pickup flag" in contacts["Nell Baker"]["why_not"]


def test_a_student_of_another_building_is_named_with_why_but_nothing_more(world, campus, desk):
    add_contact(campus.cleo, "Carl", "Martin", number=5, custodial=True, school_pickup=True)
    answer = desk.get(api(world.north, "student?id=100003")).json()
    assert answer["ok"] is False
    assert answer["message"] == "Cleo Martin does not attend a school in North Campus."
    assert "contacts" not in answer["student"] and "note" not in answer["student"]
    assert answer["student"]["may_sync"] is False


def test_an_unknown_number_gets_a_message(world, campus, desk):
    answer = desk.get(api(world.north, "student?id=424242")).json()
    assert answer == {"ok": False, "message": "No student has the number 424242. Check the number, or search by name."}


def test_a_name_search_finds_the_buildings_students_only(world, campus, desk):
    for student in (campus.ada, campus.ben, campus.cleo):
        student.search_name = search_text(f"{student.first_name} {student.last_name}")
        student.save()
    names = [student["name"] for student in desk.get(api(world.north, "search?q=a")).json()["students"]]
    assert names == []
    names = [student["name"] for student in desk.get(api(world.north, "search?q=lov")).json()["students"]]
    assert names == ["Ada Lovelace"]
    assert desk.get(api(world.north, "search?q=martin")).json()["students"] == []


# --- recording ------------------------------------------------------------------------------------------


def test_a_late_check_in_at_the_desk_is_recorded_for_the_staff_member(world, campus, desk):
    response = post(
        desk,
        api(world.north, "record"),
        {"key": "k1", "student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk, "note": "Dentist"},
    )
    assert response.json()["event"]["time"] == "08:47"
    event = StudentEvent.objects.get()
    assert (event.source, event.recorded_by, event.note, event.kiosk) == (
        "front_desk",
        world.front_desk,
        "Dentist",
        None,
    )
    assert Intent.objects.get().event_ref == event.reference


def test_a_double_submit_records_one_event(world, campus, desk):
    body = {"key": "same", "student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk}
    first = post(desk, api(world.north, "record"), body).json()
    again = post(desk, api(world.north, "record"), body).json()
    assert first["event"]["id"] == again["event"]["id"]
    assert StudentEvent.objects.count() == 1


def test_a_second_check_in_today_offers_to_update_the_first(world, campus, desk, frozen):
    earlier = check_in(campus, world)
    frozen.shift(timedelta(minutes=5))
    body = {"key": "k2", "student": campus.ada.pk, "kind": "late_check_in", "reason": campus.bus.pk}
    offer = post(desk, api(world.north, "record"), body)
    assert offer.status_code == 409
    assert offer.json()["earlier"]["id"] == earlier.pk
    assert "already has a late check-in today at 08:47" in offer.json()["message"]

    updated = post(desk, api(world.north, "record"), {**body, "update": earlier.pk}).json()

    assert updated["updated"] is True and updated["event"]["time"] == "08:52"
    earlier.refresh_from_db()
    assert (StudentEvent.objects.count(), earlier.reason, earlier.changes.count()) == (1, campus.bus, 2)
    assert Intent.objects.count() == 2


# --- pickup ---------------------------------------------------------------------------------------------


def test_an_authorised_contact_picks_up_without_an_override(world, campus, desk, family):
    response = check_out(desk, world, campus, pickup={"contact": family["mother"].pk})
    assert response.json()["ok"] is True
    event = StudentEvent.objects.get()
    assert (event.pickup_contact, event.picked_up_by, event.pickup_override) == (family["mother"], "Mary Lovelace", "")


def test_a_contact_without_the_pickup_flag_needs_an_override_reason(world, campus, desk, family):
    refused = check_out(desk, world, campus, pickup={"contact": family["neighbour"].pk})
    assert refused.status_code == 400
    assert "Nell Baker is not authorised to pick up Ada Lovelace" in refused.json()["errors"]["override"][0]

    allowed = check_out(desk, world, campus, pickup={"contact": family["neighbour"].pk, "override": "Mother called"})

    assert allowed.json()["ok"] is True
    event = StudentEvent.objects.get()
    assert (event.picked_up_by, event.pickup_override) == ("Nell Baker", "Mother called")


def test_where_the_district_requires_custody_a_non_custodial_contact_needs_an_override(world, campus, desk, family):
    assert check_out(desk, world, campus, pickup={"contact": family["grandpa"].pk}).json()["ok"] is True
    world.district.pickup_requires_custodial = True
    world.district.save()
    StudentEvent.objects.update(active=False)

    ada = desk.get(api(world.north, "student?id=100001")).json()["student"]
    grandpa = next(contact for contact in ada["contacts"] if contact["name"] == "George Byron")
    refused = check_out(desk, world, campus, key="k-again", pickup={"contact": family["grandpa"].pk})

    assert grandpa["authorised"] is False and "Not custodial" in grandpa["why_not"]
    assert "George Byron is not authorised" in refused.json()["errors"]["override"][0]


def test_someone_else_by_name_needs_an_override(world, campus, desk):
    refused = check_out(desk, world, campus, pickup={"name": "Uncle Bob"})
    assert "Uncle Bob is not authorised" in refused.json()["errors"]["override"][0]
    allowed = check_out(desk, world, campus, pickup={"name": "Uncle Bob", "override": "Principal approved"})
    assert allowed.json()["ok"] is True
    assert StudentEvent.objects.get().picked_up_by == "Uncle Bob"


def test_an_early_check_out_at_the_desk_records_who_picked_up(world, campus, desk):
    response = check_out(desk, world, campus)
    assert response.json()["errors"]["pickup"] == ["Choose who picks the student up."]


# --- delayed entry --------------------------------------------------------------------------------------


def test_a_delayed_entry_records_yesterdays_tardy_with_who_entered_it(world, campus, desk):
    body = {
        "key": "late-note",
        "student": campus.ada.pk,
        "kind": "late_check_in",
        "reason": campus.doctor.pk,
        "delayed": True,
        "date": "2026-10-13",
        "time": "09:05",
        "note": "Note from the dentist",
    }
    answer = post(desk, api(world.north, "record"), body).json()
    assert (answer["event"]["date"], answer["event"]["time"]) == ("10/13/2026", "09:05")
    event = StudentEvent.objects.get()
    assert (event.source, event.recorded_by) == (EventSource.DELAYED_ENTRY, world.front_desk)
    assert event.created_at == timezone.now()
    assert str(Intent.objects.get().att_date) == "2026-10-13"


def test_a_delayed_entry_in_the_future_or_without_a_time_is_refused(world, campus, desk):
    body = {"student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk, "delayed": True}
    assert set(post(desk, api(world.north, "record"), body).json()["errors"]) == {"date", "time"}
    future = post(desk, api(world.north, "record"), {**body, "date": "2026-10-14", "time": "10:00"}).json()
    assert "10/14/2026 10:00 is in the future" in future["errors"]["occurred_at"][0]
    assert StudentEvent.objects.count() == 0


@pytest.mark.parametrize("day", ["0001-01-01", "2025-06-30"])
def test_a_delayed_entry_before_the_previous_school_year_is_refused(world, campus, desk, day):
    body = {"student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk, "delayed": True}

    answer = post(desk, api(world.north, "record"), {**body, "date": day, "time": "09:00"}).json()

    assert "is before the previous school year (which began 07/01/2025)" in answer["errors"]["occurred_at"][0]
    assert StudentEvent.objects.count() == 0 and Intent.objects.count() == 0


def test_a_delayed_entry_does_not_offer_to_update_todays_event(world, campus, desk):
    check_in(campus, world)
    body = {"student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk, "delayed": True}
    answer = post(desk, api(world.north, "record"), {**body, "date": "2026-10-14", "time": "08:10"}).json()
    assert answer["ok"] is True and StudentEvent.objects.count() == 2


# --- today's list ---------------------------------------------------------------------------------------


def set_intent(event, **fields):
    Intent.objects.filter(event_ref=event.reference).update(**fields)


def test_todays_list_shows_each_events_write_back_state(world, campus, desk, family):
    done = check_in(campus, world)
    failed = check_in(campus, world, student=campus.ben, reason=campus.bus)
    conflict = record_event(
        student=campus.ada,
        building=world.north,
        kind=EventKind.EARLY_CHECK_OUT,
        reason=campus.appointment,
        source=EventSource.FRONT_DESK,
        recorded_by=world.front_desk,
        pickup=Pickup(contact=family["mother"]),
    )
    set_intent(done, status=Intent.Status.SUCCEEDED)
    set_intent(failed, status=Intent.Status.FAILED, category="no_period", hint=HINTS["no_period"])
    set_intent(conflict, status=Intent.Status.CONFLICT, hint=HINTS["conflict"])
    check_in(campus, world, student=campus.cleo, building=world.south)

    page = desk.get(api(world.north, "today")).content.decode()

    assert page.count("data-event=") == 3
    assert "Succeeded" in page and "Failed" in page and "Conflict" in page
    assert "Could not find the student&#x27;s period" in page
    assert "Mary Lovelace" in page and "Desk: frank.desk" in page and "Cleo" not in page


def test_todays_list_is_filtered_by_kind_state_and_name_or_number(world, campus, desk):
    ada = check_in(campus, world)
    check_in(campus, world, student=campus.ben, reason=campus.bus)
    set_intent(ada, status=Intent.Status.SUCCEEDED)

    def listed(**params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        page = desk.get(api(world.north, f"today?{query}")).content.decode()
        return sorted(name for name in ("Ada Lovelace", "Ben Okafor") if name in page)

    assert listed() == ["Ada Lovelace", "Ben Okafor"]
    assert listed(state="succeeded") == ["Ada Lovelace"]
    assert listed(state="pending") == ["Ben Okafor"]
    assert listed(kind="early_check_out") == []
    assert listed(q="okaf") == ["Ben Okafor"]
    assert listed(q="100001") == ["Ada Lovelace"]


def test_yesterdays_events_are_not_on_todays_list(world, campus, desk):
    check_in(campus, world, occurred_at=timezone.now() - timedelta(days=1))
    assert "Ada Lovelace" not in desk.get(api(world.north, "today")).content.decode()


def test_editing_an_event_from_the_list_writes_it_back_again(world, campus, desk):
    event = check_in(campus, world)
    url = api(world.north, f"events/{event.pk}/edit")
    assert post(desk, url, {"time": "08:30"}).json()["errors"] == {"why": ["Say why the event is changed."]}

    answer = post(desk, url, {"time": "08:30", "reason": campus.bus.pk, "note": "Bus 12", "why": "Wrong reason"}).json()

    assert (answer["event"]["time"], answer["event"]["reason"]) == ("08:30", "Late bus")
    edit = Intent.objects.order_by("id").last()
    assert (Intent.objects.count(), edit.operation, edit.seconds, edit.code_text) == (2, "write", 8 * 3600 + 1800, "T")
    assert event.changes.last().reason == "Wrong reason"


def test_an_edit_to_a_future_time_is_shown_beside_the_field(world, campus, desk):
    event = check_in(campus, world)
    answer = post(desk, api(world.north, f"events/{event.pk}/edit"), {"time": "11:00", "why": "typo"}).json()
    assert "is in the future" in answer["errors"]["occurred_at"][0]


def test_voiding_an_event_needs_a_reason_and_writes_back_a_void(world, campus, desk):
    event = check_in(campus, world)
    url = api(world.north, f"events/{event.pk}/void")
    assert post(desk, url, {"why": " "}).json()["errors"] == {"why": ["Say why the event is voided."]}

    assert post(desk, url, {"why": "Wrong student"}).json()["ok"] is True

    event.refresh_from_db()
    assert event.active is False
    assert Intent.objects.order_by("id").last().operation == Intent.Operation.VOID
    assert "voided" in post(desk, url, {"why": "again"}).json()["errors"]["event"][0]
    assert "(voided)" in desk.get(api(world.north, "today")).content.decode()


# --- bulk check-in --------------------------------------------------------------------------------------


def test_a_bulk_check_in_records_every_student_with_one_reason(world, campus, desk):
    body = {"key": "bus-7", "students": [campus.ada.pk, campus.ben.pk], "reason": campus.bus.pk, "note": "Bus 7"}
    answer = post(desk, api(world.north, "bulk"), body).json()
    assert sorted(event["name"] for event in answer["events"]) == ["Ada Lovelace", "Ben Okafor"]
    assert set(StudentEvent.objects.values_list("reason__label", "note", "source")) == {
        ("Late bus", "Bus 7", "front_desk")
    }


def test_a_bulk_check_in_with_one_refused_student_records_nobody(world, campus, desk):
    withdrawn = add_student(campus.north_high, 8, "Wes", "Gone", active=False)
    body = {"students": [campus.ada.pk, withdrawn.pk], "reason": campus.bus.pk}
    answer = post(desk, api(world.north, "bulk"), body).json()
    assert answer["errors"]["students"] == ["Wes Gone: Wes Gone is no longer enrolled (not active in PowerSchool)."]
    assert StudentEvent.objects.count() == Intent.objects.count() == 0


def test_a_bulk_check_in_needs_students_and_a_reason(world, campus, desk):
    assert set(post(desk, api(world.north, "bulk"), {"students": []}).json()["errors"]) == {"students", "reason"}


# --- kiosk sign-ins the server refused ------------------------------------------------------------------


def test_refused_kiosk_sign_ins_are_listed_and_recorded_for_the_right_student(world, campus, desk):
    sign_in = unrecorded(world, campus)
    unrecorded(world, campus, building=world.south, student_id_typed="555")
    page = desk.get(api(world.north, "today")).content.decode()
    assert "No student has the number 100009." in page and "555" not in page

    url = api(world.north, f"unrecorded/{sign_in.pk}/resolve")
    answer = post(desk, url, {"student": campus.ben.pk, "reason": campus.bus.pk, "note": "typed a 9"}).json()

    event = StudentEvent.objects.get(pk=answer["event"]["id"])
    assert (event.student, event.occurred_at, event.source) == (campus.ben, sign_in.occurred_at, "delayed_entry")
    sign_in.refresh_from_db()
    assert (sign_in.resolved_by, sign_in.resolved_at) == (world.front_desk, timezone.now())
    assert post(desk, url, {"student": campus.ben.pk, "reason": campus.bus.pk}).status_code == 404


def test_a_refused_kiosk_sign_in_can_be_dismissed(world, campus, desk):
    sign_in = unrecorded(world, campus)
    assert post(desk, api(world.north, f"unrecorded/{sign_in.pk}/dismiss")).json() == {"ok": True}
    sign_in.refresh_from_db()
    assert sign_in.resolved_by == world.front_desk and StudentEvent.objects.count() == 0
    assert "100009" not in desk.get(api(world.north, "today")).content.decode()


def test_the_list_shows_times_in_the_buildings_zone(world, campus, desk):
    unrecorded(world, campus, occurred_at=datetime.fromisoformat("2026-10-14T08:05:00-05:00"))
    assert "10/14 08:05" in desk.get(api(world.north, "today")).content.decode()
