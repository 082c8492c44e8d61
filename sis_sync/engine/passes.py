"""What a full pass, a delta pass and a one-student pass pull, entity by entity in ENTITIES order."""

from raptorlink.powerschool.client import student_columns
from sis_sync.engine import calendar, codes, schedules, staff, students
from sis_sync.engine.calendar import sync_years
from sis_sync.engine.contacts import ContactTables, FullReads, LegacyContacts
from sis_sync.engine.context import InvalidRecord
from sis_sync.engine.links import link_everyone, link_unlinked
from sis_sync.engine.prefetch import background_reads
from sis_sync.engine.pull import pull_changed, pull_everything, take_rows
from sis_sync.engine.schools import sync_schools
from sis_sync.models import Enrollment, Source, Student

GROUPS = {
    "calendar": calendar.PULLS,
    "staff": staff.PULLS,
    "students": [students.PULL],
    "sections": schedules.PULLS,
    "enrollments": [schedules.ENROLLMENTS],
    "attendance_codes": [codes.PULL],
}


# --- full -----------------------------------------------------------------------------------------------


def full_pass(ctx, entities):
    if ctx.roster is not None:
        # Before sections and enrollments, which reach the roster's students through the links.
        link_everyone(ctx, ctx.roster)
    with background_reads(2) as read:
        # The contact tables are read from the start, while the entities before them are written.
        contact_reads = FullReads(ctx, read) if "contacts" in entities and not ctx.legacy else None
        for entity in entities:
            if entity == "schools":
                sync_schools(ctx)
            elif entity == "contacts":
                _all_contacts(ctx, contact_reads)
            else:
                for pull in GROUPS[entity]:
                    pull_everything(ctx, pull)


def _all_contacts(ctx, reads):
    if ctx.legacy:
        sync = LegacyContacts(ctx)
        sync.take_students(ctx.client.student_rows(legacy_contacts=True))
    else:
        sync = ContactTables(ctx, reads.labels)
        sync.take_everything(reads)
    sync.finish(full=True)


# --- delta ----------------------------------------------------------------------------------------------

PEOPLE_TABLES = ("person", "personphonenumberassoc", "phonenumber", "personemailaddressassoc", "emailaddress")


def delta_pass(ctx, entities, changed):
    """Pull only the rows `changed` ({table: [DCID, …]}) lists; deletions wait for the next full pass. In a
    roster district, the roster's students not linked yet are looked up first, whatever changed, and the
    enrollments of those it links are pulled (PowerSchool may have listed them before the roster had them)."""
    if ctx.roster is not None:
        linked = link_unlinked(ctx, ctx.roster)
        if linked and "enrollments" in entities:
            enrollments = ctx.client.rows_by_keys("cc", "studentid", linked)
            take_rows(ctx, schedules.ENROLLMENTS, enrollments, in_scope=schedules.ENROLLMENTS.in_scope)
    new_students = _not_stored(ctx, changed.get("students", ()))
    for entity in entities:
        if entity == "schools":
            if changed.get("schools"):
                sync_schools(ctx)
        elif entity == "contacts":
            _changed_contacts(ctx, changed, new_students)
        else:
            for pull in GROUPS[entity]:
                if changed.get(pull.table):
                    pull_changed(ctx, pull, changed[pull.table])


def _not_stored(ctx, student_dcids):
    """The DCIDs among `student_dcids` of students RaptorLink does not have yet."""
    stored = Student.objects.filter(district=ctx.district, source=Source.POWERSCHOOL, dcid__in=student_dcids)
    return set(student_dcids) - set(stored.values_list("dcid", flat=True))


def _changed_contacts(ctx, changed, new_students):
    """The contacts and links the contact tables' changes touch. On old PowerSchool versions they are fields of the
    student record: every changed student's are read again. With the contact tables, a changed student's contact
    list is read whole only for a student new to RaptorLink (links listed while the student was not known here
    could not be taken); a renamed or withdrawn student's contacts have not changed unless their tables say so."""
    if ctx.legacy:
        _legacy_contacts_of(ctx, set(changed.get("students", ())))
        return
    students = new_students | _students_of_changed_links(ctx, changed)
    people = _people_of_changed_rows(ctx, changed)
    if students or people:
        sync = ContactTables(ctx)
        sync.take_people(people)
        sync.take_links(ctx.client.rows_by_keys("studentcontactassoc", "studentdcid", students))
        sync.finish(students=students)


