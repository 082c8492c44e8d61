from datetime import UTC, date, datetime

import pytest
import time_machine

from raptorlink.models import NotificationContact
from sis_sync.models import SyncPause, SyncRun, SyncSettings
from sis_sync.tasks import scheduled_sync, sync_now
from tests.sis_sync.fakes import FakeEngine

# 04:30 UTC on 2027-06-10 is still 2027-06-09 in Lincoln (America/Chicago).
EARLY_ON_THE_FIRST_PAUSED_DAY_IN_UTC = datetime(2027, 6, 10, 4, 30, tzinfo=UTC)
LATER_THAT_DAY = datetime(2027, 6, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def engine(monkeypatch):
    return FakeEngine.install(monkeypatch)


@pytest.fixture
def pause(world):
    return SyncPause.objects.create(
        district=world.district, starts_on=date(2027, 6, 10), ends_on=date(2027, 8, 15), reason="Scheduling season"
    )


def test_a_scheduled_sync_runs_with_the_districts_entities(world, engine):
    SyncSettings.objects.create(district=world.district, entities=["students", "contacts"])
    run = SyncRun.objects.get(pk=scheduled_sync(world.district.pk, "delta"))
    assert engine.calls == [
        {"district": "lincoln", "kind": "delta", "trigger": "schedule", "entities": ["students", "contacts"]}
    ]
    assert run.status == SyncRun.Status.SUCCEEDED


def test_a_scheduled_sync_without_chosen_entities_syncs_everything(world, engine):
    SyncSettings.objects.create(district=world.district)
    scheduled_sync(world.district.pk, "full")
    assert engine.calls[0]["entities"] is None


@time_machine.travel(LATER_THAT_DAY, tick=False)
def test_a_scheduled_sync_inside_a_pause_window_is_skipped_and_logged(world, engine, pause):
    run = SyncRun.objects.get(pk=scheduled_sync(world.district.pk, "full"))
    assert engine.calls == []
    assert (run.status, run.kind, run.trigger) == (SyncRun.Status.SKIPPED, "full", "schedule")
    assert run.message == "Scheduled syncs are paused from 2027-06-10 to 2027-08-15 (Scheduling season)."


@time_machine.travel(EARLY_ON_THE_FIRST_PAUSED_DAY_IN_UTC, tick=False)
def test_the_pause_starts_on_the_districts_own_calendar_day(world, engine, pause):
    scheduled_sync(world.district.pk, "delta")
    assert len(engine.calls) == 1


@time_machine.travel(LATER_THAT_DAY, tick=False)
def test_an_on_demand_sync_runs_inside_a_pause_window(world, engine, pause):
    run = SyncRun.objects.get(pk=sync_now(world.district.pk, "manual", "admin:dana.admin"))
    assert engine.calls == [{"district": "lincoln", "kind": "manual", "trigger": "admin:dana.admin", "entities": None}]
    assert run.status == SyncRun.Status.SUCCEEDED


@time_machine.travel(LATER_THAT_DAY, tick=False)
def test_another_districts_pause_does_not_stop_this_one(world, engine):
    SyncPause.objects.create(district=world.other_district, starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 30))
    scheduled_sync(world.district.pk, "delta")
    assert len(engine.calls) == 1


@pytest.mark.parametrize("task", [lambda pk: scheduled_sync(pk, "full"), lambda pk: sync_now(pk, "manual", "x")])
def test_every_task_tells_the_district_when_powerschool_refuses_the_credentials(world, engine, mailoutbox, task):
    NotificationContact.objects.create(district=world.district, name="Ian", email="ian@lincoln.example")
    engine.status, engine.error_category = SyncRun.Status.FAILED, "auth"
    task(world.district.pk)
    task(world.district.pk)
    assert [mail.subject for mail in mailoutbox] == [
        "[RaptorLink] Lincoln County Schools: PowerSchool refused the credentials"
    ]
