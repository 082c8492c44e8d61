"""Writing what a roster file says into the same tables the PowerSchool sync fills, the same way: fingerprinted
batched upserts keyed on the source's ids, counts per entity, and deactivation of what a complete (bulk) file no
longer lists only once the whole set has been read."""

import hashlib

from raptorlink.models import School
from sis_sync.engine.context import SyncContext
from sis_sync.engine.links import RULES
from sis_sync.engine.students import with_search_name
from sis_sync.engine.upsert import Upserter, fingerprint
from sis_sync.models import RosterSource, Section, Source, Term
from sis_sync.rosters.csvfiles import RosterError

KEY_LENGTH = 64
# OneRoster's CEDS grade codes and Clever's grade names, as PowerSchool's grade levels.
GRADE_LEVELS = {
    "IT": -3, "PR": -3, "PS": -2, "InfantToddler": -3, "Preschool": -2, "PreKindergarten": -1, "PK": -1,
    "TK": -1, "TransitionalKindergarten": -1, "KG": 0, "K": 0, "Kindergarten": 0, "13": 13, "PostGraduate": 13,
}  # fmt: skip


def grade_level(text):
    """PowerSchool's grade level for a roster grade ("KG", "01", "Kindergarten", "9"); None when it has none
    (ungraded, other)."""
    if text in GRADE_LEVELS:
        return GRADE_LEVELS[text]
    return int(text) if text.isdecimal() and int(text) <= 12 else None


def compound_key(*parts):
    """One key for a row that a roster file builds from two ids (a guardian of a student, a teacher at a school);
    hashed when the ids are too long to fit side by side."""
    key = "|".join(parts)
    if len(key) <= KEY_LENGTH:
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:KEY_LENGTH]


