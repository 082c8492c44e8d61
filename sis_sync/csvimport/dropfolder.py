"""The scheduled import from a district's drop folder, where its CSV files arrive over SFTP.

Files are imported by the kind their name starts with (students*.csv, contacts*.csv, staff*.csv; students first,
as contacts point at them), each all or nothing and recorded as a SyncRun with source CSV, then moved into
processed/ or failed/ beside a .log saying what happened. A file changed in the last minute may still be arriving
and waits for the next run. A pass with a failed file e-mails the district's sync contacts once per incident; the
next pass whose files all import announces the recovery.
"""

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from sis_sync.csvimport.formats import KINDS
from sis_sync.csvimport.service import csv_import
from sis_sync.management.commands.sync_powerschool import summary_table
from sis_sync.models import CsvDropFolder
from sis_sync.notify import notify_drop_folder_outcome
from sis_sync.rosters.csvfiles import RosterError

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 60
PROCESSED, FAILED, WAITING = "processed", "failed", "waiting"


@dataclass
class Delivery:
    """What became of one delivered file: filed in processed/ or failed/ (with its log), or left to settle."""

    name: str
    outcome: str
    summary: str
    errors: list = field(default_factory=list)
    error_count: int = 0
    log: Path = None
    run: object = None

    @property
    def failed(self):
        return self.outcome == FAILED

    @property
    def imported(self):
        return self.outcome == PROCESSED

    def line(self):
        if self.outcome == WAITING:
            return f"{self.name}: left for the next run ({self.summary})"
        return f"{self.name}: {self.outcome} — {self.summary}"


def drop_root():
    return Path(settings.CSV_DROP_ROOT)


def folder_path(folder):
    """The drop folder's path: a folder of the root's own, never a link to another (another district's, say);
    a RosterError otherwise."""
    root = drop_root().resolve()
    path = root / folder
    if not folder or path.is_symlink() or path.resolve().parent != root:
        raise RosterError(f"“{folder}” is not a folder of the CSV drop root's own.")
    return path


def kind_of(name):
    lowered = name.lower()
    return next((kind for kind in KINDS if lowered.startswith(kind) and lowered.endswith(".csv")), None)


def drop_folder_task(district_id):
    """What the schedule runs: import what the district's drop folder holds, tell the district's contacts when a
    file failed or when imports work again; returns one line per file."""
    drop = CsvDropFolder.objects.select_related("district").filter(district_id=district_id, enabled=True).first()
    if drop is None:
        return []
    deliveries = drop_folder_import(drop)
    notify_drop_folder_outcome(drop.district, deliveries)
    return [delivery.line() for delivery in deliveries]


def drop_folder_import(drop):
    """Import and file away each settled file of the drop folder; returns a Delivery per file."""
    try:
        path = folder_path(drop.folder)
    except RosterError as error:
        logger.error("The CSV drop folder of %s is not imported: %s", drop.district, error)
        return []
    if not path.is_dir() or linked_filing(path):
        return []
    # A link delivered into the folder is never followed: it could name any file the server may read.
    arrived = [
        entry
        for entry in path.iterdir()
        if entry.is_file() and not entry.is_symlink() and not entry.name.endswith(".log")
    ]
    settled = [entry for entry in arrived if time.time() - entry.stat().st_mtime >= SETTLE_SECONDS]
    order = {kind: index for index, kind in enumerate(KINDS)}
    settled.sort(key=lambda entry: (order.get(kind_of(entry.name), len(KINDS)), entry.name))
    return [file_import(drop.district, entry, drop.mode) for entry in settled]


def linked_filing(path):
    """Whether processed/ or failed/ is a link (filing files through it would move them anywhere); logged."""
    linked = [path / where for where in (PROCESSED, FAILED) if (path / where).is_symlink()]
    for link in linked:
        logger.error("The CSV drop folder %s is not imported: %s is a link", path, link.name)
    return bool(linked)


def file_import(district, path, mode):
    """Import one delivered file and file it away with its log; returns its Delivery."""
    kind = kind_of(path.name)
    if kind is None:
        problem = (f"{path.name} was not imported: a file's name must start with students, contacts or staff and "
                   "end with .csv, to say what it holds.")  # fmt: skip
        return _file_away(Delivery(path.name, FAILED, problem, [problem], 1), path, problem)
    try:
        result = csv_import(district, kind, path, mode=mode, trigger="drop folder", name=path.name)
    except RosterError as error:
        problem = f"{path.name} was not imported: {error}"
        return _file_away(Delivery(path.name, FAILED, problem, [str(error)], 1), path, problem)
    run = result.run
    if result.skipped:
        return Delivery(path.name, WAITING, run.message, run=run)
    outcome = "imported" if result.succeeded else "not imported"
    headline = f"{path.name} ({kind}, {mode}) {outcome}."
    log = "\n".join(part for part in (headline, summary_table(run), run.message) if part)
    where = PROCESSED if result.succeeded else FAILED
    findings = result.findings
    errors = [str(error) for error in findings.errors]
    delivery = Delivery(path.name, where, headline, errors, findings.error_count, run=run)
    return _file_away(delivery, path, log)


def _file_away(delivery, path, log):
    folder = path.parent / delivery.outcome
    folder.mkdir(exist_ok=True)
    # Districts deliver the same name every night: the time keeps each delivery and its log apart.
    stamped = f"{timezone.now():%Y%m%dT%H%M%S}-{path.name}"
    path.rename(folder / stamped)
    delivery.log = folder / f"{stamped}.log"
    delivery.log.write_text(log + "\n", encoding="utf-8")
    return delivery
