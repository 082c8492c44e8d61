"""Sign-ins, write-backs and sync runs made with the ORM at chosen times, for the dashboard's figures."""

import itertools
from datetime import datetime, timedelta

from kiosk.models import EventKind, EventSource, StudentEvent, UnrecordedSignIn
from sis_sync.models import ENTITIES, SyncRun
from tests.kiosk.synced import add_reason
from tests.writeback.log_rows import add_intent
from writeback.models import Intent

# A Wednesday morning in Lincoln's zone (America/Chicago, UTC-5 in October).
NOW = datetime.fromisoformat("2026-10-14T10:00:00-05:00")
_keys = itertools.count(1)


def at(hours_ago=0, minutes_ago=0, days_ago=0):
    return NOW - timedelta(days=days_ago, hours=hours_ago, minutes=minutes_ago)


def local(clock, days_ago=0):
    """A time on Lincoln's clock today (or `days_ago` days before), e.g. local("08:15")."""
    hour, minute = map(int, clock.split(":"))
    return (NOW - timedelta(days=days_ago)).replace(hour=hour, minute=minute)


def add_event(student, occurred_at, *, kind=EventKind.LATE_CHECK_IN, source=EventSource.KIOSK, active=True):
    reason = add_reason(student.district, f"Reason {next(_keys)}", kind=kind)
    return StudentEvent.objects.create(
        kind=kind,
        district=student.district,
        student=student,
        building=student.school.building,
        school=student.school,
        occurred_at=occurred_at,
        reason=reason,
        source=source,
        active=active,
    )


def add_unrecorded(building, *, resolved=False):
    return UnrecordedSignIn.objects.create(
        building=building,
        student_id_typed="999999",
        kind=EventKind.LATE_CHECK_IN,
        occurred_at=NOW,
        problem="No student with that number is enrolled.",
        idempotency_key=f"unrecorded-{next(_keys)}",
        resolved_at=NOW if resolved else None,
    )


def add_written(student, created_at, *, seconds=None, status=Intent.Status.SUCCEEDED):
    """An intent created at `created_at`; a succeeded one finished `seconds` later."""
    intent = add_intent(student, status=status, occurred_at=created_at)
    finished_at = created_at + timedelta(seconds=seconds or 0) if status != Intent.Status.PENDING else None
    Intent.objects.filter(pk=intent.pk).update(created_at=created_at, finished_at=finished_at)
    return intent


def add_run(district, started_at, *, kind=SyncRun.Kind.FULL, status=SyncRun.Status.SUCCEEDED, counts=None, **fields):
    return SyncRun.objects.create(
        district=district,
        kind=kind,
        trigger="schedule",
        status=status,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=2),
        counts=counts if counts is not None else {entity: {"unchanged": 10} for entity in ENTITIES},
        **fields,
    )
