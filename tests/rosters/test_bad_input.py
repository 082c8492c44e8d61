"""Every kind of bad roster file gets a message that names the file, row and column, and imports nothing."""

import pytest

from raptorlink.models import School
from sis_sync.models import Contact, Enrollment, Section, Staff, Student, SyncRun, Term
from sis_sync.rosters.service import roster_import
from tests.rosters.conftest import CLEVER, ONEROSTER_11, roster_from

USERS_HEADER = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName"


def nothing_imported(district):
    models = (School, Student, Staff, Contact, Section, Enrollment, Term)
    return not any(model.objects.filter(district=district).exists() for model in models)


def refused(district, source, path):
    run = roster_import(district, source, path).run
    assert run.status == SyncRun.Status.FAILED
    assert run.message.startswith("Nothing was imported: ")
    assert run.counts == {}
    assert nothing_imported(district)
    return run.message.removeprefix("Nothing was imported: ")


def add_column(text, name):
    header, *rows = text.splitlines()
    return "\n".join([f"{header},{name}", *(f"{row}," for row in rows)]) + "\n"


def saved_as_windows_1252(spoilt, name, old, new):
    spoilt.replace(name, old, new)
    spoilt.write(name, spoilt.text(name), encoding="cp1252")


ONEROSTER_CASES = {
    "an empty file": (
        lambda s: s.write("users.csv", ""),
        "users.csv: the file is empty: it needs at least its header row.",
    ),
    "a wrong header": (
        lambda s: s.replace("users.csv", "givenName,familyName", "firstName,familyName"),
        "users.csv row 1: the header lacks the column “givenName”. The header must be, in this order: " + USERS_HEADER,
    ),
    "reordered columns": (
        lambda s: s.replace("users.csv", "givenName,familyName", "familyName,givenName"),
        "users.csv row 1: the columns are out of order: column 9 is “familyName” where “givenName” belongs.",
    ),
    "an unknown column": (
        lambda s: s.write("orgs.csv", add_column(s.text("orgs.csv"), "nickname")),
        "orgs.csv row 1: the header has an unknown column “nickname”.",
    ),
    "a repeated sourcedId": (
        lambda s: s.append("users.csv", s.text("users.csv").splitlines()[1]),
        "users.csv row 12, column sourcedId: “5001” appears twice in users.csv; every sourcedId must be unique.",
    ),
    "an enrollment in a class the set does not have": (
        lambda s: s.append("enrollments.csv", "en-9,,,cl-missing,org-lhs,5001,student,false,,"),
        "enrollments.csv row 10, column classSourcedId: “cl-missing” is not in classes.csv "
        "(an enrollment needs its class).",
    ),
    "an enrollment of a user the set does not have": (
        lambda s: s.append("enrollments.csv", "en-9,,,cl-bio-3,org-lhs,5999,student,false,,"),
        "enrollments.csv row 10, column userSourcedId: “5999” is not a student in users.csv "
        "(an enrollment needs its user).",
    ),
    "a user of an org the set does not have": (
        lambda s: s.replace("users.csv", "5004,,,true,org-lms", "5004,,,true,org-xyz"),
        "users.csv row 5, column orgSourcedIds: “org-xyz” is not in orgs.csv.",
    ),
    "a guardian the set does not have": (
        lambda s: s.replace("users.csv", ",g-7001,10,", ",g-9999,10,"),
        "users.csv row 2, column agentSourcedIds: “g-9999” is not a guardian, parent or relative in users.csv.",
    ),
    "a class in a term the set does not have": (
        lambda s: s.replace("classes.csv", "org-lhs,as-2027-s1,", "org-lhs,as-2031,"),
        "classes.csv row 2, column termSourcedIds: “as-2031” is not in academicSessions.csv.",
    ),
    "a bad date": (
        lambda s: s.replace("academicSessions.csv", "2026-08-17", "2026-13-01"),
        "academicSessions.csv row 2, column startDate: “2026-13-01” is not a date (YYYY-MM-DD).",
    ),
    "a birth date written the American way": (
        lambda s: s.replace("demographics.csv", "2010-03-14", "03/14/2010"),
        "demographics.csv row 2, column birthDate: “03/14/2010” is not a date (YYYY-MM-DD).",
    ),
    "a session that ends before it starts": (
        lambda s: s.replace("academicSessions.csv", "2026-12-18", "2026-08-01"),
        "academicSessions.csv row 3, column endDate: the session ends (2026-08-01) before it starts (2026-08-17).",
    ),
    "a delta row in a bulk file": (
        lambda s: s.replace("users.csv", "5002,,,", "5002,tobedeleted,2026-09-01T08:00:00Z,"),
        "users.csv row 3, column status: the manifest declares this file bulk, so status must be empty "
        "(bulk and delta rows cannot be mixed), not “tobedeleted”.",
    ),
    "bulk rows in a file declared delta": (
        lambda s: s.replace("manifest.csv", "file.users,bulk", "file.users,delta"),
        "users.csv row 2, column status: the manifest declares this file delta, so every row needs a status, "
        "active or tobedeleted (bulk and delta rows cannot be mixed).",
    ),
    "a file the manifest declares absent": (
        lambda s: s.replace("manifest.csv", "file.demographics,bulk", "file.demographics,absent"),
        "manifest.csv row 10, column value: the manifest declares demographics.csv absent, but the set has one;",
    ),
    "a declared file missing from the set": (
        lambda s: (s.path / "classes.csv").unlink(),
        "manifest.csv row 6, column value: the manifest declares classes.csv as bulk, but the set has no classes.csv.",
    ),
    "no manifest": (
        lambda s: (s.path / "manifest.csv").unlink(),
        "The set has no manifest.csv: a OneRoster set starts with one (propertyName,value).",
    ),
    "an unknown version": (
        lambda s: s.replace("manifest.csv", "oneroster.version,1.1", "oneroster.version,1.0"),
        "manifest.csv row 3, column value: “1.0” is not one of: 1.1, 1.2.",
    ),
    "an unknown role": (
        lambda s: s.replace("users.csv", "org-lms,student,eli", "org-lms,pupil,eli"),
        "users.csv row 5, column role: “pupil” is not one of: administrator, aide, guardian, parent, proctor, "
        "relative, student, teacher.",
    ),
    "a school whose identifier is not a school number": (
        lambda s: s.replace("orgs.csv", "school,100,", "school,LHS,"),
        "orgs.csv row 3, column identifier: “LHS” is not a school number (PowerSchool's SCHOOL_NUMBER, "
        "a whole number).",
    ),
    "a row with too few cells": (
        lambda s: s.append("users.csv", "5005,,,true"),
        "users.csv row 12: the row has 4 cells but the header names 18 columns.",
    ),
    "a student without a student number": (
        lambda s: s.replace("users.csv", ",Linh,230101,", ",Linh,,"),
        "users.csv row 2, column identifier: this column must not be empty.",
    ),
    "a Windows-1252 file": (
        lambda s: s.write("users.csv", s.text("users.csv"), encoding="cp1252"),
        "users.csv row 4: the file must be UTF-8 but has the byte 0xEB, which is not UTF-8, in “Zoë” (shown as "
        "Windows-1252 would read it); save it as CSV UTF-8 and import it again.",
    ),
    "a UTF-16 file without its byte-order mark": (
        lambda s: s.write("orgs.csv", s.text("orgs.csv"), encoding="utf-16-be"),
        "orgs.csv row 1: the file must be UTF-8 but holds a NUL byte, which CSV text never does",
    ),
}


