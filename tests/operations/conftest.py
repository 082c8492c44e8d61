from datetime import datetime

import pytest
import time_machine
from django.test import Client

from kiosk.devices import COOKIE_NAME, kiosk_create, kiosk_enrol
from raptorlink.models import NotificationContact
from tests.world import PASSWORD

# A Wednesday morning in Lincoln's zone (America/Chicago, UTC-5 in October).
NOW = datetime.fromisoformat("2026-10-14T08:47:00-05:00")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def kiosk_client(building, name="Main entrance"):
    """A browser enrolled as a kiosk of `building`."""
    device, token = kiosk_create(building=building, name=name)
    device, cookie = kiosk_enrol(token)
    client = Client(HTTP_ACCEPT="application/json")
    client.cookies[COOKIE_NAME] = cookie
    return client


@pytest.fixture
def contacts(world):
    """Lincoln's contacts: one who wants maintenance announcements, one who does not, one no longer active; and
    Riverside's, who must never hear about Lincoln."""
    make = NotificationContact.objects.create
    return {
        "wants": make(district=world.district, name="Ann Ops", email="ann@lincoln.example.org"),
        "declines": make(
            district=world.district, name="Sam Sync", email="sam@lincoln.example.org", about_maintenance=False
        ),
        "inactive": make(district=world.district, name="Old Timer", email="old@lincoln.example.org", active=False),
        "elsewhere": make(district=world.other_district, name="Rita", email="rita@riverside.example.org"),
    }
