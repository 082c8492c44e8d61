from datetime import datetime

import pytest
from django.core import mail

from raptorlink.maintenance import maintenance_announce
from raptorlink.models import AuditEntry, MaintenanceWindow
from tests.operations.conftest import login

WINDOWS = "/admin/raptorlink/maintenancewindow/"


def window_form(world, **overrides):
    data = {
        "district": world.district.pk,
        "title": "PowerSchool upgrade",
        "message": "Sign-ins are kept and sent to PowerSchool afterwards.",
        "starts_at_0": "2026-10-17",
        "starts_at_1": "18:00",
        "ends_at_0": "2026-10-17",
        "ends_at_1": "20:00",
    }
    return {**data, **overrides}


@pytest.fixture
def admin(client, world, frozen):
    return login(client, world.district_admin)


def post_window(admin, world, capture, url=f"{WINDOWS}add/", **overrides):
    with capture(execute=True):
        response = admin.post(url, window_form(world, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return MaintenanceWindow.objects.get()


def test_posting_a_window_emails_the_contacts_who_want_it_once(
    admin, world, contacts, django_capture_on_commit_callbacks
):
    window = post_window(admin, world, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["ann@lincoln.example.org"]
    assert message.subject == "[RaptorLink] Lincoln County Schools: Maintenance Saturday 10/17/2026 18:00–20:00 CDT"
    assert "Sign-ins are kept and sent to PowerSchool afterwards." in message.body
    assert window.posted_by == world.district_admin and window.emailed_at is not None
    assert maintenance_announce(window.pk) == 0
    assert len(mail.outbox) == 1


def test_the_times_are_read_in_the_districts_zone(admin, world, contacts, django_capture_on_commit_callbacks):
    window = post_window(admin, world, django_capture_on_commit_callbacks)
    assert window.starts_at == datetime.fromisoformat("2026-10-17T18:00:00-05:00")
    assert window.ends_at == datetime.fromisoformat("2026-10-17T20:00:00-05:00")
    page = admin.get(f"{WINDOWS}{window.pk}/change/").content.decode()
    assert 'value="18:00:00"' in page


def test_a_changed_message_sends_nothing_but_changed_times_send_an_update(
    admin, world, contacts, django_capture_on_commit_callbacks
):
    window = post_window(admin, world, django_capture_on_commit_callbacks)
    change = f"{WINDOWS}{window.pk}/change/"
    post_window(admin, world, django_capture_on_commit_callbacks, url=change, message="Use the front desk.")
    assert len(mail.outbox) == 1
    post_window(admin, world, django_capture_on_commit_callbacks, url=change, ends_at_1="21:30")
    update = mail.outbox[1]
    assert update.subject.endswith("Maintenance moved to Saturday 10/17/2026 18:00–21:30 CDT")
    assert "it was announced for Saturday 10/17/2026 18:00–20:00 CDT" in update.body


def test_a_posted_window_stays_in_its_district(admin, world, contacts, django_capture_on_commit_callbacks):
    window = post_window(admin, world, django_capture_on_commit_callbacks)
    change = f"{WINDOWS}{window.pk}/change/"
    post_window(admin, world, django_capture_on_commit_callbacks, url=change, district=world.other_district.pk)
    window.refresh_from_db()
    assert window.district == world.district


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"ends_at_1": "17:00"}, "The window must end after it starts."),
        (
            {"starts_at_0": "2026-10-13", "ends_at_0": "2026-10-13"},
            "This window would be over already; choose an end in the future.",
        ),
        ({"starts_at_0": "not a date"}, "Enter a valid date."),
    ],
)
def test_a_bad_window_is_refused_with_a_message(admin, world, contacts, overrides, message):
    response = admin.post(f"{WINDOWS}add/", window_form(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MaintenanceWindow.objects.exists()
    assert mail.outbox == []


def test_cancelling_an_announced_window_tells_the_contacts_and_is_audited(
    admin, world, contacts, django_capture_on_commit_callbacks
):
    window = post_window(admin, world, django_capture_on_commit_callbacks)
    action = {"action": "cancel_selected", "_selected_action": [window.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(WINDOWS, action).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(WINDOWS, action)
    cancelled = mail.outbox[1:]
    assert [message.subject for message in cancelled] == [
        "[RaptorLink] Lincoln County Schools: Cancelled: maintenance Saturday 10/17/2026 18:00–20:00 CDT"
    ]
    window.refresh_from_db()
    assert window.cancelled and window.cancelled_by == world.district_admin
    assert admin.post(f"{WINDOWS}{window.pk}/change/", window_form(world)).status_code == 403
    actions = list(
        AuditEntry.objects.filter(object_type="maintenance window").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["created", "cancelled"]


@pytest.mark.parametrize("role", ["building_admin", "it_viewer"])
def test_building_admins_and_it_viewers_read_windows_but_cannot_post_or_cancel(
    client, world, contacts, frozen, role, django_capture_on_commit_callbacks
):
    window = MaintenanceWindow.objects.create(
        district=world.district,
        title="PowerSchool upgrade",
        message="Kept and sent later.",
        starts_at=datetime.fromisoformat("2026-10-17T18:00:00-05:00"),
        ends_at=datetime.fromisoformat("2026-10-17T20:00:00-05:00"),
    )
    login(client, world.users_by_role()[role])
    assert "PowerSchool upgrade" in client.get(WINDOWS).content.decode()
    assert client.get(f"{WINDOWS}{window.pk}/change/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{WINDOWS}add/", window_form(world)).status_code == 403
        client.post(WINDOWS, {"action": "cancel_selected", "_selected_action": [window.pk]})
    window.refresh_from_db()
    assert not window.cancelled
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["other_admin", "outsider", "front_desk"])
def test_people_outside_the_district_see_none_of_its_windows(client, world, frozen, role):
    MaintenanceWindow.objects.create(
        district=world.district,
        title="PowerSchool upgrade",
        message="Kept and sent later.",
        starts_at=datetime.fromisoformat("2026-10-17T18:00:00-05:00"),
        ends_at=datetime.fromisoformat("2026-10-17T20:00:00-05:00"),
    )
    response = login(client, world.users_by_role()[role]).get(WINDOWS)
    assert "PowerSchool upgrade" not in response.content.decode()


def test_another_districts_admin_cannot_post_a_window_for_this_district(client, world, frozen, contacts):
    response = login(client, world.other_admin).post(f"{WINDOWS}add/", window_form(world))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not MaintenanceWindow.objects.exists()
