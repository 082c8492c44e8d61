import json
import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client

from kiosk.devices import COOKIE_NAME, kiosk_create, kiosk_enrol, kiosk_revoke
from kiosk.models import EventSource, StudentEvent, StudentEventChange, UnrecordedSignIn
from kiosk.views.kiosk import signing
from raptorlink.models import VisibleStudentId
from sis_sync.engine.students import search_text
from writeback.models import Intent

PAGE = "/kiosk/"
STUDENT = "/kiosk/api/student"
SEARCH = "/kiosk/api/search"
SIGN_IN = "/kiosk/api/sign-in"
ROSTER = "/kiosk/api/roster"
ENDPOINTS = [("get", PAGE), ("get", STUDENT), ("get", SEARCH), ("get", ROSTER), ("post", SIGN_IN)]
ADA = "100001"
CLEO = "100003"


def enrolled(building, name="Main entrance"):
    device, token = kiosk_create(building=building, name=name)
    device, cookie = kiosk_enrol(token)
    client = Client(HTTP_ACCEPT="application/json")
    client.cookies[COOKIE_NAME] = cookie
    return device, client


@pytest.fixture
def north(campus, world):
    return enrolled(world.north)


@pytest.fixture
def kiosk(north):
    return north[1]


@pytest.fixture
def south_kiosk(campus, world):
    return enrolled(world.south)[1]


def post(client, **body):
    return client.post(SIGN_IN, json.dumps(body), content_type="application/json")


