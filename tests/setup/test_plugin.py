"""The Plugin tab: the district's plugin.xml, valid for PowerSchool's plugin structure and accepted by the sandbox,
and the install guide next to it."""

from xml.etree import ElementTree

import pytest

from raptorlink.models import PowerSchoolConnection
from raptorlink.powerschool.access import required_access
from sandbox.plugin import granted_fields, install_plugin, installed_plugin
from tests.setup.conftest import login, setup_url

pytestmark = pytest.mark.django_db
NS = "{http://plugin.powerschool.pearson.com}"


def download(client, user, district):
    response = login(client, user).get(setup_url(district, "plugin.xml"))
    assert response.status_code == 200
    return response


def test_the_download_is_an_attachment_named_for_the_district(client, world):
    response = download(client, world.district_admin, world.district)

    assert response["Content-Disposition"] == 'attachment; filename="raptorlink-lincoln-plugin.xml"'
    assert response["Content-Type"].startswith("application/xml")


def test_the_plugin_xml_has_powerschools_plugin_structure(client, world):
    root = ElementTree.fromstring(download(client, world.district_admin, world.district).content)

    assert root.tag == f"{NS}plugin"
    assert root.get("name") == "RaptorLink Lincoln County Schools" and 1 <= len(root.get("name")) <= 40
    assert root.get("version").replace(".", "").isdigit()
    assert len(root.get("description")) <= 256
    publisher = root.find(f"{NS}publisher")
    assert publisher.get("name") and "@" in publisher.find(f"{NS}contact").get("email")
    assert root.find(f"{NS}oauth") is not None
    fields = root.find(f"{NS}access_request").findall(f"{NS}field")
    assert fields and {field.get("access") for field in fields} == {"ViewOnly", "FullAccess"}
    assert all(len(field.get("table")) <= 30 and len(field.get("field")) <= 30 for field in fields)
    written = {(field.get("table"), field.get("field")) for field in fields if field.get("access") == "FullAccess"}
    assert {("ATTENDANCE", "ATT_COMMENT"), ("ATTENDANCE", "ATTENDANCE_CODEID")} <= written


@pytest.mark.slow
def test_the_sandbox_takes_the_downloaded_file_as_its_plugins_field_access(client, world, sandbox_store):
    before = installed_plugin(sandbox_store)

    descriptor = install_plugin(sandbox_store, download(client, world.district_admin, world.district).content)

    assert descriptor.name == "RaptorLink Lincoln County Schools" and descriptor.oauth
    assert descriptor.unknown_fields() == []
    for table, fields in required_access().items():
        assert granted_fields(sandbox_store, table) == fields, table
    assert installed_plugin(sandbox_store)["client_id"] == before["client_id"]


@pytest.mark.slow
def test_installing_the_download_then_copying_the_credentials_passes_the_connection_test(client, world, sandbox_server):
    server, store, _ = sandbox_server
    install_plugin(store, download(client, world.district_admin, world.district).content)
    plugin = installed_plugin(store)
    world.connection.delete()

    client.post(
        setup_url(world.district),
        {
            "base_url": server.base_url,
            "client_id": plugin["client_id"],
            "client_secret": plugin["client_secret"],
            "visible_student_id": "student_number",
            "default_attendance_mode": "daily",
            "_save": "Save",
        },
    )
    page = client.post(setup_url(world.district, "test/")).content.decode()

    assert PowerSchoolConnection.objects.filter(district=world.district).exists()
    assert "Every check passed" in page


def test_the_install_guide_walks_through_the_vendor_steps(client, world):
    response = login(client, world.district_admin).get(setup_url(world.district, "plugin/"))

    page = response.content.decode()
    for step in (
        "System → System Settings → Plugin Management Configuration",
        "<strong>Install</strong>",
        "<strong>Enable</strong>",
        "approve the field access",
        "Data Provider Configuration",
        "Access Level for v1 APIs",
        "25.2.0.0 or later",
        "Test connection",
    ):
        assert step in page, step
    assert setup_url(world.district, "plugin.xml") in page
    assert "ATT_COMMENT" in page and "Full Access (written)" in page


def test_an_it_viewer_may_download_the_plugin(client, world):
    download(client, world.it_viewer, world.district)


@pytest.mark.parametrize("tab", ["plugin/", "plugin.xml"])
def test_a_building_admin_gets_neither_the_plugin_nor_the_guide(client, world, tab):
    assert login(client, world.building_admin).get(setup_url(world.district, tab)).status_code == 403


@pytest.mark.parametrize("tab", ["plugin/", "plugin.xml"])
def test_another_districts_admin_cannot_even_find_it(client, world, tab):
    assert login(client, world.other_admin).get(setup_url(world.district, tab)).status_code == 404
