"""Names people type are one line: a line break in a district's name once made every alert e-mail of the district
unsendable (a mail header may not hold one)."""

import pytest
from django.core import mail

from raptorlink.models import District, NotificationContact
from raptorlink.notifications import email_contacts
from tests.world import PASSWORD


@pytest.mark.parametrize("name", ["Help desk\r\nBcc: someone@example.org", "Help\tdesk", "Help\u2028desk"])
def test_a_name_with_a_line_break_or_control_character_is_refused(client, world, name):
    assert client.login(username=world.district_admin.username, password=PASSWORD)

    response = client.post(
        "/admin/raptorlink/notificationcontact/add/",
        {"district": world.district.pk, "name": name, "email": "help@lincoln.example", "active": "on"},
    )

    assert "Use one line of ordinary characters" in response.content.decode()
    assert not NotificationContact.objects.filter(email="help@lincoln.example").exists()


def test_alerts_still_go_out_for_a_district_whose_stored_name_has_a_line_break(world):
    District.objects.filter(pk=world.district.pk).update(name="Lincoln County\nSchools")
    world.district.refresh_from_db()
    NotificationContact.objects.create(district=world.district, name="IT desk", email="it@lincoln.example")

    assert email_contacts(world.district, "sync", "the sync failed", "What happened.") == 1

    assert mail.outbox[0].subject.endswith("Lincoln County Schools: the sync failed")
