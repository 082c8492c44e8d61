"""The scheduled import from a district's drop folder, where its CSV files arrive over SFTP.

Files are imported by the kind their name starts with (students*.csv, contacts*.csv, staff*.csv; students first,
as contacts point at them), each all or nothing and recorded as a SyncRun with source CSV, then moved into
processed/ or failed/ beside a .log saying what happened. A file changed in the last minute may still be arriving
and waits for the next run.
"""

import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from sis_sync.csvimport.formats import KINDS
from sis_sync.csvimport.service import csv_import
from sis_sync.management.commands.sync_powerschool import summary_table
from sis_sync.models import CsvDropFolder
from sis_sync.rosters.csvfiles import RosterError

SETTLE_SECONDS = 60
PROCESSED, FAILED = "processed", "failed"


def drop_root():
    return Path(getattr(settings, "CSV_DROP_ROOT", settings.VAR_DIR / "csv-drop"))


def folder_path(folder):
    """The drop folder's path inside the root; a RosterError when the name would lead outside it."""
    root = drop_root().resolve()
    path = (root / folder).resolve()
    if not folder or path == root or root not in path.parents:
        raise RosterError(f"“{folder}” is not a folder name inside the CSV drop root.")
    return path


def kind_of(name):
    lowered = name.lower()
    return next((kind for kind in KINDS if lowered.startswith(kind) and lowered.endswith(".csv")), None)


def drop_folder_task(district_id):
    """What the schedule runs: import what the district's drop folder holds; returns one line per file."""
    drop = CsvDropFolder.objects.select_related("district").filter(district_id=district_id, enabled=True).first()
    if drop is None:
        return []
    return drop_folder_import(drop)


def drop_folder_import(drop):
    path = folder_path(drop.folder)
    if not path.is_dir():
        return []
    arrived = [entry for entry in path.iterdir() if entry.is_file() and not entry.name.endswith(".log")]
    settled = [entry for entry in arrived if time.time() - entry.stat().st_mtime >= SETTLE_SECONDS]
    order = {kind: index for index, kind in enumerate(KINDS)}
    settled.sort(key=lambda entry: (order.get(kind_of(entry.name), len(KINDS)), entry.name))
    return [file_import(drop.district, entry, drop.mode) for entry in settled]


def file_import(district, path, mode):
    """Import one delivered file and file it away with its log; returns a line saying how it went."""
    kind = kind_of(path.name)
    if kind is None:
        log = (f"{path.name} was not imported: a file's name must start with students, contacts or staff and end "
               "with .csv, to say what it holds.")  # fmt: skip
        return _file_away(path, FAILED, log)
    try:
        result = csv_import(district, kind, path, mode=mode, trigger="drop folder", name=path.name)
    except RosterError as error:
        return _file_away(path, FAILED, f"{path.name} was not imported: {error}")
    if result.skipped:
        return f"{path.name}: left for the next run ({result.run.message})"
    run = result.run
    outcome = "imported" if result.succeeded else "not imported"
    log = "\n".join(
        part for part in (f"{path.name} ({kind}, {mode}) {outcome}.", summary_table(run), run.message) if part
    )
    return _file_away(path, PROCESSED if result.succeeded else FAILED, log)


def _file_away(path, where, log):
    folder = path.parent / where
    folder.mkdir(exist_ok=True)
    # Districts deliver the same name every night: the time keeps each delivery and its log apart.
    stamped = f"{timezone.now():%Y%m%dT%H%M%S}-{path.name}"
    path.rename(folder / stamped)
    (folder / f"{stamped}.log").write_text(log + "\n", encoding="utf-8")
    return f"{path.name}: {where} — {log.splitlines()[0]}"
