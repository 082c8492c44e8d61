"""The front desk runs on a shared front-office PC: a desk left alone signs its user out, closing the browser ends the
session, nothing it shows stays in the browser's cache, and its pages run only the desk's own script."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.kiosk.test_desk import api, signed_in

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def desk(world, campus):
    return signed_in(world.front_desk)


def test_desk_pages_and_answers_are_never_cached_and_run_only_the_desks_own_script(desk, world, campus):
    page = desk.get(f"/desk/{world.north.pk}/")
    student = desk.get(api(world.north, "student"), {"id": campus.ada.student_number})

    for response in (page, student, Client().get("/desk/login/")):
        assert "no-store" in response["Cache-Control"]
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_desk_left_alone_longer_than_the_idle_time_signs_its_user_out(desk, world, frozen, settings):
    settings.DESK_IDLE_MINUTES = 20
    assert desk.get(f"/desk/{world.north.pk}/").status_code == 200

    frozen.shift(timedelta(minutes=19))
    assert desk.get(f"/desk/{world.north.pk}/").status_code == 200
    frozen.shift(timedelta(minutes=21))
    response = desk.get(api(world.north, "today"))

    assert response.status_code == 302 and response["Location"].startswith("/desk/login/")
    assert desk.get(f"/desk/{world.north.pk}/")["Location"].startswith("/desk/login/")


def test_a_desk_session_ends_when_the_browser_closes(world, campus):
    browser = Client()
    browser.post("/desk/login/", {"username": world.front_desk.username, "password": PASSWORD})

    assert browser.session.get_expire_at_browser_close()
