"""The building's school day and self-serve grades at the kiosk; the front desk is not bound by either."""

import json
from datetime import time

import pytest
from django.test import Client

from kiosk.models import StudentEvent, UnrecordedSignIn
from tests.kiosk.test_kiosk_page import ADA, ROSTER, enrolled, lookup, replay, sign_in

AT_DESK = "Please sign in at the front desk."


@pytest.fixture
def kiosk(campus, world):
    return enrolled(world.north)[1]


def configure(building, **fields):
    for name, value in fields.items():
        setattr(building, name, value)
    building.full_clean()
    building.save()


def desk_record(world, campus, **fields):
    client = Client()
    client.force_login(world.front_desk)
    body = {"key": "desk-1", "student": campus.ada.pk, "kind": "late_check_in", "reason": campus.doctor.pk, **fields}
    url = f"/desk/{world.north.pk}/api/record"
    return client.post(url, data=json.dumps(body), content_type="application/json").json()


# --- grades allowed to self-serve ------------------------------------------------------------------------


def test_a_student_of_a_grade_that_does_not_self_serve_is_sent_to_the_front_desk_at_lookup(kiosk, world):
    configure(world.north, self_serve_grades=[11, 12])
    answer = lookup(kiosk, ADA)
    assert answer == {"ok": False, "message": f"Students in grade 10 do not sign in at the kiosk. {AT_DESK}"}


def test_a_name_search_pick_of_such_a_student_is_sent_to_the_front_desk_too(kiosk, world, campus):
    configure(world.north, self_serve_grades=[11, 12])
    assert kiosk.get("/kiosk/api/student", {"pk": campus.ada.pk}).json()["message"].endswith(AT_DESK)
    assert kiosk.get("/kiosk/api/student", {"pk": campus.ben.pk}).json()["ok"]


def test_a_student_whose_grade_is_allowed_signs_in_as_before(kiosk, world, campus):
    configure(world.north, self_serve_grades=list(range(9, 13)))
    assert lookup(kiosk, ADA)["ok"]
    assert sign_in(kiosk, campus).json()["ok"]


def test_a_student_without_a_known_grade_is_sent_to_the_front_desk_when_grades_are_limited(kiosk, world, campus):
    campus.ada.grade_level = None
    campus.ada.save()
    configure(world.north, self_serve_grades=[9])
    assert lookup(kiosk, ADA)["message"] == f"The kiosk does not know Ada Lovelace's grade. {AT_DESK}"


def test_a_sign_in_for_a_grade_that_does_not_self_serve_is_refused_and_nothing_recorded(kiosk, world, campus):
    configure(world.north, self_serve_grades=[12])
    response = sign_in(kiosk, campus)
    assert response.status_code == 400
    assert response.json()["errors"]["student"] == [f"Students in grade 10 do not sign in at the kiosk. {AT_DESK}"]
    assert not StudentEvent.objects.exists() and not UnrecordedSignIn.objects.exists()


def test_an_offline_sign_in_of_such_a_student_becomes_an_unrecorded_sign_in(kiosk, world, campus):
    configure(world.north, self_serve_grades=[12])
    assert replay(kiosk, campus, "2026-10-14T08:31:00-05:00").json()["kept"]
    assert UnrecordedSignIn.objects.get().problem.endswith(AT_DESK)
    assert not StudentEvent.objects.exists()


def test_the_roster_tells_the_page_which_students_may_self_serve_offline(kiosk, world, campus):
    configure(world.north, self_serve_grades=[11])
    students = {row[0]: row[3] for row in kiosk.get(ROSTER).json()["students"]}
    assert students == {campus.ada.pk: False, campus.ben.pk: True}


def test_the_front_desk_signs_in_any_grade(world, campus, kiosk):
    configure(world.north, self_serve_grades=[12])
    assert desk_record(world, campus)["event"]["name"] == "Ada Lovelace"


# --- the school day --------------------------------------------------------------------------------------


def test_after_the_school_day_ends_the_kiosk_offers_no_late_check_in_and_says_the_day_is_over(kiosk, world, campus):
    configure(world.north, day_start=time(7, 30), day_end=time(8, 45))
    message = lookup(kiosk, ADA)["message"]
    assert message == "The school day is over (it ended at 08:45): no late check-in now. Please see the front desk."
    assert sign_in(kiosk, campus).json()["errors"]["kind"] == [message]
    assert not StudentEvent.objects.exists()


def test_after_the_day_ends_self_serve_check_out_is_still_offered(kiosk, world):
    configure(world.north, day_start=time(7, 30), day_end=time(8, 45), self_serve_check_out=True)
    answer = lookup(kiosk, ADA)
    assert answer["offers"] == ["early_check_out"] and answer["notice"].startswith("The school day is over")


def test_a_kiosk_sign_in_kept_offline_from_within_the_day_is_recorded_after_it_ends(kiosk, world, campus):
    configure(world.north, day_start=time(7, 30), day_end=time(8, 45))
    assert replay(kiosk, campus, "2026-10-14T08:40:00-05:00").json()["ok"]
    assert replay(kiosk, campus, "2026-10-14T08:46:00-05:00", key="queued-0002").json()["kept"]
    assert "The school day is over" in UnrecordedSignIn.objects.get().problem


def test_the_front_desks_delayed_entry_works_after_the_day_ends(world, campus, kiosk):
    configure(world.north, day_start=time(7, 30), day_end=time(8, 45))
    answer = desk_record(world, campus, delayed=True, date="2026-10-14", time="08:46")
    assert answer["event"]["time"] == "08:46"


def test_without_a_tardy_cut_off_late_check_in_opens_at_the_start_of_the_day(kiosk, world):
    configure(world.north, day_start=time(8, 50), day_end=time(15, 0))
    assert lookup(kiosk, ADA)["message"].startswith("Late check-in starts at 08:50.")
    assert kiosk.get(ROSTER).json()["tardy_cutoff"] == "08:50"
    configure(world.north, tardy_cutoff=time(8, 55))
    assert lookup(kiosk, ADA)["message"].startswith("Late check-in starts at 08:55.")


def test_the_tardy_cut_off_within_the_day_is_kept_as_it_is(kiosk, world):
    configure(world.north, day_start=time(7, 30), day_end=time(15, 0), tardy_cutoff=time(8, 40))
    assert lookup(kiosk, ADA)["offers"] == ["late_check_in"]
    roster = kiosk.get(ROSTER).json()
    assert (roster["tardy_cutoff"], roster["day_end"]) == ("08:40", "15:00")


def test_the_kiosk_page_carries_the_opening_and_the_end_of_the_day_for_offline_use(kiosk, world):
    configure(world.north, day_start=time(7, 30), day_end=time(15, 10))
    page = kiosk.get("/kiosk/").content.decode()
    assert 'data-tardy-cutoff="07:30"' in page and 'data-day-end="15:10"' in page