def sign_in(client, campus, key="attempt-0001", **fields):
    body = {"key": key, "student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk, "note": ""}
    return post(client, **{**body, **fields})


def renamed(student, first):
    """`student` as a sync that brought a new first name leaves it, its search text included."""
    student.first_name = first
    student.search_name = search_text(f"{first} {student.last_name}")
    student.save()


def lookup(client, typed):
    return client.get(STUDENT, {"id": typed}).json()


# --- who may use the kiosk ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_browser_without_a_kiosk_cookie_is_refused_everywhere(campus, method, url):
    response = getattr(Client(HTTP_ACCEPT="application/json"), method)(url)
    assert response.status_code == 403
    assert response.json()["error"] == "not_a_kiosk"


def test_a_browser_without_a_kiosk_cookie_gets_a_calm_page_without_links(campus):
    response = Client().get(PAGE)
    assert response.status_code == 403
    assert "This screen is not a sign-in kiosk" in response.content.decode()
    assert "<a " not in response.content.decode()


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_revoked_kiosk_is_refused_everywhere(north, method, url):
    device, client = north
    kiosk_revoke(device)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_kiosk_outside_its_buildings_networks_is_refused_everywhere(kiosk, world, method, url):
    world.north.kiosk_networks = "10.20.0.0/16"
    world.north.save()
    response = getattr(kiosk, method)(url)
    assert response.status_code == 403
    assert "do not work from this network (127.0.0.1)" in response.json()["message"]


def test_a_kiosk_inside_its_buildings_networks_works(kiosk, world):
    world.north.kiosk_networks = "10.20.0.0/16"
    world.north.save()
    assert kiosk.get(STUDENT, {"id": ADA}, REMOTE_ADDR="10.20.3.4").json()["ok"]


def test_a_sign_in_without_the_csrf_token_is_refused(north, campus):
    device, client = north
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    assert sign_in(strict, campus).status_code == 403
    assert not StudentEvent.objects.exists()


def test_the_page_gives_the_csrf_token_that_a_sign_in_needs(north, campus):
    device, client = north
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    token = re.search(r'data-csrf-token="([^"]+)"', strict.get(PAGE).content.decode()).group(1)
    body = {"key": "attempt-0001", "student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk}
    response = strict.post(SIGN_IN, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.json()["ok"]


# --- the page -----------------------------------------------------------------------------------------


def test_the_page_names_its_building_and_has_no_inline_script_and_no_links_out(kiosk):
    response = kiosk.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="kiosk-building">North Campus</h1>' in html
    assert "<a " not in html
    assert "<script>" not in html and "style=" not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


# --- finding the student ------------------------------------------------------------------------------


def test_a_number_finds_the_student_with_the_buildings_reasons_in_their_order(kiosk, campus):
    campus.bus.sort_order = 1
    campus.bus.save()
    answer = lookup(kiosk, f" {ADA} ")
    assert answer["ok"]
    assert answer["student"] == {
        "id": campus.ada.pk,
        "name": "Ada Lovelace",
        "visible_id": ADA,
        "grade": 10,
        "school": "North High",
    }
    assert (answer["today"], answer["offers"]) == (None, ["late_check_in"])
    labels = [reason["label"] for reason in answer["reasons"]["late_check_in"]]
    assert labels == ["Doctor appointment", "Overslept", "Late bus"]


def test_the_other_building_sees_neither_this_buildings_own_reasons_nor_disabled_ones(south_kiosk, campus):
    campus.bus.enabled = False
    campus.bus.save()
    answer = lookup(south_kiosk, CLEO)
    assert [reason["label"] for reason in answer["reasons"]["late_check_in"]] == ["Doctor appointment"]


def test_a_district_showing_sis_ids_finds_students_by_that_id(kiosk, campus, world):
    world.district.visible_student_id = VisibleStudentId.SIS_ID
    world.district.save()
    assert lookup(kiosk, str(campus.ada.ps_id))["student"]["visible_id"] == str(campus.ada.ps_id)
    assert not lookup(kiosk, ADA)["ok"]


def test_an_unknown_number_says_so(kiosk):
    answer = lookup(kiosk, "999999")
    assert answer == {"ok": False, "message": "No student has the number 999999. Check it, or ask at the front desk."}


def test_an_empty_number_asks_for_one(kiosk):
    assert lookup(kiosk, "")["message"] == "Scan your card or type your student number."


def test_an_inactive_student_is_sent_to_the_front_desk(kiosk, campus):
    campus.ada.active = False
    campus.ada.save()
    message = lookup(kiosk, ADA)["message"]
    assert message == "Ada Lovelace is no longer enrolled (not active in PowerSchool). Please see the front desk."


def test_a_kiosk_cannot_look_up_another_buildings_student(kiosk, campus):
    message = lookup(kiosk, CLEO)["message"]
    assert message == "Cleo Martin does not attend a school in North Campus. Please see the front desk."
    answer = kiosk.get(STUDENT, {"pk": campus.cleo.pk}).json()
    assert answer == {"ok": False, "message": "This student could not be found. Please see the front desk."}


def test_a_pick_from_the_name_search_is_looked_up_by_its_key(kiosk, campus):
    assert kiosk.get(STUDENT, {"pk": campus.ben.pk}).json()["student"]["name"] == "Ben Okafor"
    campus.ben.active = False
    campus.ben.save()
    assert kiosk.get(STUDENT, {"pk": campus.ben.pk}).json()["message"].startswith("Ben Okafor is no longer enrolled")
    assert kiosk.get(STUDENT, {"pk": "nope"}).json()["message"].endswith("Please see the front desk.")


def test_the_name_search_finds_part_of_a_name_without_accents(kiosk, campus):
    renamed(campus.ben, "Benoît")
    students = kiosk.get(SEARCH, {"q": "benoit oka"}).json()["students"]
    assert students == [
        {"id": campus.ben.pk, "name": "Benoît Okafor", "visible_id": "100002", "grade": 11, "school": "North High"}
    ]


def test_the_name_search_finds_only_the_buildings_students(kiosk, campus):
    renamed(campus.cleo, "Cleo")
    assert kiosk.get(SEARCH, {"q": "cleo"}).json() == {"students": []}
    assert kiosk.get(SEARCH, {"q": "a"}).json() == {"students": []}


def test_the_roster_lists_the_buildings_active_students_for_offline_recognition(kiosk, campus):
    campus.ben.active = False
    campus.ben.save()
    roster = kiosk.get(ROSTER).json()
    assert roster["columns"] == ["id", "visible_id", "name", "self_serve"]
    assert roster["students"] == [[campus.ada.pk, ADA, "Ada Lovelace", True]]
    assert [reason["label"] for reason in roster["reasons"]["late_check_in"]][0] == "Doctor appointment"
    assert (roster["tardy_cutoff"], roster["self_serve_check_out"]) == (None, False)


# --- signing in ---------------------------------------------------------------------------------------


def test_a_sign_in_records_the_kiosks_event_and_answers_with_the_pass(north, campus, world):
    device, client = north
    response = sign_in(client, campus, note="Dentist")
    assert response.status_code == 200
    event = StudentEvent.objects.get()
    assert response.json() == {
        "ok": True,
        "updated": False,
        "event": {
            "id": event.pk,
            "reference": event.reference,
            "time": "08:47",
            "date": "2026-10-14",
            "kind": "late_check_in",
            "kind_label": "Late check-in",
            "reason": "Doctor appointment",
            "name": "Ada Lovelace",
            "building": "North Campus",
        },
    }
    assert (event.source, event.kiosk, event.note, event.building) == (
        EventSource.KIOSK,
        device,
        "Dentist",
        world.north,
    )
    assert Intent.objects.get().event_ref == event.reference


def test_a_kiosk_cannot_sign_in_another_buildings_student(kiosk, campus):
    response = sign_in(kiosk, campus, student=campus.cleo.pk)
    assert response.status_code == 400
    assert response.json()["errors"]["student"] == ["This student could not be found. Please see the front desk."]
    response = sign_in(kiosk, campus, student=None, student_id_typed=CLEO)
    assert response.json()["errors"]["student"] == [
        "Cleo Martin does not attend a school in North Campus. Please see the front desk."
    ]
    assert not StudentEvent.objects.exists()


def test_a_kiosk_cannot_use_another_buildings_own_reason(south_kiosk, campus):
    response = sign_in(south_kiosk, campus, student=campus.cleo.pk, reason=campus.north_only.pk)
    assert response.json()["errors"]["reason"] == ["“Overslept” is not a reason offered in South Campus."]


def test_a_sign_in_without_a_reason_asks_for_one(kiosk, campus):
    assert sign_in(kiosk, campus, reason=None).json()["errors"] == {"reason": ["Choose a reason."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "__all__"),
        ("[1, 2]", "__all__"),
        (json.dumps({"key": "x", "student": 1}), "key"),
        (json.dumps({"key": "attempt-0001", "student": "x", "kind": "late_check_in"}), "student"),
        (json.dumps({"key": "attempt-0001", "student_id_typed": "42", "kind": "late_check_in"}), "student"),
    ],
)
def test_unreadable_sign_ins_get_a_message_not_an_error_page(kiosk, campus, body, field):
    response = kiosk.post(SIGN_IN, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_long_note_is_refused_with_its_limit(kiosk, campus):
    assert sign_in(kiosk, campus, note="x" * 501).json()["errors"]["note"] == ["Keep the note under 500 characters."]


def test_a_double_tap_records_one_event(kiosk, campus):
    first = sign_in(kiosk, campus).json()
    again = sign_in(kiosk, campus, reason=campus.bus.pk).json()
    assert again == first
    assert StudentEvent.objects.count() == Intent.objects.count() == 1


def test_the_same_attempt_key_at_two_kiosks_records_two_events(kiosk, campus, world):
    other = enrolled(world.north, name="Side door")[1]
    sign_in(kiosk, campus, key="attempt-0001")
    answer = sign_in(other, campus, key="attempt-0001", student=campus.ben.pk).json()
    assert answer["event"]["name"] == "Ben Okafor"
    assert StudentEvent.objects.count() == 2


def test_the_lookup_offers_to_update_todays_earlier_sign_in(kiosk, campus, frozen):
    event_id = sign_in(kiosk, campus).json()["event"]["id"]
    frozen.shift(timedelta(minutes=10))
    today = lookup(kiosk, ADA)["today"]
    assert today == {"event": event_id, "kind": "late_check_in", "time": "08:47", "reason": "Doctor appointment"}


def test_yesterdays_sign_in_is_not_offered_for_an_update(kiosk, campus, frozen):
    sign_in(kiosk, campus)
    frozen.shift(timedelta(days=1))
    assert lookup(kiosk, ADA)["today"] is None


def test_a_second_sign_in_updates_the_first_and_keeps_its_history(kiosk, campus, frozen):
    event_id = sign_in(kiosk, campus).json()["event"]["id"]
    frozen.shift(timedelta(minutes=10))
    answer = sign_in(kiosk, campus, key="attempt-0002", reason=campus.bus.pk, note="Bus 7", update=event_id).json()

    assert (answer["updated"], answer["event"]["id"], answer["event"]["time"]) == (True, event_id, "08:57")
    event = StudentEvent.objects.get()
    assert (event.reason, event.note) == (campus.bus, "Bus 7")
    change = event.changes.get(action=StudentEventChange.Action.EDITED)
    assert change.changed_by is None
    assert change.reason.startswith("Signed in again at the kiosk “Main entrance”")
    assert (change.before["reason_label"], change.after["reason_label"]) == ("Doctor appointment", "Late bus")
    assert Intent.objects.count() == 2


def test_a_resubmitted_update_changes_the_event_once(kiosk, campus, frozen):
    event_id = sign_in(kiosk, campus).json()["event"]["id"]
    frozen.shift(timedelta(minutes=10))
    first = sign_in(kiosk, campus, key="attempt-0002", reason=campus.bus.pk, update=event_id).json()
    frozen.shift(timedelta(seconds=5))
    again = sign_in(kiosk, campus, key="attempt-0002", reason=campus.bus.pk, update=event_id).json()
    assert again == first
    assert StudentEventChange.objects.filter(action=StudentEventChange.Action.EDITED).count() == 1


def test_an_update_naming_another_students_event_records_a_new_sign_in_instead(kiosk, campus):
    bens = sign_in(kiosk, campus, student=campus.ben.pk).json()["event"]["id"]
    answer = sign_in(kiosk, campus, key="attempt-0002", update=bens).json()
    assert (answer["updated"], answer["event"]["name"]) == (False, "Ada Lovelace")
    assert StudentEvent.objects.get(pk=bens).student == campus.ben


def test_a_kiosk_cannot_update_another_buildings_event(kiosk, south_kiosk, campus):
    cleos = sign_in(south_kiosk, campus, student=campus.cleo.pk).json()["event"]["id"]
    sign_in(kiosk, campus, key="attempt-0002", update=cleos)
    assert StudentEvent.objects.get(pk=cleos).changes.count() == 1


# --- the tardy cut-off and check-out ------------------------------------------------------------------


def test_before_the_tardy_cut_off_no_late_check_in_is_offered_and_the_page_says_from_when(kiosk, campus, world):
    world.north.tardy_cutoff = time(9, 5)
    world.north.save()
    message = lookup(kiosk, ADA)["message"]
    assert message == "Late check-in starts at 09:05. Until then you are not late: go straight to class."
    assert sign_in(kiosk, campus).json()["errors"]["kind"] == [message]
    assert not StudentEvent.objects.exists()


def test_from_the_tardy_cut_off_on_late_check_in_is_offered(kiosk, world):
    world.north.tardy_cutoff = time(8, 47)
    world.north.save()
    assert lookup(kiosk, ADA)["offers"] == ["late_check_in"]


def test_a_building_with_self_serve_check_out_offers_it_with_its_reasons(kiosk, campus, world):
    world.north.tardy_cutoff = time(9, 5)
    world.north.self_serve_check_out = True
    world.north.save()
    answer = lookup(kiosk, ADA)
    assert answer["offers"] == ["early_check_out"]
    assert answer["notice"].startswith("Late check-in starts at 09:05.")
    assert answer["reasons"] == {"early_check_out": [{"id": campus.appointment.pk, "label": "Appointment"}]}
    signed = sign_in(kiosk, campus, kind="early_check_out", reason=campus.appointment.pk).json()
    assert signed["event"]["kind_label"] == "Early check-out"


def test_without_self_serve_check_out_the_kiosk_sends_students_to_the_front_desk(kiosk, campus):
    response = sign_in(kiosk, campus, kind="early_check_out", reason=campus.appointment.pk)
    assert response.json()["errors"]["kind"] == [
        "Early check-out is done at the front desk in North Campus. Please see the front desk."
    ]


# --- sign-ins kept while offline ----------------------------------------------------------------------


def replay(client, campus, at, key="queued-0001", **fields):
    return sign_in(client, campus, key=key, occurred_at=at, **fields)


def test_a_queued_sign_in_is_recorded_at_the_time_it_happened(kiosk, campus):
    answer = replay(kiosk, campus, "2026-10-14T08:31:12-05:00").json()
    assert answer["event"]["time"] == "08:31"
    event = StudentEvent.objects.get()
    assert event.occurred_at == datetime.fromisoformat("2026-10-14T08:31:12-05:00")
    assert Intent.objects.get().seconds == 8 * 3600 + 31 * 60 + 12


def test_a_queued_sign_in_known_only_by_its_typed_number_is_recorded(kiosk, campus):
    answer = sign_in(
        kiosk, campus, key="queued-0001", student=None, student_id_typed=ADA, occurred_at="2026-10-14T13:40:00Z"
    ).json()
    assert (answer["event"]["name"], answer["event"]["time"]) == ("Ada Lovelace", "08:40")


def test_a_queued_sign_in_sent_twice_is_recorded_once(kiosk, campus):
    first = replay(kiosk, campus, "2026-10-14T08:31:00-05:00").json()
    assert replay(kiosk, campus, "2026-10-14T08:31:00-05:00").json() == first
    assert StudentEvent.objects.count() == 1


def test_a_queued_time_a_little_ahead_of_the_servers_clock_is_read_as_now(kiosk, campus):
    assert replay(kiosk, campus, "2026-10-14T08:48:00-05:00").json()["event"]["time"] == "08:47"


def test_a_time_sent_with_a_live_sign_in_is_not_a_replay_and_a_refusal_keeps_nothing(kiosk, campus):
    campus.ada.active = False
    campus.ada.save()
    assert sign_in(kiosk, campus).status_code == 400
    assert not UnrecordedSignIn.objects.exists()


def test_a_refused_queued_sign_in_is_kept_for_the_front_desk(north, campus, world):
    device, client = north
    campus.ada.active = False
    campus.ada.save()
    response = replay(client, campus, "2026-10-14T08:31:00-05:00", note="Bus 7")

    assert response.status_code == 202
    answer = response.json()
    assert (answer["ok"], answer["kept"]) == (False, True)
    assert answer["message"] == "This sign-in was passed to the front desk. Please see the front desk."
    kept = UnrecordedSignIn.objects.get()
    assert (kept.building, kept.kiosk, kept.student_id_typed, kept.kind) == (world.north, device, ADA, "late_check_in")
    assert (kept.reason_label, kept.note) == ("Doctor appointment", "Bus 7")
    assert kept.occurred_at == datetime.fromisoformat("2026-10-14T08:31:00-05:00")
    assert "Ada Lovelace is no longer enrolled" in kept.problem
    assert not StudentEvent.objects.exists()


def test_a_kept_sign_in_obeys_a_sign_ins_limits(kiosk, campus):
    campus.ada.active = False
    campus.ada.save()

    replay(kiosk, campus, "2026-10-14T08:31:00-05:00", note="x" * 100_000, reason=None, reason_label="<b>" * 999)

    kept = UnrecordedSignIn.objects.get()
    assert len(kept.note) == 500 and kept.reason_label == ""


def test_a_kiosk_keeps_a_days_worth_of_refused_sign_ins_not_a_flood(kiosk, campus, monkeypatch):
    monkeypatch.setattr(signing, "KEPT_PER_KIOSK_PER_DAY", 3)
    for number in range(3):
        replay(kiosk, campus, "2026-10-14T08:31:00-05:00", key=f"flood-000{number}", student=None,
               student_id_typed=f"42424{number}")  # fmt: skip

    flood = replay(kiosk, campus, "2026-10-14T08:32:00-05:00", key="flood-0009", student=None, student_id_typed="4")

    assert (
        flood.status_code == 429
        and flood.json()["message"] == "This sign-in was not recorded: please see the front desk."
    )
    assert flood.json()["kept"] and UnrecordedSignIn.objects.count() == 3


def test_a_refused_queued_sign_in_sent_twice_is_kept_once(kiosk, campus):
    replay(kiosk, campus, "2026-10-14T08:31:00-05:00", student=None, student_id_typed="424242")
    again = replay(kiosk, campus, "2026-10-14T08:31:00-05:00", student=None, student_id_typed="424242").json()
    assert again["kept"]
    assert UnrecordedSignIn.objects.get().student_id_typed == "424242"


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        ("2026-10-14T09:30:00-05:00", "The kiosk's clock is ahead"),
        ("2026-10-13T15:00:00-05:00", "kept from another day"),
        ("2026-10-14T08:31:00", "is not a time with its zone"),
        ("yesterday", "is not a time with its zone"),
    ],
)
def test_a_queued_time_in_the_future_or_of_another_day_is_not_recorded_but_kept(kiosk, campus, at, problem):
    assert replay(kiosk, campus, at).json()["kept"]
    assert problem in UnrecordedSignIn.objects.get().problem
    assert not StudentEvent.objects.exists()


def test_a_queued_late_check_in_from_before_the_cut_off_is_kept_for_the_front_desk(kiosk, campus, world):
    world.north.tardy_cutoff = time(8, 35)
    world.north.save()
    assert replay(kiosk, campus, "2026-10-14T08:40:00-05:00").json()["ok"]
    assert replay(kiosk, campus, "2026-10-14T08:31:00-05:00", key="queued-0002").json()["kept"]
    assert "Late check-in starts at 08:35" in UnrecordedSignIn.objects.get().problem
