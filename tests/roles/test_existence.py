"""Another district's rows are never confirmed to exist: an id of theirs answers exactly as an id of nobody's."""

import pytest

from tests.roles.conftest import login

NOBODY = 987654


def answers(client, method, url):
    response = getattr(client, method)(url)
    return response.status_code, response.get("Location")


@pytest.mark.parametrize(
    ("method", "url", "row"),
    [
        ("post", "/admin/sis_sync/syncrun/sync-now/{}/", "district"),
        ("post", "/admin/kiosk/reason/import-codes/{}/", "district"),
        ("post", "/admin/sis_sync/csvupload/{}/apply/", "csvupload"),
        ("post", "/admin/sis_sync/csvupload/{}/cancel/", "csvupload"),
        ("get", "/admin/writeback/intent/{}/history/", "intent"),
        ("get", "/admin/writeback/intent/{}/delete/", "intent"),
    ],
)
def test_another_districts_id_answers_as_an_unknown_one(client, world, rows, method, url, row):
    theirs = world.other_district.pk if row == "district" else rows[f"riverside_{row}"].pk
    login(client, world.district_admin)

    assert answers(client, method, url.format(theirs)) == answers(client, method, url.format(NOBODY))
