"""Importing one CSV file of students, contacts or staff into a district: all of it or nothing.

The whole file is read and written inside one transaction; any error rolls everything back, and every error
found (up to a cap) is reported with its file, row and column. A dry run (the admin preview) does the same work
and rolls back at the end, so what it reports is exactly what applying the file would do. A real import is
recorded as a SyncRun with source CSV.
"""

import logging
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from sis_sync.csvimport.findings import Findings
from sis_sync.csvimport.formats import ADD, FULL, KINDS, MODES, header_check
from sis_sync.csvimport.kinds import IMPORTS
from sis_sync.engine.runner import start_run
from sis_sync.engine.students import STUDENT_UPSERT
from sis_sync.engine.upsert import Upserter
from sis_sync.models import Contact, Source, Staff, Student, SyncRun
from sis_sync.rosters.csvfiles import RosterError, read_rows
from sis_sync.rosters.records import RosterWriter
from sis_sync.rosters.service import DryRunFinished

logger = logging.getLogger(__name__)
MAIN_MODEL = {"students": Student, "contacts": Contact, "staff": Staff}


class SingleFile:
    """One CSV file, opened the way csvfiles reads the files of a roster set."""

    def __init__(self, path, name=None):
        self.path = Path(path)
        self.name = name or self.path.name
        if not self.path.is_file():
            raise RosterError(f"There is no file {self.path}.")

    def open_binary(self, name):
        return open(self.path, "rb")


@dataclass
class CsvImport:
    district: object
    kind: str
    mode: str
    take_over: bool
    dry_run: bool
    findings: Findings = field(default_factory=Findings)
    notes: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    rows: int = 0
    run: SyncRun = None

    @property
    def skipped(self):
        return self.run is not None and self.run.status == SyncRun.Status.SKIPPED

    @property
    def succeeded(self):
        return not self.findings.failed and not self.skipped

    def summary(self):
        """{outcome: total over the file's entities}: what the preview's headline says."""
        totals = dict.fromkeys(("created", "updated", "unchanged", "deactivated"), 0)
        for counts in self.counts.values():
            for outcome in totals:
                totals[outcome] += counts.get(outcome, 0)
        return totals

    def plan(self):
        """What applying would do, comparable between the preview and the apply: counts, SIS rows, changes."""
        findings = self.findings
        return {
            "counts": self.counts,
            "sis_rows": [(row.row, row.label, row.taken_over) for row in findings.sis_rows],
            "changes": [(change.action, change.entity, change.key) for change in findings.changes],
        }


class CsvWriter(RosterWriter):
    # A file without rows is refused by _import itself, with a message naming the file.
    never_all_gone = ()

    def __init__(self, run, findings):
        self.findings = findings
        super().__init__(run, Source.CSV)

    def upserter(self, model, entity):
        if entity not in self._upserters:
            options = STUDENT_UPSERT if entity == "students" else {}
            self._upserters[entity] = Upserter(
                self.ctx, model, entity, source=Source.CSV, on_change=self._noter(entity), **options
            )
        return self._upserters[entity]

    def _noter(self, entity):
        """Notes a sample of the records the import creates and updates, for the preview."""

        def note(action, key, values):
            self.findings.change(action, entity, key, _label(values, key))

        return note


def csv_import(district, kind, path, *, mode=ADD, take_over=False, dry_run=False, trigger="command", name=None):
    """Import the CSV file at `path` (shown as `name`) as `kind` into `district`; see the module's docstring."""
    if kind not in KINDS:
        raise RosterError(f"“{kind}” is not a kind of CSV import; choose one of {', '.join(KINDS)}.")
    if mode not in MODES:
        raise RosterError(f"“{mode}” is not an import mode; choose {ADD} (the file adds and updates) or {FULL} "
                          "(the file lists everyone, and the CSV records it leaves out are deactivated).")  # fmt: skip
    file = SingleFile(path, name)
    result = CsvImport(district, kind, mode, take_over, dry_run)
    result.run = _new_run(district, mode, trigger, dry_run)
    if result.skipped:
        return result
    try:
        _import(result, file)
    except RosterError as error:
        result.findings.error(error)
    except Exception:
        logger.exception("The CSV import of %s into %s failed", file.name, district)
        result.findings.error(RosterError("the import stopped on an unexpected error; nothing was imported."))
        _finish(result)
        raise
    _finish(result)
    return result


def _new_run(district, mode, trigger, dry_run):
    kind = SyncRun.Kind.FULL if mode == FULL else SyncRun.Kind.DELTA
    if dry_run:
        return SyncRun(district=district, kind=kind, trigger=trigger, source=Source.CSV, started_at=timezone.now())
    run = start_run(district, kind, trigger)
    run.source = Source.CSV
    run.save(update_fields=["source"])
    return run


def _import(result, file):
    # A dry run (or a file with errors) raises DryRunFinished inside the transaction to roll its writes back.
    with suppress(DryRunFinished), transaction.atomic():
        writer = CsvWriter(result.run, result.findings)
        kind_import = IMPORTS[result.kind](
            writer, result.findings, file.name, mode=result.mode, take_over=result.take_over
        )
        check = header_check(result.kind, result.notes)
        kind_import.run(read_rows(file, file.name, check, notes=result.notes))
        result.rows = kind_import.rows
        if not kind_import.rows and not result.findings.failed:
            raise RosterError("the file has its header but no rows; nothing to import.", file=file.name)
        if result.findings.failed:
            raise DryRunFinished
        result.counts = writer.finish()
        _note_deactivated(result, writer)
        if result.dry_run:
            raise DryRunFinished


def _note_deactivated(result, writer):
    """Name the records this import deactivated, while its transaction can still see them."""
    model = MAIN_MODEL[result.kind]
    gone = model.objects.filter(district=result.district, source=Source.CSV, active=False, synced_at=writer.ctx.now)
    for record in gone.order_by("pk")[:50]:
        result.findings.change("deactivated", result.kind, record.key, str(record))


def _finish(result):
    run = result.run
    run.finished_at = timezone.now()
    if result.findings.failed:
        run.status, run.error_category, run.counts = SyncRun.Status.FAILED, "unknown", {}
        message = ["Nothing was imported:", *result.findings.error_lines()]
    else:
        run.status, run.counts = SyncRun.Status.SUCCEEDED, result.counts
        message = []
    if result.findings.sis_row_count:
        message.append(sis_rows_sentence(result))
    run.message = "\n".join([*message, *result.notes])
    if not result.dry_run:
        run.save()


def sis_rows_sentence(result):
    count = result.findings.sis_row_count
    rows = f"{count} row{'s' * (count != 1)}"
    if result.take_over:
        return f"{rows} matched records owned by the SIS, which this import took over."
    return f"{rows} matched records owned by the SIS and were left alone (take them over to change them)."


def _label(values, key):
    name = " ".join(part for part in (values.get("first_name"), values.get("last_name")) if part)
    return f"{name} ({key})" if name else str(key)
