"""Linking a roster district's students to PowerSchool's, so they carry STUDENTS.ID and STUDENTS.DCID.

In a district whose roster comes from Clever or OneRoster, students are the roster's rows; PowerSchool's CC rows
(Meeting mode), attendance and the visible SIS id all need STUDENTS.ID. The district's identifier rule says what
the roster carried: the DCID (the ID is found by it), the ID (the DCID is found by it) or only the student number
(both are found by it, when exactly one PowerSchool student has it). A full pass reads three columns of
PowerSchool's students table, page by page, and links a batch of roster students per batch of rows; a delta pass
looks up only the roster students not linked yet (new ones, or ones PowerSchool did not know last time).
"""

from dataclasses import dataclass
from itertools import groupby

from raptorlink.powerschool.client import PLAIN_VALUE
from raptorlink.powerschool.errors import UnexpectedResponseError
from sis_sync.engine.keys import KeySet
from sis_sync.engine.prefetch import prefetched
from sis_sync.engine.pull import any_of
from sis_sync.engine.upsert import update_rows
from sis_sync.models import RosterSource, Source, Student

ENTITY = "student_links"
BATCH = 1000
# Values per `q` of a delta pass's look-ups, as the client's rows_by_keys asks.
KEYS_PER_QUERY = 200
STUDENT_COLUMNS = ("pk", "key", "first_name", "last_name", "student_number", "ps_id", "dcid")


@dataclass(frozen=True)
class LinkRule:
    """How a roster student is found among PowerSchool's: `column` of the students table matched against the
    Student's `field`; `unlinked` is the Student field that stays empty until a link fills it."""

    column: str
    field: str
    unlinked: str
    label: str


RULES = {
    RosterSource.IdentifierRule.DCID: LinkRule("dcid", "dcid", "ps_id", "DCID"),
    RosterSource.IdentifierRule.ID: LinkRule("id", "ps_id", "dcid", "ID"),
    RosterSource.IdentifierRule.STUDENT_NUMBER: LinkRule("student_number", "student_number", "ps_id", "student number"),
}


@dataclass(frozen=True)
class RosterLinks:
    """A roster district's students (`source`) and how they are linked to PowerSchool's (`rule`)."""

    source: str
    rule: LinkRule

    def students(self, district):
        return Student.objects.filter(district=district, source=self.source, active=True)


def roster_links(district):
    """How `district`'s roster students are linked to PowerSchool's; None when PowerSchool syncs its students."""
    settings = RosterSource.objects.filter(district=district).first()
    if settings is None or settings.owner == Source.POWERSCHOOL:
        return None
    return RosterLinks(settings.owner, RULES[settings.identifier_rule])


# --- full pass ------------------------------------------------------------------------------------------


def link_everyone(ctx, roster):
    """Link every active roster student from a read of PowerSchool's whole students table."""
    ctx.report(ENTITY, 0, "started")
    rule, seen, batch, processed = roster.rule, KeySet(), {}, 0
    # Sorted by student number, the students sharing a number come together (the rule needs all of them).
    sort = rule.column if rule.column == "student_number" else None
    for value, rows in _groups(prefetched(ctx.client.student_keys(sort=sort)), rule, seen):
        batch[value] = rows
        if len(batch) >= BATCH:
            processed += len(_link(ctx, roster, batch))
            ctx.report(ENTITY, processed)
            batch = {}
    processed += len(_link(ctx, roster, batch))
    _unknown_to_powerschool(ctx, roster, seen)
    _finish(ctx, processed)


def _groups(rows, rule, seen):
    """(value, rows) for each value of the rule's column, in the order PowerSchool lists them."""
    for value, group in groupby((row for row in rows if row[rule.column] not in (None, "")), _value_of(rule)):
        if not seen.add(value) and rule.column == "student_number":
            raise UnexpectedResponseError(
                "PowerSchool did not list table students in order of STUDENT_NUMBER, as RaptorLink asked",
                path="/ws/schema/table/students",
            )
        yield value, list(group)


def _value_of(rule):
    if rule.column == "student_number":
        return lambda row: row["student_number"].strip()
    return lambda row: row[rule.column]


def _unknown_to_powerschool(ctx, roster, seen):
    rule = roster.rule
    students = roster.students(ctx.district).order_by("pk").values_list(*STUDENT_COLUMNS)
    for student in students.iterator(chunk_size=5000):
        value = _roster_value(rule, student)
        if value not in seen:
            _failed(ctx, student, f"PowerSchool has no student with {rule.label} {value}.")


