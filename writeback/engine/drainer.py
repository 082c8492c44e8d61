"""Drain the outbox: claim due intents, apply many at once, and record every attempt and its outcome.

A hosted PowerSchool answers each call in 100–400 ms, so a drain keeps up to WRITEBACK_CONCURRENCY intents in
flight, each on a thread of the drain's own: the engine and the client are synchronous Django and requests code,
and a thread waiting for PowerSchool's answer holds nothing the others need. The outbox keeps the rules whatever
the number of drains and threads: claims are leased and exclusive, and only the earliest unfinished intent of a
student's day is claimable, so a student-day is never in flight twice and its intents go in order. While intents
are in flight their drain renews their leases, so a slow call never loses its claim; a drain that dies leaves
leases that run out, and another drain takes its intents over.
"""

import logging
import os
import socket
import time
import uuid

from django.conf import settings
from django.db import connection
from django.utils import timezone

from raptorlink.powerschool.errors import PowerSchoolError
from writeback import outbox
from writeback.engine.apply import Trace, intent_apply
from writeback.engine.clients import shared_client
from writeback.engine.lookups import Lookups
from writeback.engine.runners import Inline, Threads
from writeback.errors import WRITEBACK_OFF, WritebackProblem, classify
from writeback.models import Intent
from writeback.notify import notify_after_drain

logger = logging.getLogger(__name__)

# A drain task hands over to the next one rather than hold a worker forever under a steady stream.
MAX_DRAIN_SECONDS = 240
# How often a drain with room looks for newly due intents, and how often it renews its leases.
LOOK_SECONDS = 0.05
RENEW_EVERY_SECONDS = outbox.LEASE.total_seconds() / 3
# Synced facts (calendar, codes) are read again this often, so a long drain sees what the next sync brings.
LOOKUPS_MAX_AGE_SECONDS = 30.0
NOTIFY_EVERY_SECONDS = 5.0


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Clients:
    """One client per district for the length of a drain (for callers that make their own, like the tests)."""

    def __init__(self, client_for):
        self.client_for = client_for
        self.by_district = {}

    def get(self, district):
        if district.pk not in self.by_district:
            self.by_district[district.pk] = self.client_for(district)
        return self.by_district[district.pk]


def drain(worker=None, *, client_for=None, concurrency=None, max_seconds=MAX_DRAIN_SECONDS, linger=0.0):
    """Apply due intents until none is due or in flight (or `max_seconds` passed); returns how many were
    processed. With `linger`, a drain that had work waits that many seconds for more before it ends, so a
    steady trickle of sign-ins is picked up at once instead of through the task queue."""
    worker = worker or worker_name()
    # The kept clients follow changes of the district's settings at once; a caller's own last for this drain.
    client_of = Clients(client_for).get if client_for else shared_client
    concurrency = concurrency or settings.WRITEBACK_CONCURRENCY
    runner = Threads(concurrency) if concurrency > 1 and threads_see_commits() else Inline()
    with runner:
        return Drain(worker, client_of, runner, max_seconds, linger).run()


def threads_see_commits():
    """Whether other connections see this one's work: not inside a transaction, nor in SQLite's in-memory
    database (the test suite's), which only its own connection sees."""
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


