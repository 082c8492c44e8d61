"""Importing one roster set for one district: all of it or nothing, recorded as a SyncRun like a PowerSchool sync."""

import logging
from contextlib import suppress
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from raptorlink.models import District
from sis_sync.engine.runner import start_run
from sis_sync.models import RosterSource, Source, SyncRun
from sis_sync.rosters.clever import import_clever
from sis_sync.rosters.csvfiles import RosterError, RosterFiles
from sis_sync.rosters.oneroster import import_oneroster
from sis_sync.rosters.records import RosterWriter

logger = logging.getLogger(__name__)
IMPORTERS = {Source.ONEROSTER: import_oneroster, Source.CLEVER: import_clever}
ROSTER_SOURCES = tuple(IMPORTERS)


class DryRunFinished(Exception):
    """Raised to roll a dry run's writes back once everything has been read and counted."""


@dataclass
class RosterImport:
    run: SyncRun
    notes: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def succeeded(self):
        return self.run.status == SyncRun.Status.SUCCEEDED


def roster_import(district, source, path, *, dry_run=False, trigger="command"):
    """Import the roster set at `path` (a folder or a zip) from `source` into `district`. A set that breaks a
    rule imports nothing: the run is marked failed with the file, row and column. A dry run reads, checks and
    counts everything, then rolls it all back and records no run."""
    owner_check(district, source)
    notes = []
    with RosterFiles(path) as files:
        run = _new_run(district, source, trigger, dry_run)
        if run.status == SyncRun.Status.SKIPPED:
            return RosterImport(run, notes, dry_run)
        try:
            _import(run, source, files, notes, dry_run)
        except RosterError as error:
            _finish(run, SyncRun.Status.FAILED, f"Nothing was imported: {error}", notes, dry_run)
        except Exception:
            logger.exception("The %s import of %s failed", source, district)
            _finish(run, SyncRun.Status.FAILED, "Nothing was imported: the import stopped on an error.", notes, dry_run)
            raise
    return RosterImport(run, notes, dry_run)


def owner_check(district, source):
    settings, _ = RosterSource.objects.get_or_create(district=district)
    if settings.owner != source:
        raise RosterError(
            f"{district.name}'s roster comes from {settings.get_owner_display()}, not {Source(source).label}: "
            f"change “roster comes from” in its roster source settings before importing a {Source(source).label} set."
        )


def _new_run(district, source, trigger, dry_run):
    """A full run to begin with: a OneRoster set turns out to be a delta once its manifest has been read."""
    kind = SyncRun.Kind.FULL
    if dry_run:
        return SyncRun(district=district, kind=kind, trigger=trigger, source=source, started_at=timezone.now())
    run = start_run(district, kind, trigger)
    run.source = source
    run.save(update_fields=["source"])
    return run


def _import(run, source, files, notes, dry_run):
    # A dry run raises DryRunFinished inside the transaction to roll its writes back.
    with suppress(DryRunFinished), transaction.atomic():
        writer = RosterWriter(run, source)
        if IMPORTERS[source](writer, files, notes):
            run.kind = SyncRun.Kind.DELTA
        run.counts = writer.finish()
        if dry_run:
            raise DryRunFinished
    _finish(run, SyncRun.Status.SUCCEEDED, "", notes, dry_run)
    if not dry_run:
        District.objects.filter(pk=run.district_id).update(last_sync_succeeded_at=run.finished_at)


def _finish(run, status, message, notes, dry_run):
    run.status = status
    run.finished_at = timezone.now()
    run.message = "\n".join(part for part in (message, *notes) if part)
    if status == SyncRun.Status.FAILED:
        run.error_category = "unknown"
        run.counts = {}
    if not dry_run:
        run.save()