# --- delta pass -----------------------------------------------------------------------------------------


def link_unlinked(ctx, roster):
    """Link the active roster students not linked yet, looking only them up in PowerSchool; returns the
    STUDENTS.IDs of those now linked."""
    rule, after, processed, linked = roster.rule, 0, 0, []
    unlinked = roster.students(ctx.district).filter(**{f"{rule.unlinked}__isnull": True}).order_by("pk")
    while chunk := list(unlinked.filter(pk__gt=after).values_list(*STUDENT_COLUMNS)[:KEYS_PER_QUERY]):
        after = chunk[-1][0]
        if not processed:
            ctx.report(ENTITY, 0, "started")
        values = {_roster_value(rule, student) for student in chunk}
        looked_at = _link(ctx, roster, _looked_up(ctx, rule, values))
        linked += [ps_id for ps_id in looked_at if ps_id is not None]
        processed += len(looked_at)
        ctx.report(ENTITY, processed)
    if processed:
        _finish(ctx, processed)
    return linked


def _looked_up(ctx, rule, values):
    """{value: PowerSchool's rows with it} for `values`; a value PowerSchool's query language would misread is
    not asked for and finds nothing."""
    asked = sorted(value for value in values if rule.column != "student_number" or PLAIN_VALUE.fullmatch(value))
    found = {value: [] for value in values}
    if asked:
        for row in ctx.client.student_keys(any_of(rule.column, asked)):
            found.setdefault(_value_of(rule)(row), []).append(row)
    return found


# --- both -----------------------------------------------------------------------------------------------


def _link(ctx, roster, found):
    """Give the roster students whose value `found` lists ({value: PowerSchool rows}) the one PowerSchool
    student's ID and DCID; returns, per roster student looked at, the STUDENTS.ID this linked it to (None when
    the link was already right or could not be made)."""
    if not found:
        return []
    rule = roster.rule
    students = roster.students(ctx.district).filter(**{f"{rule.field}__in": list(found)})
    by_value = {}
    for student in students.values_list(*STUDENT_COLUMNS):
        by_value.setdefault(_roster_value(rule, student), []).append(student)
    changed, looked_at = [], []
    for value, sharing in by_value.items():
        rows = found.get(value, [])
        problem = _problem(rule, value, rows, sharing)
        if problem:
            for student in sharing:
                _failed(ctx, student, problem, rows)
            looked_at += [None] * len(sharing)
            continue
        pk, *_, ps_id, dcid = sharing[0]
        if (ps_id, dcid) == (rows[0]["id"], rows[0]["dcid"]):
            ctx.count(ENTITY, "unchanged")
            looked_at.append(None)
        else:
            changed.append((rows[0]["id"], rows[0]["dcid"], pk))
            looked_at.append(rows[0]["id"])
    update_rows(Student, ["ps_id", "dcid"], changed)
    ctx.count(ENTITY, "updated", len(changed))
    return looked_at


def _problem(rule, value, rows, sharing):
    """Why the roster students `sharing` a value cannot be linked to PowerSchool's `rows` with it, or ""."""
    if not rows:
        if rule.column == "student_number" and not PLAIN_VALUE.fullmatch(value):
            return (
                f"The student number {value!r} cannot be looked up in PowerSchool: it holds characters "
                "PowerSchool's query language reserves."
            )
        return f"PowerSchool has no student with {rule.label} {value}."
    if len(rows) > 1:
        return (
            f"PowerSchool has {len(rows)} students with {rule.label} {value} (IDs "
            f"{', '.join(str(row['id']) for row in rows)}): RaptorLink cannot tell which one this student is."
        )
    if len(sharing) > 1:
        return (
            f"{len(sharing)} students of the roster carry {rule.label} {value}: RaptorLink cannot tell which one "
            "PowerSchool's is."
        )
    return ""


def _roster_value(rule, student):
    value = student[STUDENT_COLUMNS.index(rule.field)]
    return value.strip() if isinstance(value, str) else value


def _failed(ctx, student, problem, rows=()):
    _pk, key, first, last, number, ps_id, dcid = student
    data = {"student_number": number, "ps_id": ps_id, "dcid": dcid, "powerschool_ids": [row["id"] for row in rows]}
    ctx.issue(ENTITY, key, f"{last}, {first} (student number {number}) was not linked: {problem}", data)


def _finish(ctx, processed):
    ctx.forget("student", "student_dcid")
    ctx.report(ENTITY, processed, "finished")
