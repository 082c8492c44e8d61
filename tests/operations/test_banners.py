from datetime import timedelta

import pytest
import time_machine

from raptorlink.models import MaintenanceWindow
from tests.operations.conftest import NOW, kiosk_client, login

ROSTER = "/kiosk/api/roster"


@pytest.fixture
def window(world, frozen):
    """Lincoln's PowerSchool upgrade tonight, 18:00 to 20:00 Chicago time."""
    return MaintenanceWindow.objects.create(
        district=world.district,
        title="PowerSchool upgrade",
        message="Sign-ins are kept and sent to PowerSchool afterwards.",
        starts_at=NOW.replace(hour=18, minute=0),
        ends_at=NOW.replace(hour=20, minute=0),
    )


@pytest.fixture
def kiosk(world, frozen):
    return kiosk_client(world.north)


def at(moment):
    return time_machine.travel(moment, tick=False)


def roster_banners(kiosk):
    return kiosk.get(ROSTER).json()["maintenance"]


def test_the_kiosk_shows_nothing_before_the_hour_ahead_of_the_window(kiosk, window):
    assert roster_banners(kiosk) == []
    assert "PowerSchool upgrade" not in kiosk.get("/kiosk/").content.decode()


def test_the_kiosk_roster_tells_a_long_open_kiosk_of_a_window_starting_within_the_hour(kiosk, window):
    with at(window.starts_at - timedelta(minutes=30)):
        (banner,) = roster_banners(kiosk)
    assert banner["state"] == "upcoming"
    assert banner["heading"] == "Maintenance soon: PowerSchool upgrade"
    assert banner["when"] == "Wednesday 10/14/2026 18:00–20:00 CDT"
    assert banner["message"] == "Sign-ins are kept and sent to PowerSchool afterwards."


def test_the_kiosk_page_shows_the_window_while_it_is_under_way_in_the_buildings_zone(world, kiosk, window):
    world.north.time_zone = "America/New_York"
    world.north.save()
    with at(window.starts_at + timedelta(minutes=5)):
        page = kiosk.get("/kiosk/").content.decode()
        (banner,) = roster_banners(kiosk)
    assert "Maintenance under way: PowerSchool upgrade" in page
    assert "Wednesday 10/14/2026 19:00–21:00 EDT" in page
    assert banner["state"] == "now"


def test_the_banner_goes_when_the_window_ends_or_is_cancelled(kiosk, window):
    with at(window.ends_at):
        assert roster_banners(kiosk) == []
    window.cancelled_at = NOW
    window.save()
    with at(window.starts_at + timedelta(minutes=5)):
        assert roster_banners(kiosk) == []


def test_another_districts_window_is_not_shown(world, window):
    window.district = world.other_district
    window.save()
    other_kiosk = kiosk_client(world.north, name="Side door")
    with at(window.starts_at + timedelta(minutes=5)):
        assert roster_banners(other_kiosk) == []


def test_the_front_desk_shows_the_window_only_during_its_time(client, world, window, settings):
    settings.DESK_IDLE_MINUTES = 7 * 24 * 60  # the test's clock jumps hours between visits; that is not idleness
    login(client, world.front_desk)
    desk = f"/desk/{world.north.pk}/"
    assert "PowerSchool upgrade" not in client.get(desk).content.decode()
    with at(window.starts_at + timedelta(minutes=5)):
        page = client.get(desk).content.decode()
    assert "Maintenance under way: PowerSchool upgrade" in page
    assert "Sign-ins are kept and sent to PowerSchool afterwards." in page
    with at(window.ends_at + timedelta(minutes=1)):
        assert "PowerSchool upgrade" not in client.get(desk).content.decode()


def test_the_desks_building_choice_shows_the_users_districts_windows(client, world, window):
    with at(window.starts_at + timedelta(minutes=5)):
        page = login(client, world.district_admin).get("/desk/").content.decode()
    assert "Maintenance under way: PowerSchool upgrade" in page
    assert "Wednesday 10/14/2026 18:00–20:00 CDT" in page


def test_the_message_is_shown_as_text_never_as_markup(client, world, window):
    window.message = "<script>alert('x')</script>"
    window.save()
    with at(window.starts_at + timedelta(minutes=5)):
        page = login(client, world.front_desk).get(f"/desk/{world.north.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