class RosterWriter:
    """One import's writes: an upserter per entity, the source's keys of what was written, and what a bulk file
    leaves out, deactivated at the end."""

    # Entities a file that lists everything may not leave empty (see deactivate_missing).
    never_all_gone = ("students", "staff")

    def __init__(self, run, source):
        self.run = run
        self.source = source
        self.ctx = SyncContext(run, None, full=True)
        self.district = run.district
        self.settings, _ = RosterSource.objects.get_or_create(district=self.district)
        self._upserters = {}

    def upserter(self, model, entity):
        if entity not in self._upserters:
            options = self.student_upsert() if entity == "students" else {}
            self._upserters[entity] = Upserter(self.ctx, model, entity, source=self.source, **options)
        return self._upserters[entity]

    def add(self, model, entity, key, values):
        self.upserter(model, entity).add(key, values)

    def keys(self, model, entity, *, seen_only):
        """{source key: pk} of the model's rows of this source, once written; with `seen_only`, only rows this
        import listed (a bulk file speaks for everything), else every active row (a delta file adds to them)."""
        upserter = self.upserter(model, entity)
        upserter.flush()
        rows = model.objects.filter(district=self.district, source=self.source)
        if seen_only:
            return {
                key: pk for key, pk in rows.values_list("key", "pk").iterator(chunk_size=5000) if key in upserter.seen
            }
        return dict(rows.filter(active=True).values_list("key", "pk").iterator(chunk_size=5000))

    def deactivate_missing(self, model, entity):
        """After a file that lists everything: deactivate the rows of this source it left out. A file that lists
        no students (or no staff) at all where some are active is an export gone wrong, not a district emptied
        overnight: refused, rather than deactivating everyone."""
        upserter = self.upserter(model, entity)
        upserter.flush()
        stored = model.objects.filter(district=self.district, source=self.source)
        if entity in self.never_all_gone and upserter.processed == 0:
            active = stored.filter(active=True).count()
            if active:
                raise RosterError(
                    f"the import lists no {entity}, so it would deactivate all {active} {entity} RaptorLink has "
                    f"from {Source(self.source).label}. Export the complete roster again; nothing was changed."
                )
        upserter.deactivate_missing(stored)

    def deactivate(self, model, entity, keys):
        """Deactivate now the rows a delta file marked to be deleted."""
        if keys:
            rows = model.objects.filter(district=self.district, source=self.source, key__in=keys, active=True)
            self.ctx.count(entity, "deactivated", rows.update(active=False, synced_at=self.ctx.now))

    def school(self, key, values):
        """Create or update a school found by this source's id (or, the first time, by its school number, so a
        district that moves from the PowerSchool plugin to a roster file keeps its schools' settings); returns
        its pk."""
        schools = School.objects.filter(district=self.district)
        school = schools.filter(source=self.source, key=key).first() or schools.filter(number=values["number"]).first()
        print_ = fingerprint(values)
        if school is None:
            school = School.objects.create(
                district=self.district,
                source=self.source,
                key=key,
                fingerprint=print_,
                synced_at=self.ctx.now,
                **values,
            )
            self.ctx.count("schools", "created")
        elif school.fingerprint != print_ or not school.active or school.key != key:
            schools.filter(pk=school.pk).update(
                source=self.source, key=key, active=True, fingerprint=print_, synced_at=self.ctx.now, **values
            )
            self.ctx.count("schools", "updated")
        else:
            self.ctx.count("schools", "unchanged")
        return school.pk

    def school_keys(self):
        schools = School.objects.filter(district=self.district, source=self.source, active=True)
        return dict(schools.values_list("key", "pk"))

    def deactivate_schools_now(self, keys):
        """Deactivate the schools a delta file marked to be deleted."""
        if keys:
            schools = School.objects.filter(district=self.district, source=self.source, key__in=keys, active=True)
            self.ctx.count("schools", "deactivated", schools.update(active=False, synced_at=self.ctx.now))

    def term_dates(self):
        """{term key: (first day, last day)} of this source's terms, once written."""
        self.upserter(Term, "terms").flush()
        terms = Term.objects.filter(district=self.district, source=self.source)
        return {key: (first, last) for key, first, last in terms.values_list("key", "first_day", "last_day")}

    def section_term_dates(self, key):
        section = Section.objects.filter(district=self.district, source=self.source, key=key, term__isnull=False)
        return section.values_list("term__first_day", "term__last_day").first()

    def deactivate_schools(self, keep_pks):
        gone = School.objects.filter(district=self.district, source=self.source, active=True).exclude(pk__in=keep_pks)
        self.ctx.deactivate_later(School, "schools", list(gone.values_list("pk", flat=True)))

    def finish(self):
        for upserter in self._upserters.values():
            upserter.finish()
        self.ctx.deactivate_gone()
        self.ctx.save_issues()
        return self.ctx.counts

    def student_upsert(self):
        """A student's local fields (the preferred name) are kept, and so are the ids a PowerSchool sync or a
        write-back linked them to (what the identifier rule leaves empty), while the student still carries what
        they were linked by."""
        linked_by = RULES[self.settings.identifier_rule].field
        linked = tuple(name for name in ("ps_id", "dcid") if name != linked_by)

        def derive(values, existing):
            still = existing is not None and existing[linked_by] == values[linked_by]
            return {
                **with_search_name(values, existing),
                **{name: existing[name] if still else None for name in linked},
            }

        return {"keep": ("preferred_name", *dict.fromkeys((linked_by, *linked))), "derive": derive}

    def student_ids(self, row, record_id_column, number_column):
        """{"dcid": STUDENTS.DCID} or {"ps_id": STUDENTS.ID}, as the district's identifier rule finds them in a
        student's row; nothing for the student number rule."""
        rule, field = self.settings.identifier_rule, self.settings.identifier_field
        if rule == RosterSource.IdentifierRule.STUDENT_NUMBER:
            return {}
        column = record_id_column if field == RosterSource.IdentifierField.RECORD_ID else number_column
        meaning = "STUDENTS.DCID" if rule == RosterSource.IdentifierRule.DCID else "STUDENTS.ID"
        number = row.whole_number(
            column,
            required=True,
            meaning=f"a PowerSchool {meaning} (a whole number), which the district's roster source settings say "
            f"this column holds; change “what that field holds” there if the district has not mapped it",
        )
        return {"dcid": number} if rule == RosterSource.IdentifierRule.DCID else {"ps_id": number}