@pytest.mark.parametrize("case", ONEROSTER_CASES)
def test_a_bad_oneroster_set_is_refused_with_the_file_row_and_column(lincoln_on_oneroster, copy_set, case):
    spoil, message = ONEROSTER_CASES[case]
    spoilt = copy_set(ONEROSTER_11)
    spoil(spoilt)

    assert refused(lincoln_on_oneroster, "oneroster", spoilt.path).startswith(message)


CLEVER_CASES = {
    "a missing required column": (
        lambda s: s.replace("students.csv", ",Student_number,", ",Student_num,"),
        "students.csv row 1: the header lacks the required column “Student_number” "
        "(required: School_id, Student_id, Student_number, Last_name, First_name).",
    ),
    "a repeated Student_id": (
        lambda s: s.append("students.csv", s.text("students.csv").splitlines()[1]),
        "students.csv row 6, column Student_id: “90001” appears twice in students.csv; every Student_id must be "
        "unique.",
    ),
    "a teacher listed twice at one school": (
        lambda s: s.append("teachers.csv", s.text("teachers.csv").splitlines()[1]),
        "teachers.csv row 6, column Teacher_id: Teacher_id “te-501” and School_id “sch-north” appear together twice",
    ),
    "an enrollment in a section the set does not have": (
        lambda s: s.append("enrollments.csv", "sch-north,sec-9999,90001"),
        "enrollments.csv row 7, column Section_id: “sec-9999” is not in sections.csv (an enrollment needs its section).",
    ),
    "an enrollment of a student the set does not have": (
        lambda s: s.append("enrollments.csv", "sch-north,sec-1001,99999"),
        "enrollments.csv row 7, column Student_id: “99999” is not in students.csv (an enrollment needs its student).",
    ),
    "a student of a school the set does not have": (
        lambda s: s.replace("students.csv", "sch-north,90002", "sch-west,90002"),
        "students.csv row 3, column School_id: “sch-west” is not in schools.csv.",
    ),
    "a section of a teacher the set does not have": (
        lambda s: s.replace("sections.csv", "sec-1001,te-501", "sec-1001,te-999"),
        "sections.csv row 2, column Teacher_id: “te-999” is not a teacher of school “sch-north” in teachers.csv.",
    ),
    "a day-first birth date": (
        lambda s: s.replace("students.csv", "04/17/2010", "17/04/2010"),
        "students.csv row 2, column DOB: “17/04/2010” is not a date (MM/DD/YYYY or YYYY-MM-DD).",
    ),
    "a term without its end": (
        lambda s: s.replace("sections.csv", "Fall 2026,08/17/2026,12/18/2026", "Fall 2026,08/17/2026,"),
        "sections.csv row 2, column Term_end: a section's term needs both Term_start and Term_end.",
    ),
    "a grade Clever does not know": (
        lambda s: s.replace("students.csv", "NE1000234,Okonkwo,,Ada,10,", "NE1000234,Okonkwo,,Ada,10th,"),
        "students.csv row 2, column Grade: “10th” is not one of: InfantToddler,",
    ),
    "an empty file": (
        lambda s: s.write("teachers.csv", ""),
        "teachers.csv: the file is empty: it needs at least its header row.",
    ),
    "a Windows-1252 file": (
        lambda s: saved_as_windows_1252(s, "students.csv", "Lee,Jonah", "Lée,Jonah"),
        "students.csv row 3: the file must be UTF-8 but has the byte 0xE9, which is not UTF-8, in “Lée”",
    ),
    "a file separated by semicolons": (
        lambda s: s.write("schools.csv", s.text("schools.csv").replace(",", ";")),
        "schools.csv row 1: the cells are separated by semicolons, not commas;",
    ),
    "a missing file": (
        lambda s: (s.path / "enrollments.csv").unlink(),
        "The set has no enrollments.csv; a Clever set needs enrollments.csv, schools.csv, sections.csv, "
        "students.csv, teachers.csv.",
    ),
}


