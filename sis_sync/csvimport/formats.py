"""The three CSV templates for people not in the SIS: their columns, which are required, and how a header is
checked. docs/csv-import.md describes them for districts; docs/csv-templates/ holds an example of each."""

import difflib

from sis_sync.rosters.csvfiles import RosterError

STUDENTS, CONTACTS, STAFF = "students", "contacts", "staff"
KINDS = (STUDENTS, CONTACTS, STAFF)
ADD, FULL = "add", "full"
MODES = (ADD, FULL)

# Columns in the templates' order; True marks a required column.
COLUMNS = {
    STUDENTS: {
        "student_number": True,
        "first_name": True,
        "last_name": True,
        "school_number": True,
        "middle_name": False,
        "grade": False,
        "state_number": False,
        "entry_date": False,
        "exit_date": False,
        "phone": False,
    },
    CONTACTS: {
        "contact_id": True,
        "student_number": True,
        "first_name": True,
        "last_name": True,
        "relationship": False,
        "phone": False,
        "phone_type": False,
        "email": False,
        "priority": False,
        "custodial": False,
        "emergency": False,
        "may_pick_up": False,
        "lives_with": False,
        "receives_mail": False,
    },
    STAFF: {
        "staff_id": True,
        "first_name": True,
        "last_name": True,
        "email": False,
        "title": False,
        "teacher_number": False,
        "school_numbers": False,
    },
}


def required_columns(kind):
    return [column for column, required in COLUMNS[kind].items() if required]


def header_check(kind, notes):
    """A header check for `kind`: every required column present, no column the template does not know (a typo
    would otherwise drop a column's data silently). Columns may come in any order: they are read by name, and a
    note says which ones moved."""
    known = list(COLUMNS[kind])

    def check(name, header):
        unknown = [column for column in header if column not in COLUMNS[kind]]
        if unknown and len(unknown) == len(header):
            raise RosterError(
                f"no column of the {kind} template is in the first row, which must be the header "
                f"({', '.join(known)}); is this a {kind} file, and does it have its header?",
                file=name,
                row=1,
            )
        problems = [_unknown_problem(kind, column) for column in unknown]
        missing = [column for column in required_columns(kind) if column not in header]
        if missing:
            problems.append(f"the header lacks the required column{'s' * (len(missing) > 1)} {_quoted(missing)}")
        if problems:
            raise RosterError(f"{'; '.join(problems)}. The {kind} columns are: {', '.join(known)}.", file=name, row=1)
        template_order = [column for column in known if column in header]
        moved = [column for column, expected in zip(header, template_order, strict=True) if column != expected]
        if moved:
            notes.append(f"{name}: the columns {_quoted(moved)} are in another order than the template's; "
                         "they were read by their names.")  # fmt: skip

    return check


def _unknown_problem(kind, column):
    close = difflib.get_close_matches(column.lower().replace(" ", "_"), COLUMNS[kind], n=1, cutoff=0.6)
    hint = f" (did you mean “{close[0]}”?)" if close else ""
    return f"the header has a column “{column}” that the {kind} template does not know{hint}"


def _quoted(columns):
    return ", ".join(f"“{column}”" for column in columns)
