"""A sync run's life: refuse to overlap another, choose full or delta, run the passes, record the outcome.

A run that cannot finish (PowerSchool down, credentials revoked) is marked failed with PowerSchool's
category and a plain-language hint, and deactivates nothing: only a full pass that got to its end
deactivates what PowerSchool no longer has.
"""

import gc
import logging
import sys
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from raptorlink.models import District, PowerSchoolConnection
from raptorlink.powerschool import PowerSchoolClient
from raptorlink.powerschool.errors import AuthError, PowerSchoolError
from sis_sync.engine.context import InvalidRecord, SyncContext
from sis_sync.engine.links import roster_links
from sis_sync.engine.passes import delta_pass, full_pass, student_pass
from sis_sync.engine.writes import run_writes
from sis_sync.models import ENTITIES, SyncRun, SyncSettings

logger = logging.getLogger(__name__)

# The plugin's application name for data-version pulls (Plugin Management → the RaptorLink plugin).
DATA_VERSION_APPLICATION = "RaptorLink"
# A run still "running" after this long died with its process; a new run marks it failed and goes ahead.
STALE_AFTER = timedelta(hours=2)
# New container objects between two collections of the youngest generation while a sync runs (Python: 700).
SYNC_GC_THRESHOLD = 100_000
# How long a thread keeps the GIL once another asks for it, during a sync, in seconds (Python: 0.005).
SYNC_SWITCH_INTERVAL = 0.0005
Kind, Status = SyncRun.Kind, SyncRun.Status


def start_run(district, kind, trigger):
    """A new running SyncRun, or a skipped one when another run of the district is under way."""
    now = timezone.now()
    with transaction.atomic():
        # Serialises run starts of one district on PostgreSQL; SQLite serialises every write anyway.
        District.objects.select_for_update().filter(pk=district.pk).exists()
        running = SyncRun.objects.filter(district=district, status=Status.RUNNING)
        running.filter(started_at__lt=now - STALE_AFTER).update(
            status=Status.FAILED,
            finished_at=now,
            error_category="unknown",
            message="This run stopped without finishing (its process ended); a later run took over.",
        )
        busy = running.filter(started_at__gte=now - STALE_AFTER).exclude(kind=Kind.SPOT).first()
        if busy is not None and kind != Kind.SPOT:
            return SyncRun.objects.create(
                district=district,
                kind=kind,
                trigger=trigger,
                status=Status.SKIPPED,
                started_at=now,
                finished_at=now,
                message=f"Skipped: the {busy.get_kind_display().lower()} sync that started at "
                f"{timezone.localtime(busy.started_at):%H:%M} is still running.",
            )
        return SyncRun.objects.create(district=district, kind=kind, trigger=trigger, started_at=now)


def client_for(district):
    try:
        connection = district.powerschool
    except PowerSchoolConnection.DoesNotExist:
        raise AuthError(
            "RaptorLink has no PowerSchool connection for this district",
            hint="Enter the PowerSchool URL, client ID and client secret in PowerSchool Setup.",
        ) from None
    return PowerSchoolClient(connection)


def execute(run, client=None, *, entities=None, progress=None, student=None, everything=ENTITIES):
    """Run the passes of `run` and record how it went; returns the run. Without a `client`, one is made from
    the district's connection, asking for the largest pages the plugin allows. `everything` is what the
    district's PowerSchool sync is responsible for: a run that pulls all of it is complete (the next delta
    starts from its data version)."""
    entities = [entity for entity in ENTITIES if entities is None or entity in entities]
    complete = student is None and entities == [entity for entity in ENTITIES if entity in everything]
    try:
        own_client = client is None
        client = client or client_for(run.district)
        with counting_requests(client, run), fewer_garbage_collections(), quicker_thread_switches():
            if own_client:
                client.use_largest_pages()
            _run_passes(run, client, entities, progress, student, complete)
    except (PowerSchoolError, InvalidRecord) as error:
        _fail(run, error)
    except Exception as error:
        logger.exception("Sync run %s of %s failed", run.pk, run.district)
        _fail(run, error)
    return run