@pytest.mark.parametrize("case", CLEVER_CASES)
def test_a_bad_clever_set_is_refused_with_the_file_row_and_column(lincoln_on_clever, copy_set, case):
    spoil, message = CLEVER_CASES[case]
    spoilt = copy_set(CLEVER)
    spoil(spoilt)

    assert refused(lincoln_on_clever, "clever", spoilt.path).startswith(message)


# --- what is accepted ------------------------------------------------------------------------------------


def test_a_byte_order_mark_is_accepted_without_a_note(lincoln_on_oneroster, copy_set):
    marked = copy_set(ONEROSTER_11)
    marked.write("users.csv", marked.text("users.csv"), encoding="utf-8-sig")

    run = roster_import(lincoln_on_oneroster, "oneroster", marked.path).run

    assert (run.status, run.message) == ("succeeded", "")
    assert Student.objects.filter(district=lincoln_on_oneroster).count() == 4


def test_a_utf16_file_with_its_byte_order_mark_is_read_with_a_note(lincoln_on_oneroster, copy_set):
    unicode = copy_set(ONEROSTER_11)
    unicode.write("users.csv", unicode.text("users.csv"), encoding="utf-16")

    run = roster_import(lincoln_on_oneroster, "oneroster", unicode.path).run

    assert run.status == "succeeded"
    assert run.message == "users.csv is UTF-16: it was read as such."
    assert Student.objects.get(district=lincoln_on_oneroster, key="5003").first_name == "Zoë"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_clever_file_with_a_byte_order_mark_is_read(lincoln_on_clever, copy_set, encoding):
    marked = copy_set(CLEVER)
    marked.write("students.csv", marked.text("students.csv"), encoding=encoding)

    run = roster_import(lincoln_on_clever, "clever", marked.path).run

    assert run.status == "succeeded", run.message
    assert Student.objects.filter(district=lincoln_on_clever).count() == 4


def test_extension_columns_may_follow_the_specifications_columns(lincoln_on_oneroster, copy_set):
    extended = copy_set(ONEROSTER_11)
    extended.write("orgs.csv", add_column(extended.text("orgs.csv"), "metadata.ncesId"))

    assert roster_import(lincoln_on_oneroster, "oneroster", extended.path).run.status == "succeeded"


def test_clever_columns_may_come_in_any_order(lincoln_on_clever, copy_set):
    shuffled = copy_set(CLEVER)
    shuffled.write(
        "schools.csv",
        "School_number,School_name,School_id\n100,Lincoln North High School,sch-north\n210,Lincoln South Elementary,sch-south\n",
    )

    assert roster_import(lincoln_on_clever, "clever", shuffled.path).run.status == "succeeded"
    assert School.objects.get(district=lincoln_on_clever, key="sch-south").number == 210


# --- a complete file that lists no one ---------------------------------------------------------------------


def header_only(spoilt, name):
    spoilt.write(name, spoilt.text(name).splitlines()[0] + "\n")


@pytest.mark.parametrize(
    ("source", "sample", "name"),
    [("oneroster", ONEROSTER_11, "users.csv"), ("clever", CLEVER, "students.csv")],
)
def test_a_complete_roster_that_lists_no_students_deactivates_no_one(world, copy_set, source, sample, name):
    roster_from(world.district, source)
    assert roster_import(world.district, source, sample).run.status == SyncRun.Status.SUCCEEDED
    active = Student.objects.filter(district=world.district, active=True).count()
    spoilt = copy_set(sample)
    header_only(spoilt, name)

    run = roster_import(world.district, source, spoilt.path).run

    assert run.status == SyncRun.Status.FAILED
    assert f"the import lists no students, so it would deactivate all {active} students" in run.message
    assert Student.objects.filter(district=world.district, active=True).count() == active
