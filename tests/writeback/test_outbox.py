"""The outbox on its own: recording, claiming in order, leases, backoff, and what people can do."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django_q.models import OrmQ

from raptorlink.models import Building, District, School
from sis_sync.models import Student
from writeback import outbox
from writeback.errors import Failure
from writeback.models import Intent
from writeback.schedules import SCHEDULE_NAME, ensure_drain_schedule

NOW = datetime.datetime(2026, 10, 14, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def place(db):
    district = District.objects.create(name="Lincoln", slug="lincoln")
    building = Building.objects.create(district=district, name="Main")
    school = School.objects.create(district=district, building=building, dcid=11, number=1001, name="Lincoln ES")
    return district, building, school


def student(place, number):
    district, _, school = place
    return Student.objects.create(
        district=district,
        key=str(number),
        fingerprint="x",
        synced_at=NOW,
        dcid=number,
        ps_id=number + 1000,
        student_number=str(number),
        first_name="Ada",
        last_name=f"Student {number}",
        school=school,
    )


def intent_fields(place, pupil, key, **changes):
    district, building, school = place
    values = dict(
        district=district,
        school=school,
        building=building,
        student=pupil,
        kind=Intent.Kind.LATE_CHECK_IN,
        event_ref=f"RL-{key}",
        occurred_at=NOW,
        att_date=NOW.date(),
        seconds=31620,
        reason="Doctor",
        code_text="T",
        comment="Late check-in",
        source="kiosk",
        idempotency_key=key,
    )
    return {**values, **changes}


def test_recording_the_same_key_twice_returns_the_first_intent(place):
    pupil = student(place, 1)
    first = outbox.record_intent(**intent_fields(place, pupil, "k1"))

    again = outbox.record_intent(**intent_fields(place, pupil, "k1", reason="Other"))

    assert again.pk == first.pk and Intent.objects.count() == 1


def test_a_recorded_intent_asks_django_q_to_drain_once_the_transaction_commits(
    place, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "orm": None, "redis": "redis://127.0.0.1:6379/0"}
    queued = []
    monkeypatch.setattr(outbox, "async_task", lambda func, **options: queued.append((func, options)))

    with django_capture_on_commit_callbacks(execute=True):
        outbox.record_intent(**intent_fields(place, student(place, 1), "k1"))
        assert queued == []

    [(func, options)] = queued
    assert func == "writeback.tasks.drain" and options["q_options"]["ack_failure"] is True


def test_with_the_orm_broker_the_drain_task_commits_or_rolls_back_with_its_intent(place):
    with transaction.atomic():
        outbox.record_intent(**intent_fields(place, student(place, 1), "k1"))
        assert OrmQ.objects.count() == 1
    with transaction.atomic():
        outbox.record_intent(**intent_fields(place, student(place, 2), "k2"))
        transaction.set_rollback(True)

    assert OrmQ.objects.count() == Intent.objects.count() == 1


def test_only_the_earliest_unfinished_intent_of_a_student_and_day_is_claimed(place, time_machine):
    time_machine.move_to(NOW, tick=False)
    ada, bo = student(place, 1), student(place, 2)
    first = outbox.record_intent(**intent_fields(place, ada, "a1"))
    outbox.record_intent(**intent_fields(place, ada, "a2"))
    other = outbox.record_intent(**intent_fields(place, bo, "b1"))

    claimed = outbox.claim_due("w1")

    assert [intent.pk for intent in claimed] == [first.pk, other.pk]
    assert all(intent.status == Intent.Status.SENDING and intent.attempts == 1 for intent in claimed)
    assert outbox.claim_due("w2") == []
    outbox.intent_succeed(first, "w1", written={}, prior={}, mode="daily")
    assert [intent.event_ref for intent in outbox.claim_due("w2")] == ["RL-a2"]


def test_a_crashed_workers_intents_come_back_when_its_lease_runs_out(place, time_machine):
    time_machine.move_to(NOW, tick=False)
    intent = outbox.record_intent(**intent_fields(place, student(place, 1), "k1"))
    assert outbox.claim_due("crashed") != []
    assert outbox.claim_due("w2") == []

    time_machine.shift(outbox.LEASE.total_seconds() + 1)
    [again] = outbox.claim_due("w2")

    assert again.pk == intent.pk and again.leased_by == "w2" and again.attempts == 2
    assert not outbox.intent_succeed(intent, "crashed", written={}, prior={}, mode="daily")
    assert outbox.leases_renew([intent.pk], "crashed") == 0


def test_retries_back_off_exponentially_with_jitter_up_to_ten_minutes():
    delays = [outbox.retry_delay(attempts, jitter=lambda: 1.0).total_seconds() for attempts in range(1, 12)]

    assert delays[:4] == [2, 4, 8, 16] and delays[-1] == 600
    assert outbox.retry_delay(3, jitter=lambda: 0.0).total_seconds() == 4
    assert outbox.retry_delay(3, retry_after=90).total_seconds() == 90


def test_a_failure_that_clears_up_by_itself_is_scheduled_again(place, time_machine):
    time_machine.move_to(NOW, tick=False)
    outbox.record_intent(**intent_fields(place, student(place, 1), "k1"))
    [intent] = outbox.claim_due("w1")

    outbox.intent_retry_later(intent, "w1", Failure("throttled", "slow down", "429", retry_after=30))

    intent.refresh_from_db()
    assert intent.status == Intent.Status.PENDING and intent.next_attempt_at == NOW + datetime.timedelta(seconds=30)
    assert outbox.claim_due("w1") == []


def test_unknown_failures_retry_a_few_times_and_then_wait_for_a_person(place):
    intent = Intent(attempts=outbox.MAX_UNKNOWN_ATTEMPTS - 1)
    unknown = Failure("unknown", "hint", "error")

    assert not outbox.gives_up(intent, unknown)
    intent.attempts += 1
    assert outbox.gives_up(intent, unknown)
    assert outbox.gives_up(Intent(attempts=1), Failure("no_period", "hint", "error"))


def test_a_person_can_retry_failed_intents_or_mark_them_resolved(place, admin_user, monkeypatch):
    monkeypatch.setattr(outbox, "async_task", lambda *args, **kwargs: None)
    failed, parked = (
        outbox.record_intent(**intent_fields(place, student(place, number), f"k{number}")) for number in (1, 2)
    )
    Intent.objects.update(status=Intent.Status.FAILED, category="no_period")

    assert outbox.retry_intents([failed.pk], admin_user) == 1
    assert outbox.mark_resolved([parked.pk], admin_user) == 1

    failed.refresh_from_db(), parked.refresh_from_db()
    assert failed.status == Intent.Status.PENDING and failed.resolved_by == admin_user
    assert parked.status == Intent.Status.FAILED and parked.resolved_by == admin_user and parked.resolved_at


def test_the_drain_schedule_is_created_once_and_runs_every_minute(db):
    assert ensure_drain_schedule() == "created"
    assert ensure_drain_schedule() == "unchanged"

    from django_q.models import Schedule

    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (schedule.func, schedule.minutes) == ("writeback.tasks.drain", 1)
    assert "ack_failure" in schedule.kwargs


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED claims need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_drainers_at_once_never_claim_the_same_intent(place):
    pupils = [student(place, number) for number in range(40)]
    for pupil in pupils:
        for turn in range(3):
            outbox.record_intent(**intent_fields(place, pupil, f"{pupil.pk}-{turn}", next_attempt_at=NOW))
    claims = {"a": [], "b": []}

    def drainer(name):
        try:
            while batch := outbox.claim_due(name, limit=5):
                for intent in batch:
                    claims[name].append(intent.pk)
                    outbox.intent_succeed(intent, name, written={}, prior={}, mode="daily")
        finally:
            connection.close()

    threads = [threading.Thread(target=drainer, args=(name,)) for name in claims]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]

    everything = claims["a"] + claims["b"]
    assert sorted(everything) == sorted(Intent.objects.values_list("pk", flat=True))
    assert Intent.objects.exclude(status=Intent.Status.SUCCEEDED).count() == 0
