"""The outbox: intents are recorded in the caller's transaction, claimed by drainers, and finished or retried.

A drainer claims rows with a lease: a row is `sending` until the lease runs out (its drainer renews it while the
intent is in flight), so a crashed worker's rows come back by themselves. Only the earliest unfinished intent of a student and day is claimable, which applies one
student's events of a day in the order they happened, whatever the number of drainers.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_q.tasks import async_task

from writeback.models import Attempt, Intent

logger = logging.getLogger(__name__)

# A drain renews its leases every third of this while their intents are in flight (drainer.RENEW_EVERY_SECONDS):
# a slow call keeps its claim, and a dead drain's intents are taken over within this time.
LEASE = timedelta(seconds=30)
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0
# "unknown" retries on its own, but an answer PowerSchool keeps giving is not going to change.
MAX_UNKNOWN_ATTEMPTS = 8
DRAIN_TASK = "writeback.tasks.drain"
# The outbox owns retries: a failed drain task is acknowledged, never redelivered by django-q2.
DRAIN_TASK_OPTIONS = {"ack_failure": True, "group": "writeback", "task_name": "writeback drain"}
UNFINISHED = (Intent.Status.PENDING, Intent.Status.SENDING)
WAITING_FOR_A_PERSON = (Intent.Status.FAILED, Intent.Status.CONFLICT, Intent.Status.SKIPPED)


# --- recording ------------------------------------------------------------------------------------


def record_intent(**fields):
    """Create an intent in the current transaction (a repeated `idempotency_key` returns the existing row)
    and ask django-q2 to drain as soon as the transaction commits."""
    existing = Intent.objects.filter(idempotency_key=fields["idempotency_key"]).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            leave_earlier_day(fields)
            intent = Intent.objects.create(**fields)
    except IntegrityError:
        # Another request recorded the same key between our look and our insert.
        return Intent.objects.get(idempotency_key=fields["idempotency_key"])
    drain_after_commit()
    return intent


def leave_earlier_day(fields):
    """An edit that moves an event to another date also takes it off the date it was on: a void intent for that
    day brings PowerSchool's record of it back to the day's other events (or to what it held before us)."""
    if fields.get("operation", Intent.Operation.WRITE) != Intent.Operation.WRITE:
        return
    previous = Intent.objects.filter(student=fields["student"], event_ref=fields["event_ref"]).order_by("-id").first()
    if previous is None or previous.operation != Intent.Operation.WRITE or previous.att_date == fields["att_date"]:
        return
    copied = {field.name: getattr(previous, field.name) for field in Intent._meta.fields if field.name in fields}
    Intent.objects.create(
        **{
            **copied,
            "operation": Intent.Operation.VOID,
            "idempotency_key": f"{fields['idempotency_key']}:off {previous.att_date.isoformat()}",
        }
    )


def drain_soon():
    async_task(DRAIN_TASK, q_options=dict(DRAIN_TASK_OPTIONS))


def drain_after_commit():
    """Have a drain run once the current transaction commits.

    With django-q2's ORM broker the queue is a table of this same database, so the task row is written inside the
    transaction and becomes visible with the intent, or rolls back with it: one write per sign-in instead of two,
    which matters on SQLite, where twenty kiosks at 8:05 take turns for the one write lock. Other brokers are
    asked after the commit, as a worker must not look for the intent before it is there."""
    if connection.in_atomic_block and settings.Q_CLUSTER.get("orm") == connection.alias:
        drain_soon()
    else:
        transaction.on_commit(drain_soon)


# --- claiming -------------------------------------------------------------------------------------


def claim_due(worker, limit=20, now=None):
    """Lease up to `limit` due intents to `worker`; returns them in creation order."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return _claim_skip_locked(worker, limit, now)
    return _claim_conditionally(worker, limit, now)


def _claimable(now):
    earlier_unfinished = Intent.objects.filter(
        student=OuterRef("student"), att_date=OuterRef("att_date"), status__in=UNFINISHED, id__lt=OuterRef("id")
    )
    due = Q(status=Intent.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Intent.Status.SENDING, lease_until__lt=now
    )
    return Intent.objects.filter(due).exclude(Exists(earlier_unfinished)).order_by("id")


def _lease(worker, now):
    return {"status": Intent.Status.SENDING, "lease_until": now + LEASE, "leased_by": worker}


def _claim_conditionally(worker, limit, now):
    claimed = []
    for candidate in _claimable(now).values("id", "status", "attempts")[: limit * 2]:
        won = (
            _claimable(now)
            .filter(id=candidate["id"], status=candidate["status"], attempts=candidate["attempts"])
            .update(attempts=candidate["attempts"] + 1, **_lease(worker, now))
        )
        if won:
            claimed.append(candidate["id"])
        if len(claimed) == limit:
            break
    return _claimed(claimed)


