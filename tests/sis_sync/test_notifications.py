from datetime import timedelta

import pytest
from django.utils import timezone

from raptorlink.models import Incident, NotificationContact
from raptorlink.notifications import close_incidents, open_incident
from sis_sync.models import SyncRun
from sis_sync.notify import notify_sync_outcome


@pytest.fixture
def contacts(world):
    return [
        NotificationContact.objects.create(district=world.district, name="Ian IT", email="ian@lincoln.example"),
        NotificationContact.objects.create(district=world.district, name="Sue Sync", email="sue@lincoln.example"),
    ]


def finished_run(district, status, *, error_category="", kind=SyncRun.Kind.FULL, message=""):
    started = timezone.now() - timedelta(minutes=2)
    return SyncRun.objects.create(
        district=district,
        kind=kind,
        trigger="schedule",
        status=status,
        started_at=started,
        finished_at=timezone.now(),
        message=message,
        error_category=error_category,
    )


def failed(district, category="", message="PowerSchool answered 500 to GET /ws/v1/district/student"):
    return finished_run(district, SyncRun.Status.FAILED, error_category=category, message=message)


def succeeded(district, kind=SyncRun.Kind.FULL):
    return finished_run(district, SyncRun.Status.SUCCEEDED, kind=kind)


def test_a_failed_sync_emails_every_sync_contact_once(world, contacts, mailoutbox):
    run = failed(world.district)
    notify_sync_outcome(run)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["ian@lincoln.example", "sue@lincoln.example"]
    assert "Lincoln County Schools" in mail.subject
    assert "Sync failed" in mail.subject
    assert "answered 500" in mail.body
    assert f"/admin/sis_sync/syncrun/{run.pk}/change/" in mail.body


def test_a_repeated_failure_of_the_same_kind_sends_nothing_more(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.district))
    notify_sync_outcome(failed(world.district))
    notify_sync_outcome(failed(world.district))
    assert len(mailoutbox) == 1
    assert Incident.objects.filter(district=world.district, closed_at__isnull=True).count() == 1


def test_the_next_success_closes_the_incident_with_one_recovery_email(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.district))
    notify_sync_outcome(succeeded(world.district))
    notify_sync_outcome(succeeded(world.district))
    assert len(mailoutbox) == 2
    assert "resolved" in mailoutbox[1].subject
    assert "Sync failed" in mailoutbox[1].body
    assert not Incident.objects.filter(closed_at__isnull=True).exists()


def test_a_new_failure_after_recovery_is_announced_again(world, contacts, mailoutbox):
    for run in [failed(world.district), succeeded(world.district), failed(world.district)]:
        notify_sync_outcome(run)
    assert [mail.subject.split(": ", 1)[1] for mail in mailoutbox] == [
        "Sync failed",
        "resolved — Sync failed",
        "Sync failed",
    ]


def test_refused_credentials_say_so_with_the_fix(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.district, "auth", "PowerSchool refused the client ID and secret"))
    mail = mailoutbox[0]
    assert "PowerSchool refused the credentials" in mail.subject
    assert "client ID and client secret in PowerSchool Setup" in mail.body


def test_unreachable_powerschool_says_so_with_the_hint(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.district, "unavailable", "Timed out after 15 s"))
    assert "PowerSchool unreachable" in mailoutbox[0].subject
    assert "not answering right now" in mailoutbox[0].body


def test_refused_credentials_and_an_unreachable_powerschool_are_separate_incidents(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.district, "auth"))
    notify_sync_outcome(failed(world.district, "unavailable"))
    notify_sync_outcome(failed(world.district, "auth"))
    assert len(mailoutbox) == 2
    kinds = set(Incident.objects.filter(closed_at__isnull=True).values_list("kind", flat=True))
    assert kinds == {Incident.Kind.CREDENTIALS_REFUSED, Incident.Kind.POWERSCHOOL_UNREACHABLE}


def test_inactive_contacts_and_contacts_not_about_sync_get_nothing(world, contacts, mailoutbox):
    NotificationContact.objects.filter(email="ian@lincoln.example").update(active=False)
    NotificationContact.objects.filter(email="sue@lincoln.example").update(about_sync=False)
    NotificationContact.objects.create(district=world.district, name="Wes", email="wes@lincoln.example")
    notify_sync_outcome(failed(world.district))
    assert [mail.to for mail in mailoutbox] == [["wes@lincoln.example"]]


def test_another_districts_contacts_hear_nothing(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.other_district))
    assert mailoutbox == []


def test_skipped_runs_open_and_close_nothing(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.district))
    notify_sync_outcome(finished_run(world.district, SyncRun.Status.SKIPPED, message="Paused"))
    assert len(mailoutbox) == 1
    assert Incident.objects.filter(closed_at__isnull=True).count() == 1


def test_a_one_student_sync_ends_a_connection_incident_but_not_a_failed_sync(world, contacts, mailoutbox):
    notify_sync_outcome(failed(world.district, "unavailable"))
    notify_sync_outcome(failed(world.district, "unknown"))
    notify_sync_outcome(succeeded(world.district, kind=SyncRun.Kind.SPOT))
    open_kinds = list(Incident.objects.filter(closed_at__isnull=True).values_list("kind", flat=True))
    assert open_kinds == [Incident.Kind.SYNC_FAILED]
    assert "resolved — PowerSchool unreachable" in mailoutbox[-1].subject


def test_an_incident_is_opened_only_once_while_open(world):
    assert open_incident(world.district, Incident.Kind.WRITEBACK_FAILURES, "3 failed") is not None
    assert open_incident(world.district, Incident.Kind.WRITEBACK_FAILURES, "4 failed") is None


def test_closing_returns_only_the_incidents_that_were_open(world):
    open_incident(world.district, Incident.Kind.SYNC_FAILED)
    first = close_incidents(world.district, [Incident.Kind.SYNC_FAILED, Incident.Kind.WRITEBACK_FAILURES])
    again = close_incidents(world.district, [Incident.Kind.SYNC_FAILED])
    assert [incident.kind for incident in first] == [Incident.Kind.SYNC_FAILED]
    assert again == []
