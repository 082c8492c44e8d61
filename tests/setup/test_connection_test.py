"""Test connection: each check in plain words with its fix, against the sandbox PowerSchool over HTTP.

A failing check is an answer on the page, never an error page: wrong credentials, a disabled plugin, a plugin
without field access, the v1 access level, an unreachable or silent server.
"""

import pytest

from raptorlink.models import PowerSchoolConnection
from sandbox.faults import FaultSpec
from sandbox.plugin import set_enabled, set_options
from tests.setup.conftest import login, setup_url

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def connected(world, sandbox_server, plugin_credentials):
    """Lincoln's connection pointed at the sandbox with the credentials of its installed plugin."""
    server, store, app = sandbox_server
    client_id, client_secret = plugin_credentials
    PowerSchoolConnection.objects.filter(pk=world.connection.pk).update(base_url=server.base_url, client_id=client_id)
    connection = PowerSchoolConnection.objects.get(pk=world.connection.pk)
    connection.client_secret = client_secret
    connection.save()
    return store, app


def run_test(client, user, district):
    response = login(client, user).post(setup_url(district, "test/"))
    assert response.status_code == 200
    return response.content.decode()


def check_row(page, name):
    """The table row of one check, as text."""
    start = page.index(f'<th scope="row">{name}</th>')
    return page[start : page.index("</tr>", start)]


def test_a_good_connection_passes_every_check_in_plain_words(client, world, connected):
    page = run_test(client, world.district_admin, world.district)

    assert "Every check passed" in page
    for name in (
        "URL",
        "Reachable",
        "Credentials",
        "Plugin field access",
        "PowerSchool version",
        "v1 API access level",
    ):
        assert "Passed" in check_row(page, name), name
    assert "batch attendance write-back available" in page


def test_an_it_viewer_reads_the_status_but_may_not_run_the_test(client, world, connected):
    # Running it sends the secret to PowerSchool and caches a token: that is managing the connection.
    assert 'name="_test"' not in login(client, world.it_viewer).get(setup_url(world.district)).content.decode()

    assert client.post(setup_url(world.district, "test/")).status_code == 403
    assert not PowerSchoolConnection.objects.get(pk=world.connection.pk).access_token


def test_the_test_never_shows_the_secret(client, world, connected, plugin_credentials):
    page = run_test(client, world.district_admin, world.district)

    assert "Every check passed" in page
    assert plugin_credentials[1] not in page


def test_refused_credentials_name_both_causes_and_where_to_look(client, world, connected):
    connection = PowerSchoolConnection.objects.get(pk=world.connection.pk)
    connection.client_secret = "not-the-secret"
    connection.save()

    page = run_test(client, world.district_admin, world.district)

    row = check_row(page, "Credentials")
    assert "Failed" in row and "wrong" in row and "disabled" in row and "Data Provider Configuration" in row
    assert "not-the-secret" not in page
    assert "Some checks failed" in page


def test_a_disabled_plugin_fails_the_credentials_check(client, world, connected):
    store, _ = connected
    set_enabled(store, False)

    page = run_test(client, world.district_admin, world.district)

    assert "Failed" in check_row(page, "Credentials")


def test_a_plugin_missing_field_access_names_the_fields_and_says_to_reinstall(client, world, connected):
    store, _ = connected
    with store.transaction() as conn:
        conn.execute("DELETE FROM sandbox_field_access WHERE table_name = 'students' AND field_name = 'dob'")

    page = run_test(client, world.district_admin, world.district)

    row = check_row(page, "Plugin field access")
    assert "Failed" in row and "STUDENTS.DOB" in row and "reinstall" in row


def test_a_restricted_v1_access_level_says_to_set_it_to_full_access(client, world, connected):
    store, _ = connected
    set_options(store, v1_access_level="RESTRICTED")

    page = run_test(client, world.district_admin, world.district)

    row = check_row(page, "v1 API access level")
    assert "Failed" in row and "Access Level for v1 APIs to Full Access" in row


def test_a_server_that_never_answers_is_reported_not_an_error_page(client, world, connected, settings):
    _, app = connected
    settings.POWERSCHOOL_TIMEOUT = 0.3
    settings.POWERSCHOOL_MAX_RETRIES = 0
    app.faults.replace(FaultSpec(timeout_rate=1, hold_ms=1000))

    page = run_test(client, world.district_admin, world.district)

    row = check_row(page, "Reachable")
    assert "Failed" in row and "timed out" in row and "firewall" in row


def test_an_unreachable_address_is_reported(client, world, settings):
    settings.POWERSCHOOL_MAX_RETRIES = 0
    PowerSchoolConnection.objects.filter(pk=world.connection.pk).update(base_url="http://127.0.0.1:9")

    page = run_test(client, world.district_admin, world.district)

    row = check_row(page, "Reachable")
    assert "Failed" in row and "could not connect" in row


def test_a_district_without_a_connection_is_told_to_save_one_first(client, world):
    world.connection.delete()

    page = run_test(client, world.district_admin, world.district)

    assert "There is no PowerSchool connection to test yet." in page


def test_the_test_is_only_run_on_a_post(client, world):
    response = login(client, world.district_admin).get(setup_url(world.district, "test/"))

    assert response.status_code == 405


def test_a_building_admin_may_not_run_the_test(client, world):
    response = login(client, world.building_admin).post(setup_url(world.district, "test/"))

    assert response.status_code == 403
