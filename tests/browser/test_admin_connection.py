import pytest

from raptorlink.models import PowerSchoolConnection
from tests.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_a_district_admin_fixes_a_trailing_slash_and_the_secret_stays_hidden(page, live_server, world):
    log_in(page, live_server, world.district_admin)
    page.goto(f"{live_server.url}/admin/raptorlink/powerschoolconnection/{world.connection.pk}/change/")

    assert "s3cr3t" not in page.content()
    assert page.input_value("#id_client_secret") == ""

    page.fill("#id_base_url", "https://lincoln.powerschool.com/")
    page.click("input[name=_save]")
    assert page.locator(".errorlist").inner_text().startswith("Remove the trailing slash")

    page.fill("#id_base_url", "https://lincoln.powerschool.com")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/raptorlink/powerschoolconnection/")
    assert "was changed successfully" in page.content()
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).client_secret == "s3cr3t-lincoln-client-secret"
