"""Drain the outbox: claim due intents, apply each, and record the attempt and its outcome.

Any number of drainers may run at once (django-q2 workers, `manage.py drain_writebacks`): claims are leased and
exclusive, and a student's intents of one day are claimable one at a time, in order.
"""

import logging
import os
import socket
import time
import uuid

from django.utils import timezone

from raptorlink.models import PowerSchoolConnection
from raptorlink.powerschool import PowerSchoolClient
from raptorlink.powerschool.errors import AuthError, PowerSchoolError
from writeback import outbox
from writeback.engine.apply import Trace, intent_apply
from writeback.engine.lookups import Lookups
from writeback.errors import WRITEBACK_OFF, WritebackProblem, classify
from writeback.models import Intent
from writeback.notify import notify_after_drain

logger = logging.getLogger(__name__)

BATCH = 20
# A drain task hands over to the next one rather than hold a worker forever under a steady stream.
MAX_DRAIN_SECONDS = 240


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def powerschool_client(district):
    try:
        connection = district.powerschool
    except PowerSchoolConnection.DoesNotExist:
        raise AuthError(
            "RaptorLink has no PowerSchool connection for this district",
            hint="Enter the PowerSchool URL, client ID and client secret in PowerSchool Setup.",
        ) from None
    return PowerSchoolClient(connection)


class Clients:
    """One client per district for the length of a drain: its token and version are fetched once."""

    def __init__(self, client_for):
        self.client_for = client_for
        self.by_district = {}

    def get(self, district):
        if district.pk not in self.by_district:
            self.by_district[district.pk] = self.client_for(district)
        return self.by_district[district.pk]


def drain(worker=None, *, client_for=None, limit=BATCH, max_seconds=MAX_DRAIN_SECONDS):
    """Process due intents until none is due (or `max_seconds` passed); returns how many were processed."""
    worker = worker or worker_name()
    clients = Clients(client_for or powerschool_client)
    started = time.monotonic()
    processed = 0
    while time.monotonic() - started < max_seconds:
        batch = outbox.claim_due(worker, limit)
        if not batch:
            break
        # A batch's students share schools and days; the next batch reads them again, as a sync may have run.
        lookups = Lookups()
        for intent in batch:
            intent_process(intent, worker, clients, lookups)
        processed += len(batch)
        # Failures keep piling up (or stop) batch by batch; tell the district as soon as either happens.
        notify_after_drain({intent.district_id for intent in batch})
    return processed


def intent_process(intent, worker, clients, lookups):
    """Apply one claimed intent and record the outcome; does nothing if the worker lost its lease. While the
    lease holds, nobody else changes the row, so it is as the claim read it."""
    if not outbox.lease_renew(intent.id, worker):
        return
    started_at = timezone.now()
    trace = Trace()
    if not intent.school.effective_writeback_enabled:
        outbox.intent_skip(intent, worker, WRITEBACK_OFF)
        _attempt(intent, started_at, trace, Intent.Status.SKIPPED, WRITEBACK_OFF)
        return
    try:
        applied = intent_apply(intent, clients.get(intent.district), trace, lookups)
    except Exception as error:  # every failure is recorded on the intent; none may stop the drain
        intent_failed(intent, worker, error, started_at, trace)
        return
    outbox.intent_succeed(intent, worker, written=applied.written, prior=applied.prior, mode=applied.mode)
    _attempt(intent, started_at, trace, Intent.Status.SUCCEEDED, trace.answer)


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