def _legacy_contacts_of(ctx, students):
    if students:
        sync = LegacyContacts(ctx)
        columns = student_columns(legacy_contacts=True)
        sync.take_students(ctx.client.rows_by_keys("students", "dcid", students, columns=columns))
        sync.finish(students=students)


def _students_of_changed_links(ctx, changed):
    client = ctx.client
    links = {
        row["studentcontactassocid"]
        for row in client.rows_by_keys("studentcontactdetail", "dcid", changed.get("studentcontactdetail", ()))
    }
    students = {
        row["studentdcid"] for row in client.rows_by_keys("studentcontactassoc", "studentcontactassocid", links)
    }
    students |= {
        row["studentdcid"]
        for row in client.rows_by_keys("studentcontactassoc", "dcid", changed.get("studentcontactassoc", ()))
    }
    return students


def _people_of_changed_rows(ctx, changed):
    client = ctx.client
    people = {row["id"] for row in client.rows_by_keys("person", "dcid", changed.get("person", ()))}
    for links, values, value_key in (
        ("personphonenumberassoc", "phonenumber", "phonenumberid"),
        ("personemailaddressassoc", "emailaddress", "emailaddressid"),
    ):
        people |= {row["personid"] for row in client.rows_by_keys(links, "dcid", changed.get(links, ()))}
        value_ids = {row[value_key] for row in client.rows_by_keys(values, "dcid", changed.get(values, ()))}
        people |= {row["personid"] for row in client.rows_by_keys(links, value_key, value_ids)}
    return people


# --- one student ----------------------------------------------------------------------------------------


def student_pass(ctx, *, student_dcid=None, student_number=None):
    """One student's record, contacts and schedule, complete: links and enrollments gone from PowerSchool are
    deactivated at once, so the front desk never sees a removed guardian."""
    row = _student_row(ctx, student_dcid, student_number)
    take_rows(ctx, students.PULL, [row])
    if ctx.legacy:
        _legacy_contacts_of(ctx, {row["dcid"]})
    else:
        sync = ContactTables(ctx)
        sync.take_links(ctx.client.rows_by_keys("studentcontactassoc", "studentdcid", [row["dcid"]]))
        sync.finish(students={row["dcid"]})
    _student_schedule(ctx, row)
    return row


def _student_row(ctx, student_dcid, student_number):
    q = f"dcid=={int(student_dcid)}" if student_dcid is not None else f"student_number=={student_number}"
    row = next(iter(ctx.client.student_rows(q)), None)
    if row is None:
        which = f"DCID {student_dcid}" if student_dcid is not None else f"student number {student_number}"
        raise InvalidRecord(f"PowerSchool has no student with {which}")
    return row


def _student_schedule(ctx, student):
    years = sync_years(ctx)
    enrollments = [
        row
        for row in ctx.client.table_rows("cc", f"studentid=={student['id']}")
        if abs(row["termid"] or 0) // 100 in years
    ]
    new_sections = {abs(row["sectionid"]) for row in enrollments} - set(ctx.lookup("section"))
    if new_sections:
        take_rows(ctx, schedules.PULLS[0], ctx.client.rows_by_keys("sections", "id", new_sections))
        take_rows(ctx, schedules.PULLS[1], ctx.client.rows_by_keys("section_meeting", "sectionid", new_sections))
    upserter = take_rows(ctx, schedules.ENROLLMENTS, enrollments)
    pk = ctx.lookup("student_dcid").get(student["dcid"])
    scope = Enrollment.objects.filter(district=ctx.district, source=Source.POWERSCHOOL, student_id=pk)
    upserter.deactivate_missing(scope.filter(section__term__year_id__in=years))
