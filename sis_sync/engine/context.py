"""What every part of one sync run shares: the run, the client, the clock, the counts and the issues."""

import zoneinfo

from django.utils import timezone

from sis_sync.engine.lookups import Lookups
from sis_sync.engine.upsert import empty_counts
from sis_sync.engine.writes import INLINE
from sis_sync.models import SyncIssue

ISSUE_BATCH = 500
DEACTIVATE_BATCH = 1000


class InvalidRecord(Exception):
    """A record RaptorLink cannot take; the run records why and goes on."""


class SyncContext:
    """One run's shared state. `full` says whether this pass sees everything (and may deactivate); `legacy`
    that PowerSchool predates the contact tables (12.0); `roster`, in a district whose roster comes from
    elsewhere, how its students are linked to PowerSchool's (links.RosterLinks); `writes`, how batches are
    written (writes.py)."""

    def __init__(self, run, client, *, full, legacy=False, progress=None, now=None, roster=None, writes=INLINE):
        self.run = run
        self.district = run.district
        self.client = client
        self.full = full
        self.legacy = legacy
        self.progress = progress
        self.roster = roster
        self.writes = writes
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now, timezone=zoneinfo.ZoneInfo(self.district.time_zone))
        self.counts = {}
        # Per-run values read from PowerSchool once (e.g. course names).
        self.memo = {}
        self._issues = []
        self._gone = []
        self._lookups = Lookups(self.district)

    def lookup(self, name):
        """{PowerSchool reference: local pk} for `name` (see lookups.LOADERS)."""
        return self._lookups.get(name)

    def forget(self, *names):
        """Drop lookups and memos that a pull just made stale."""
        self._lookups.forget(*names)
        for name in names:
            self.memo.pop(name, None)

    def deactivate_later(self, model, entity, pks):
        """Rows gone from PowerSchool are deactivated only when the run gets to its end, so a run that fails
        halfway deactivates nothing."""
        if pks:
            self._gone.append((model, entity, pks))

    def deactivate_gone(self):
        for model, entity, pks in self._gone:
            for start in range(0, len(pks), DEACTIVATE_BATCH):
                model.objects.filter(pk__in=pks[start : start + DEACTIVATE_BATCH]).update(
                    active=False, synced_at=self.now
                )
            self.count(entity, "deactivated", len(pks))
        self._gone = []

    def count(self, entity, outcome, amount=1):
        if amount:
            counts = self.counts.setdefault(entity, empty_counts())
            counts[outcome] += amount

    def issue(self, entity, key, message, data=None):
        """Record a record that failed; the caller leaves it out and goes on."""
        self.count(entity, "failed")
        self._issues.append(
            SyncIssue(run=self.run, entity=entity, record_key=str(key or "")[:64], message=message, data=excerpt(data))
        )
        if len(self._issues) >= ISSUE_BATCH:
            self.save_issues()

    def save_issues(self):
        SyncIssue.objects.bulk_create(self._issues)
        self._issues = []

    def report(self, entity, processed, message=""):
        if self.progress is not None:
            self.progress(entity, processed, message)


def excerpt(data):
    """The record as received, trimmed so one odd record cannot bloat the issue table."""
    values = {key: value if isinstance(value, int | bool | None) else str(value) for key, value in (data or {}).items()}
    return {key: value[:200] if isinstance(value, str) else value for key, value in list(values.items())[:40]}
