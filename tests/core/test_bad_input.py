"""Odd input answers with a message, never a server error: digits that are not 0–9 (“²” passes `isdigit()` but not
`int()`), numbers longer than any id, JSON nested deeper than any page sends, filters that are not values."""

import json

import pytest
from django.test import Client

from kiosk.devices import COOKIE_NAME, kiosk_create, kiosk_enrol
from tests.kiosk import conftest as kiosk_tests
from tests.world import PASSWORD
from writeback.models import Intent

ODD_NUMBERS = ["²", "١٢", "9" * 40, "-1", "1e3", ""]
DEEP = "[" * 100_000 + "]" * 100_000
# The kiosk tests' campus (schools, students, reasons), for these tests too.
campus = kiosk_tests.campus
frozen = kiosk_tests.frozen


@pytest.fixture
def kiosk(campus, world):
    device, token = kiosk_create(building=world.north, name="Main entrance")
    device, cookie = kiosk_enrol(token)
    client = Client(HTTP_ACCEPT="application/json")
    client.cookies[COOKIE_NAME] = cookie
    return client


@pytest.fixture
def desk(campus, world):
    client = Client()
    client.force_login(world.front_desk)
    return client


def posted(client, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_the_kiosk_answers_odd_numbers_with_a_message(kiosk, campus, odd):
    for response in (
        kiosk.get("/kiosk/api/student", {"pk": odd}),
        kiosk.get("/kiosk/api/student", {"id": odd}),
        posted(kiosk, "/kiosk/api/sign-in", {"key": "k1", "student": campus.ada.pk, "kind": "late_check_in",
                                             "reason": odd}),
        posted(kiosk, "/kiosk/api/sign-in", {"key": "k2", "student": campus.ada.pk, "kind": "late_check_in",
                                             "reason": campus.doctor.pk, "update": odd}),
    ):  # fmt: skip
        assert response.status_code < 500, response.content


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_the_desk_answers_odd_numbers_with_a_message(desk, world, campus, odd):
    api = f"/desk/{world.north.pk}/api"
    for response in (
        desk.get(f"{api}/student", {"id": odd}),
        posted(desk, f"{api}/record", {"key": "k1", "student": odd, "kind": "late_check_in",
                                       "reason": campus.doctor.pk}),
        posted(desk, f"{api}/bulk", {"key": "k2", "students": [odd], "reason": odd}),
    ):  # fmt: skip
        assert response.status_code < 500, response.content


def test_json_nested_deeper_than_any_page_sends_is_refused_with_a_message(kiosk, desk, world):
    assert posted(kiosk, "/kiosk/api/sign-in", DEEP).status_code == 400
    answer = posted(desk, f"/desk/{world.north.pk}/api/record", DEEP)
    assert answer.status_code == 400 and "cannot read" in answer.json()["errors"]["__all__"][0]


def test_a_grade_written_with_odd_digits_is_refused_with_a_message(client, world):
    assert client.login(username=world.district_admin.username, password=PASSWORD)
    page = client.get(f"/admin/raptorlink/building/{world.north.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"district": world.district.pk, "name": world.north.name, "self_serve_grades": "²,9"})

    response = client.post(f"/admin/raptorlink/building/{world.north.pk}/change/", data)

    assert response.status_code == 200
    assert "use PK, K or 1 to 12" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sis_sync/syncrun/?district__id__exact=²",
        "/admin/sis_sync/syncrun/?district__id__exact=" + "9" * 40,
        "/admin/raptorlink/auditentry/export.csv?at__gte=x",
        "/admin/writeback/intent/log/export.csv?building=²",
    ],
)
def test_console_filters_that_are_not_values_answer_without_a_server_error(client, world, url):
    assert client.login(username=world.district_admin.username, password=PASSWORD)

    assert client.get(url).status_code < 500


def test_a_retry_of_odd_ids_from_the_write_back_log_retries_nothing(client, world):
    assert client.login(username=world.district_admin.username, password=PASSWORD)

    response = client.post("/admin/writeback/intent/log/", {"action": "retry", "selected": ["²", "9" * 40]})

    assert response.status_code == 302 and not Intent.objects.exists()
