"""What an import of one CSV file found: its errors (every one, up to a cap), the rows that match records owned by
the SIS, and samples of what it creates, updates and deactivates, for the preview and the run's message."""

from dataclasses import dataclass, field

from sis_sync.rosters.csvfiles import RosterError

# Past this many, errors are counted but not kept: a file with a shifted column would otherwise list every row.
ERROR_CAP = 200
SAMPLE_CAP = 50


@dataclass
class Change:
    action: str  # created, updated, deactivated
    entity: str
    key: str
    label: str


@dataclass
class SisRow:
    row: int
    label: str
    owner: str
    taken_over: bool


@dataclass
class Findings:
    errors: list = field(default_factory=list)
    error_count: int = 0
    sis_rows: list = field(default_factory=list)
    sis_row_count: int = 0
    changes: list = field(default_factory=list)
    change_count: int = 0

    def error(self, error):
        self.error_count += 1
        if len(self.errors) < ERROR_CAP:
            self.errors.append(error)

    def sis_row(self, row, label, owner, *, taken_over):
        self.sis_row_count += 1
        if len(self.sis_rows) < SAMPLE_CAP:
            self.sis_rows.append(SisRow(row, label, owner, taken_over))

    def change(self, action, entity, key, label):
        self.change_count += 1
        if len(self.changes) < SAMPLE_CAP:
            self.changes.append(Change(action, entity, key, label))

    @property
    def failed(self):
        return self.error_count > 0

    def error_lines(self):
        lines = [str(error) for error in self.errors]
        if self.error_count > len(self.errors):
            lines.append(f"… and {self.error_count - len(self.errors):,} more errors.")
        return lines


class Cells:
    """A row's cells read with every problem collected, so a row with three mistakes gets three messages."""

    def __init__(self, row, findings):
        self.row = row
        self.findings = findings
        self.ok = True

    def read(self, method, column, *args, **options):
        try:
            return getattr(self.row, method)(column, *args, **options)
        except RosterError as error:
            self.findings.error(error)
            self.ok = False
            return None

    def fail(self, column, message):
        self.findings.error(self.row.error(column, message))
        self.ok = False