def _run_passes(run, client, entities, progress, student, complete):
    metadata = client.metadata()
    full = run.kind in (Kind.FULL, Kind.MANUAL)
    roster = roster_links(run.district)
    settings, _ = SyncSettings.objects.get_or_create(district=run.district)
    # A delta or a one-student pass writes a few batches: not worth the writers' own connections.
    with run_writes(background=full and student is None) as writes:
        legacy = not metadata.has_contacts_api
        ctx = SyncContext(run, client, full=full, legacy=legacy, progress=progress, roster=roster, writes=writes)
        try:
            if student is not None:
                student_pass(ctx, **student)
                version = None
            else:
                version = _sync(ctx, settings, metadata, entities)
            writes.wait()
            ctx.deactivate_gone()
        finally:
            ctx.save_issues()
            run.counts = ctx.counts
    _succeed(run, settings, version, complete=complete)


def _sync(ctx, settings, metadata, entities):
    """A delta pass when PowerSchool can tell what changed since a known version, else a full pass; returns
    the data version the next delta starts from (None when PowerSchool has none)."""
    since = int(settings.data_version) if settings.data_version.isdigit() else 0
    delta_possible = metadata.has_data_version and since > 0
    if ctx.run.kind == Kind.DELTA and delta_possible:
        changes = ctx.client.changed_records(DATA_VERSION_APPLICATION, since)
        delta_pass(ctx, entities, changes.tables)
        return changes.version
    if ctx.run.kind == Kind.DELTA:
        ctx.run.kind = Kind.FULL
        ctx.run.message = "PowerSchool could not say what changed since the last sync, so this was a full sync."
        ctx.full = True
    # Taken before pulling, so changes made while the pass runs are picked up by the next delta.
    version = ctx.client.data_version(DATA_VERSION_APPLICATION, since) if metadata.has_data_version else None
    full_pass(ctx, entities)
    return version


def _succeed(run, settings, version, *, complete):
    run.status = Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    if complete:
        if version is not None:
            settings.data_version = str(version)
            settings.save(update_fields=["data_version"])
        District.objects.filter(pk=run.district_id).update(last_sync_succeeded_at=run.finished_at)
        run.district.last_sync_succeeded_at = run.finished_at


def _fail(run, error):
    hint = getattr(error, "hint", "")
    run.status = Status.FAILED
    run.finished_at = timezone.now()
    run.error_category = getattr(error, "category", "unknown")
    run.message = f"The sync stopped: {error}" + (f" {hint}" if hint else "")
    run.save()


@contextmanager
def counting_requests(client, run):
    """Count every HTTP answer the client gets into `run.requests` (pages are fetched ahead on a thread)."""
    lock = threading.Lock()

    def count(response, *args, **kwargs):
        with lock:
            run.requests += 1

    hooks = client.session.http.hooks["response"]
    hooks.append(count)
    try:
        yield
    finally:
        hooks.remove(count)


@contextmanager
def fewer_garbage_collections():
    """Look for reference cycles less often while a sync runs. A sync allocates millions of short-lived rows
    and keeps hundreds of thousands of objects for a table's length (keys seen, lookups, contact maps); at
    Python's default the collector's full passes over all of them took a quarter of a sync's CPU time. A
    sync makes little cyclic garbage, and what it makes is still collected, a little later."""
    thresholds = gc.get_threshold()
    gc.set_threshold(SYNC_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def quicker_thread_switches():
    """Hand the GIL over sooner while a sync runs. The threads that download the next pages need it back after
    every socket read, and the main thread after every row SQLite stores; at Python's default each waited up to
    5 ms every time for the other, busy thread, and a page took three times as long to arrive as without a sync
    running beside it."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SYNC_SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
