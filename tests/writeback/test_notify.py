from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from raptorlink.models import Incident, NotificationContact
from tests.writeback.log_rows import NOW, add_intent, log_world
from writeback.models import Intent
from writeback.notify import check_writeback_failures, notify_after_drain


@pytest.fixture
def people(world):
    with time_machine.travel(NOW, tick=False) as traveller:
        NotificationContact.objects.create(district=world.district, name="IT desk", email="it@lincoln.example")
        NotificationContact.objects.create(
            district=world.district, name="Sync only", email="sync@lincoln.example", about_writeback=False
        )
        rows = log_world(world)
        rows.traveller = traveller
        yield rows


def fail(student, count, minutes_ago=10, **fields):
    for _ in range(count):
        add_intent(
            student,
            status=Intent.Status.FAILED,
            minutes_ago=minutes_ago,
            category="auth",
            error="401 Unauthorized",
            **fields,
        )


def test_failures_below_the_threshold_say_nothing(world, people):
    fail(people.ada, 4)
    assert check_writeback_failures(world.district) is None
    assert mail.outbox == []


def test_failures_at_the_threshold_open_an_incident_and_email_the_writeback_contacts(world, people):
    fail(people.ada, 4)
    add_intent(people.cleo, status=Intent.Status.CONFLICT, minutes_ago=5, category="conflict")

    assert check_writeback_failures(world.district) == "opened"
    (message,) = mail.outbox
    assert message.to == ["it@lincoln.example"]
    assert message.subject == "[RaptorLink] Lincoln County Schools: Write-back failures"
    assert "5 attendance write-backs to PowerSchool failed or conflicted in the last 60 minutes." in message.body
    assert "auth: 4\nconflict: 1" in message.body
    assert "/admin/writeback/intent/log/?status=failed" in message.body
    assert Incident.objects.get(kind=Incident.Kind.WRITEBACK_FAILURES).closed_at is None


def test_an_open_incident_is_announced_only_once(world, people):
    fail(people.ada, 5)
    check_writeback_failures(world.district)
    fail(people.ada, 3)
    assert check_writeback_failures(world.district) is None
    assert len(mail.outbox) == 1


def test_old_and_resolved_failures_do_not_count(world, people):
    fail(people.ada, 3, minutes_ago=90)
    fail(people.ada, 3, resolved_at=NOW)
    fail(people.ada, 1)
    assert check_writeback_failures(world.district) is None


def test_the_threshold_and_window_come_from_settings(world, people, settings):
    settings.WRITEBACK_ALERT_FAILURES = 2
    settings.WRITEBACK_ALERT_WINDOW_MINUTES = 120
    fail(people.ada, 2, minutes_ago=100)
    assert check_writeback_failures(world.district) == "opened"


def test_a_success_after_the_incident_announces_the_recovery_once(world, people):
    fail(people.ada, 5)
    check_writeback_failures(world.district)
    people.traveller.shift(timedelta(minutes=90))
    add_intent(people.ada, minutes_ago=1)

    assert check_writeback_failures(world.district) == "closed"
    assert check_writeback_failures(world.district) is None
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "[RaptorLink] Lincoln County Schools: resolved — Write-back failures"
    assert "since 2026-10-14 10:00 CDT" in mail.outbox[1].body


def test_failures_ageing_out_without_a_success_are_not_a_recovery(world, people):
    fail(people.ada, 5)
    check_writeback_failures(world.district)
    people.traveller.shift(timedelta(hours=3))
    assert check_writeback_failures(world.district) is None
    assert Incident.objects.get().closed_at is None


def test_one_districts_failures_never_alert_another(world, people):
    NotificationContact.objects.create(district=world.other_district, name="River IT", email="it@river.example")
    fail(people.ruth, 5)
    notify_after_drain([world.district.pk, world.other_district.pk, world.other_district.pk])
    (message,) = mail.outbox
    assert message.to == ["it@river.example"]