def _claim_skip_locked(worker, limit, now):
    with transaction.atomic():
        rows = _claimable(now).select_for_update(skip_locked=True, of=("self",))[:limit]
        ids = [row.id for row in rows.only("id")]
        Intent.objects.filter(id__in=ids).update(attempts=F("attempts") + 1, **_lease(worker, now))
    return _claimed(ids)


def _claimed(ids):
    """The claimed rows with what the engine reads of them, so a drainer need not read them again."""
    if not ids:
        return []  # a drain with room looks every few milliseconds; most looks find nothing
    rows = Intent.objects.filter(id__in=ids).select_related("district__powerschool", "school__district", "student")
    return list(rows.order_by("id"))


def leases_renew(intent_ids, worker, now=None):
    """Extend the worker's leases on intents it still has in flight; returns how many it still held (another
    worker may have taken one over after its lease ran out)."""
    now = now or timezone.now()
    held = Intent.objects.filter(id__in=list(intent_ids), status=Intent.Status.SENDING, leased_by=worker)
    return held.update(lease_until=now + LEASE)


# --- finishing ------------------------------------------------------------------------------------


def attempt_record(intent, *, started_at, request, status_code, response_excerpt, outcome, category=""):
    """Keep one try for the log: what was sent (never a token), what came back, how long it took."""
    elapsed = timezone.now() - started_at
    return Attempt.objects.create(
        intent=intent,
        started_at=started_at,
        duration_ms=max(0, int(elapsed.total_seconds() * 1000)),
        request=request,
        status_code=status_code,
        response_excerpt=response_excerpt[:2000],
        outcome=outcome,
        category=category,
    )


def _finish(intent, worker, **changes):
    """Save the outcome only while the worker still holds the lease: a worker whose lease ran out and whose
    row was taken over must not overwrite the newer outcome."""
    changes.setdefault("lease_until", None)
    changes.setdefault("leased_by", "")
    held = Intent.objects.filter(id=intent.id, status=Intent.Status.SENDING, leased_by=worker)
    saved = held.update(**changes)
    if saved:
        for field, value in changes.items():
            setattr(intent, field, value)
    return bool(saved)


def intent_succeed(intent, worker, *, written, prior, mode, status=Intent.Status.SUCCEEDED, hint=""):
    return _finish(
        intent,
        worker,
        status=status,
        written=written,
        prior=prior,
        mode=mode,
        category="",
        hint=hint,
        error="",
        finished_at=timezone.now(),
    )


def intent_skip(intent, worker, hint):
    return _finish(intent, worker, status=Intent.Status.SKIPPED, hint=hint, finished_at=timezone.now())


def intent_fail(intent, worker, failure, *, status=Intent.Status.FAILED, mode=None):
    """Park the intent for a person (failed or conflict), with the category and the fix."""
    changes = {
        "status": status,
        "category": failure.category,
        "hint": failure.hint,
        "error": failure.error,
        "finished_at": timezone.now(),
    }
    if mode:
        changes["mode"] = mode
    return _finish(intent, worker, **changes)


def intent_retry_later(intent, worker, failure, *, now=None, jitter=random.random):
    """Put the intent back in the queue after a backoff (PowerSchool's Retry-After when it gave one)."""
    now = now or timezone.now()
    return _finish(
        intent,
        worker,
        status=Intent.Status.PENDING,
        category=failure.category,
        hint=failure.hint,
        error=failure.error,
        next_attempt_at=now + retry_delay(intent.attempts, failure.retry_after, jitter),
    )


def retry_delay(attempts, retry_after=None, jitter=random.random):
    """2 s × 2^(n−1), capped at 10 minutes, half of it random so drainers that failed together spread out."""
    if retry_after is not None:
        return timedelta(seconds=min(BACKOFF_CAP_SECONDS, max(0.0, retry_after)))
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=ceiling / 2 + jitter() * ceiling / 2)


def gives_up(intent, failure):
    """Whether a failure ends the intent instead of scheduling another try."""
    if not failure.retryable:
        return True
    return failure.category == "unknown" and intent.attempts >= MAX_UNKNOWN_ATTEMPTS


# --- people ----------------------------------------------------------------------------------------


def retry_intents(ids, user):
    """Put failed, conflicting or skipped intents back in the queue (after someone fixed the cause);
    returns how many. A retried conflict writes RaptorLink's version over PowerSchool's."""
    now = timezone.now()
    retried = Intent.objects.filter(id__in=ids, status__in=WAITING_FOR_A_PERSON).update(
        status=Intent.Status.PENDING,
        next_attempt_at=now,
        finished_at=None,
        resolved_by=user,
        resolved_at=now,
    )
    if retried:
        transaction.on_commit(drain_soon)
    logger.info("%s retried %d write-backs", user, retried)
    return retried


def mark_resolved(ids, user):
    """Record that a person dealt with failed or conflicting intents themselves; returns how many."""
    resolved = Intent.objects.filter(id__in=ids, status__in=WAITING_FOR_A_PERSON, resolved_at__isnull=True)
    return resolved.update(resolved_by=user, resolved_at=timezone.now())
