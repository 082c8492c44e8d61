"""check_powerschool: every check in plain words with the fix, against the sandbox."""

import pytest
from django.core.management import CommandError, call_command

from raptorlink.powerschool.access import render_plugin_xml
from raptorlink.powerschool.checks import check_connection
from sandbox.app import SandboxApp
from sandbox.plugin import install_plugin, set_enabled
from sandbox.testing import mock_powerschool
from tests.powerschool.conftest import SANDBOX_URL, connect_to_sandbox

pytestmark = pytest.mark.django_db


def run_check(capsys, *args):
    try:
        call_command("check_powerschool", *args)
    except CommandError as failure:
        return False, capsys.readouterr().out + str(failure)
    return True, capsys.readouterr().out


@pytest.fixture
def served(sandbox_store, clock):
    with mock_powerschool(SandboxApp(sandbox_store, clock=clock), base_url=SANDBOX_URL):
        yield sandbox_store


def test_a_good_connection_passes_every_check(served, capsys):
    connection = connect_to_sandbox(served)

    passed, output = run_check(capsys, "--district", connection.district.slug)

    assert passed, output
    for name in (
        "URL",
        "Reachable",
        "Credentials",
        "Plugin field access",
        "PowerSchool version",
        "v1 API access level",
    ):
        assert f"ok   {name}" in output
    assert "batch attendance write-back available" in output
    assert connection.client_secret not in output


def test_the_checks_are_results_an_admin_page_can_show(served):
    results = check_connection(connect_to_sandbox(served))

    assert [result.name for result in results][:3] == ["URL", "Reachable", "Credentials"]
    assert all(result.ok for result in results)


def test_a_wrong_secret_names_both_causes_and_where_to_look(served, capsys):
    connection = connect_to_sandbox(served)
    connection.client_secret = "not-the-secret"
    connection.save()

    passed, output = run_check(capsys)

    assert not passed
    assert "FAIL Credentials" in output and "wrong" in output and "disabled" in output
    assert "Data Provider Configuration" in output
    assert "not-the-secret" not in output


def test_a_disabled_plugin_fails_the_credentials_check(served):
    connection = connect_to_sandbox(served)
    set_enabled(served, False)

    results = check_connection(connection)

    assert results[-1].name == "Credentials" and not results[-1].ok


def test_a_plugin_without_a_field_names_it_and_says_to_reinstall(served, capsys):
    connection = connect_to_sandbox(served)
    without_dob = render_plugin_xml("Sandbox District").replace(
        '<field table="STUDENTS" field="DOB" access="ViewOnly" />', ""
    )
    install_plugin(served, without_dob)

    passed, output = run_check(capsys)

    assert not passed
    assert "FAIL Plugin field access" in output and "STUDENTS.DOB" in output
    assert "reinstall" in output
    assert connection.district.slug in output


def test_a_trailing_slash_is_named_before_anything_is_called(served, capsys):
    connection = connect_to_sandbox(served, base_url=SANDBOX_URL + "/")

    passed, output = run_check(capsys, "--district", connection.district.slug)

    assert not passed
    assert "FAIL URL" in output and "trailing slash" in output


def test_an_unreachable_server_is_reported(db, capsys, settings):
    settings.POWERSCHOOL_MAX_RETRIES = 0
    from raptorlink.models import District, PowerSchoolConnection

    district = District.objects.create(name="Nowhere", slug="nowhere")
    PowerSchoolConnection.objects.create(
        district=district, base_url="https://nowhere.powerschool.invalid", client_id="id", client_secret="secret"
    )

    passed, output = run_check(capsys, "--district", "nowhere")

    assert not passed and "FAIL Reachable" in output


def test_a_v1_refusal_on_25_2_says_to_set_the_v1_access_level_to_full(served):
    connection = connect_to_sandbox(served)
    with served.transaction() as conn:
        conn.execute("UPDATE sandbox_plugin SET v1_access_level = 'RESTRICTED'")

    results = {result.name: result for result in check_connection(connection)}

    v1 = results["v1 API access level"]
    assert not v1.ok and "Access Level for v1 APIs to Full Access" in v1.fix


def test_an_unknown_district_is_an_error(db, capsys):
    passed, output = run_check(capsys, "--district", "nope")

    assert not passed and "nope" in output