class Drain:
    """One drain's loop: claim while there is room, collect what finished, renew the leases of what is in
    flight, and tell districts about failures now and then."""

    def __init__(self, worker, client_of, runner, max_seconds, linger):
        self.worker, self.client_of, self.runner, self.linger = worker, client_of, runner, linger
        self.deadline = time.monotonic() + max_seconds
        self.in_flight = set()
        self.processed = 0
        self.last_renewal = self.last_notice = self.lookups_made = time.monotonic()
        # A drain that found nothing to do hands its worker back at once; only one that had work lingers.
        self.last_work = -float("inf")
        self.lookups = Lookups()
        self.districts_to_check = set()

    def run(self):
        while True:
            claimed = self.claim_more() if time.monotonic() < self.deadline else 0
            self.collect(self.runner.finished(LOOK_SECONDS if self.in_flight else 0))
            self.renew_leases()
            self.notify(force=False)
            if self.in_flight or claimed:
                continue
            if not self.waits_for_more():
                break
            time.sleep(LOOK_SECONDS)
        self.notify(force=True)
        return self.processed

    def claim_more(self):
        room = self.runner.size - len(self.in_flight)
        if room <= 0:
            return 0
        batch = outbox.claim_due(self.worker, room)
        lookups = self.current_lookups()
        for intent in batch:
            self.in_flight.add(intent.id)
            self.runner.submit(intent.id, lambda intent=intent: intent_process(intent, self.worker, self, lookups))
        if batch:
            self.last_work = time.monotonic()
        return len(batch)

    def collect(self, finished):
        for intent_id, district_id in finished:
            self.in_flight.discard(intent_id)
            if district_id is not None:
                self.districts_to_check.add(district_id)
            self.processed += 1
            self.last_work = time.monotonic()

    def renew_leases(self):
        if self.in_flight and time.monotonic() - self.last_renewal >= RENEW_EVERY_SECONDS:
            outbox.leases_renew(self.in_flight, self.worker)
            self.last_renewal = time.monotonic()

    def notify(self, *, force):
        """Failures keep piling up (or stop) as intents finish; tell the district soon, not on every intent."""
        if self.districts_to_check and (force or time.monotonic() - self.last_notice >= NOTIFY_EVERY_SECONDS):
            notify_after_drain(self.districts_to_check)
            self.districts_to_check = set()
            self.last_notice = time.monotonic()

    def waits_for_more(self):
        now = time.monotonic()
        return now < self.deadline and now - self.last_work < self.linger

    def current_lookups(self):
        if time.monotonic() - self.lookups_made >= LOOKUPS_MAX_AGE_SECONDS:
            self.lookups, self.lookups_made = Lookups(), time.monotonic()
        return self.lookups

    def client(self, district):
        return self.client_of(district)


def intent_process(intent, worker, drain, lookups):
    """Apply one claimed intent and record the outcome; returns its district. While the lease holds, nobody else
    changes the row, so it is as the claim read it; a worker that lost its lease saves nothing."""
    started_at = timezone.now()
    trace = Trace()
    if not intent.school.effective_writeback_enabled:
        outbox.intent_skip(intent, worker, WRITEBACK_OFF)
        _attempt(intent, started_at, trace, Intent.Status.SKIPPED, WRITEBACK_OFF)
        return intent.district_id
    try:
        applied = intent_apply(intent, drain.client(intent.district), trace, lookups)
    except Exception as error:  # every failure is recorded on the intent; none may stop the drain
        intent_failed(intent, worker, error, started_at, trace)
        return intent.district_id
    outbox.intent_succeed(intent, worker, written=applied.written, prior=applied.prior, mode=applied.mode)
    _attempt(intent, started_at, trace, Intent.Status.SUCCEEDED, trace.answer)
    return intent.district_id


def intent_failed(intent, worker, error, started_at, trace):
    if not isinstance(error, (PowerSchoolError, WritebackProblem)):
        logger.exception("Write-back of intent %s failed unexpectedly", intent.pk)
    failure = classify(error)
    mode = intent.school.effective_attendance_mode
    if failure.category == "conflict":
        outcome = Intent.Status.CONFLICT
        outbox.intent_fail(intent, worker, failure, status=outcome, mode=mode)
    elif outbox.gives_up(intent, failure):
        outcome = Intent.Status.FAILED
        outbox.intent_fail(intent, worker, failure, mode=mode)
    else:
        outcome = Intent.Status.PENDING
        outbox.intent_retry_later(intent, worker, failure)
    trace.status_code = failure.status_code
    _attempt(intent, started_at, trace, outcome, failure.error, failure.category)


def _attempt(intent, started_at, trace, outcome, excerpt, category=""):
    outbox.attempt_record(
        intent,
        started_at=started_at,
        request=trace.request,
        status_code=trace.status_code,
        response_excerpt=excerpt,
        outcome=outcome,
        category=category,
    )
