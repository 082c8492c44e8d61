"""PowerSchool Setup in Chromium: each tab as a district admin connects to the sandbox, tests the connection,
downloads the plugin and sets the schools; and as a building admin while the district prevents overrides."""

import pytest
from django.conf import settings
from django.test import Client

from raptorlink.models import AttendanceMode, District, School
from sandbox.app import SandboxApp
from sandbox.plugin import install_plugin, installed_plugin
from sandbox.server import SandboxServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    """Start the browser signed in as `user` (the login page itself is another test's subject)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def lincoln_schools(world):
    return [
        School.objects.create(
            district=world.district,
            building=world.north,
            dcid=1001,
            number=100,
            name="North High",
            low_grade=9,
            high_grade=12,
            attendance_mode=AttendanceMode.MEETING,
        ),
        School.objects.create(
            district=world.district,
            building=world.north,
            dcid=1002,
            number=200,
            name="North Middle",
            writeback_enabled=False,
        ),
        School.objects.create(
            district=world.district, building=world.south, dcid=1003, number=300, name="South Elementary"
        ),
    ]


@pytest.fixture
def sandbox_url(sandbox_store):
    with SandboxServer(SandboxApp(sandbox_store)) as server:
        yield server.base_url


def test_a_district_admin_sets_up_powerschool_tab_by_tab(
    page, live_server, world, lincoln_schools, sandbox_store, sandbox_url, screenshot, tmp_path
):
    log_in(page, live_server, world.district_admin)
    setup = f"{live_server.url}/admin/powerschool-setup/{world.district.pk}/"

    page.goto(setup + "plugin/")
    screenshot(page, "plugin")
    with page.expect_download() as download_info:
        page.click("text=Download plugin.xml")
    download = download_info.value
    assert download.suggested_filename == "raptorlink-lincoln-plugin.xml"
    download.save_as(tmp_path / "plugin.xml")
    install_plugin(sandbox_store, (tmp_path / "plugin.xml").read_bytes())
    plugin = installed_plugin(sandbox_store)

    page.click("a:text-is('Settings')")
    assert page.input_value("#id_client_secret") == ""
    page.fill("#id_base_url", sandbox_url + "/")
    page.click("input[name=_save]")
    assert "Remove the trailing slash" in page.locator(".errorlist").first.inner_text()
    page.fill("#id_base_url", sandbox_url)
    page.fill("#id_client_id", plugin["client_id"])
    page.fill("#id_client_secret", plugin["client_secret"])
    page.select_option("#id_default_attendance_mode", "time")
    page.click("input[name=_apply]")
    assert "attendance mode set to Time for 3 schools" in page.locator(".messagelist").inner_text()
    screenshot(page, "settings")

    page.click("input[name=_test]")
    assert "Every check passed" in page.locator("#connection-test").inner_text()
    assert plugin["client_secret"] not in page.content()
    screenshot(page, "connection-test")

    page.click("a:text-is('School Building Setup')")
    page.select_option("select[name='schools-1-attendance_mode']", "")
    page.click("input[type=submit][value=Save]")
    assert "write-back cannot be on without one" in page.content()
    screenshot(page, "schools-refused")
    page.select_option("select[name='schools-1-attendance_mode']", "daily")
    page.select_option("select[name='schools-0-checkout_policy']", "current")
    page.click("input[type=submit][value=Save]")
    assert "Saved" in page.locator(".messagelist").inner_text()
    screenshot(page, "schools")
    assert School.objects.get(pk=lincoln_schools[1].pk).attendance_mode == AttendanceMode.DAILY

    page.click("a:text-is('Writeback Logs')")
    screenshot(page, "logs")
    page.click(f"text=All write-backs of {world.district.name}")
    page.wait_for_url("**/admin/writeback/intent/log/**")


def test_a_building_admin_reads_why_the_schools_cannot_be_changed(
    page, live_server, world, lincoln_schools, screenshot
):
    District.objects.filter(pk=world.district.pk).update(prevent_school_overrides=True)
    log_in(page, live_server, world.building_admin)

    page.goto(f"{live_server.url}/admin/powerschool-setup/{world.district.pk}/")

    page.wait_for_url("**/schools/")
    assert "The district prevents school overrides" in page.locator(".setup-readonly").inner_text()
    assert "South Elementary" not in page.content()
    assert page.locator("#school-setup select").count() == 0
    screenshot(page, "schools-read-only")
