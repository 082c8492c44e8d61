import pytest
import time_machine

from tests.world import PASSWORD
from tests.writeback.log_rows import NOW, add_attempt, add_intent, log_world
from writeback.models import Intent

LOG_URL = "/admin/writeback/intent/log/"


@pytest.fixture
def rows(world):
    with time_machine.travel(NOW, tick=False):
        people = log_world(world)
        failed = add_intent(
            people.ada,
            status=Intent.Status.FAILED,
            category="year_mismatch",
            error="Record Not Saved. : 35 doesn't match the term's year value: 36.",
            hint="Import the attendance codes of this year, then retry.",
        )
        add_attempt(failed)
        succeeded = add_intent(people.cleo, kind=Intent.Kind.EARLY_CHECK_OUT, reason="Appointment", code_text="CO")
        riverside = add_intent(people.ruth, status=Intent.Status.CONFLICT, category="conflict")
        yield {"people": people, "failed": failed, "succeeded": succeeded, "riverside": riverside}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page(client, user, query=""):
    response = login(client, user).get(LOG_URL + query)
    return response, response.content.decode()


# Who sees which rows: (role, sees North's failure, sees South's success).
READERS = [
    ("superuser", True, True),
    ("district_admin", True, True),
    ("it_viewer", True, True),
    ("building_admin", True, False),
]


@pytest.mark.parametrize(("role", "sees_north", "sees_south"), READERS)
def test_readers_see_the_rows_of_their_district_or_buildings(client, world, rows, role, sees_north, sees_south):
    response, html = page(client, world.users_by_role()[role])
    assert response.status_code == 200
    assert ("Ada Lovelace" in html) is sees_north
    assert ("Cleo Martin" in html) is sees_south
    assert ("Ruth Rivers" in html) is (role == "superuser")


@pytest.mark.parametrize("role", ["front_desk", "outsider"])
def test_people_without_a_reading_role_cannot_open_the_log(client, world, rows, role):
    response, html = page(client, world.users_by_role()[role])
    assert response.status_code in (302, 403)
    assert "Ada Lovelace" not in html


def test_another_districts_admin_sees_only_their_own_rows(client, world, rows):
    response, html = page(client, world.other_admin)
    assert response.status_code == 200
    assert "Ruth Rivers" in html
    assert "Ada Lovelace" not in html and "Cleo Martin" not in html


def test_a_row_shows_the_columns_of_the_log(client, world, rows):
    _, html = page(client, world.district_admin)
    for text in ["Late check-in", "Early check-out", "9001", "10/14/2026 09:00", "Doctor appointment", "Failed"]:
        assert text in html
    assert ">K<" in html  # Cleo's grade


def test_the_status_opens_on_the_error_the_fix_and_the_attempts(client, world, rows):
    _, html = page(client, world.district_admin)
    assert "<details>" in html
    assert "35 doesn&#x27;t match the term&#x27;s year value: 36." in html
    assert "Import the attendance codes of this year, then retry." in html
    assert "240 ms" in html
    assert "10/14/2026 09:00:01" in html  # the attempt, in the building's zone


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?status=failed", "Ada Lovelace", "Cleo Martin"),
        ("?status=succeeded", "Cleo Martin", "Ada Lovelace"),
        ("?student=love", "Ada Lovelace", "Cleo Martin"),
        ("?kind=early_check_out", "Cleo Martin", "Ada Lovelace"),
        ("?category=year_mismatch", "Ada Lovelace", "Cleo Martin"),
        ("?att_date_after=2026-10-15", "No write-backs match", "Ada Lovelace"),
        ("?att_date_after=2026-10-14&att_date_before=2026-10-14", "Ada Lovelace", "No write-backs match"),
    ],
)
def test_the_filters_narrow_the_rows(client, world, rows, query, shown, hidden):
    _, html = page(client, world.district_admin, query)
    assert shown in html
    assert hidden not in html


def test_the_building_filter_narrows_the_rows(client, world, rows):
    _, html = page(client, world.district_admin, f"?building={world.south.pk}")
    assert "Cleo Martin" in html and "Ada Lovelace" not in html


def test_the_building_filter_offers_only_the_buildings_one_may_see(client, world, rows):
    _, html = page(client, world.building_admin)
    assert "North Campus" in html
    assert f'value="{world.south.pk}"' not in html
    assert "Riverside High" not in html


def test_a_building_admin_cannot_filter_their_way_into_another_building(client, world, rows):
    response, html = page(client, world.building_admin, f"?building={world.south.pk}")
    assert "Cleo Martin" not in html


def act(client, user, action, *intents):
    login(client, user)
    return client.post(LOG_URL, {"action": action, "selected": [str(intent.pk) for intent in intents]})


@pytest.mark.parametrize("role", ["district_admin", "building_admin", "superuser"])
def test_admins_retry_the_failures_they_manage(client, world, rows, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = act(client, world.users_by_role()[role], "retry", rows["failed"])
    assert response.status_code == 302
    rows["failed"].refresh_from_db()
    assert rows["failed"].status == Intent.Status.PENDING


def test_a_building_admin_cannot_act_on_another_buildings_rows(client, world, rows):
    rows["succeeded"].status = Intent.Status.FAILED
    rows["succeeded"].save()
    act(client, world.building_admin, "resolve", rows["succeeded"])
    rows["succeeded"].refresh_from_db()
    assert rows["succeeded"].resolved_at is None


def test_a_district_admin_cannot_act_on_another_districts_rows(client, world, rows):
    act(client, world.district_admin, "resolve", rows["riverside"])
    rows["riverside"].refresh_from_db()
    assert rows["riverside"].resolved_at is None


@pytest.mark.parametrize("role", ["it_viewer", "outsider", "front_desk"])
def test_readers_and_outsiders_cannot_retry_or_resolve(client, world, rows, role):
    response = act(client, world.users_by_role()[role], "resolve", rows["failed"])
    assert response.status_code in (302, 403)
    rows["failed"].refresh_from_db()
    assert rows["failed"].resolved_at is None


def test_the_it_viewer_gets_no_action_buttons(client, world, rows):
    _, html = page(client, world.it_viewer)
    assert 'value="retry"' not in html
    assert 'name="selected"' not in html


def test_mark_resolved_records_who_and_shows_it(client, world, rows):
    response = act(client, world.district_admin, "resolve", rows["failed"])
    assert response.status_code == 302
    rows["failed"].refresh_from_db()
    assert rows["failed"].resolved_by == world.district_admin
    _, html = page(client, world.district_admin)
    assert "Failed (resolved)" in html
    assert "Resolved by dana.admin" in html


def test_an_unknown_action_is_refused(client, world, rows):
    assert act(client, world.district_admin, "delete", rows["failed"]).status_code == 403


def test_the_intent_list_in_the_admin_leads_to_the_log(client, world, rows):
    login(client, world.district_admin)
    response = client.get("/admin/writeback/intent/")
    assert response.status_code == 302 and response["Location"] == LOG_URL
    assert "/admin/writeback/intent/" in client.get("/admin/").content.decode()


def test_the_admin_index_hides_the_log_from_outsiders(client, world, rows):
    login(client, world.outsider)
    assert "/admin/writeback/intent/" not in client.get("/admin/").content.decode()
