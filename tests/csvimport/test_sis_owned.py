"""Records owned by the SIS are not changed by a CSV file unless it takes them over explicitly; the rows that touch
them are listed either way."""

from sis_sync.models import Contact, Source, Staff, Student, StudentContact
from tests.csvimport.conftest import STUDENTS_HEADER, import_file, sis_staff, sis_student


def test_a_row_matching_a_powerschool_student_is_left_alone_and_listed(world, schools, write_csv):
    synced = sis_student(world, schools[0])
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n900199,New,Person,102\n")

    result = import_file(world, "students", path)

    assert result.succeeded
    synced.refresh_from_db()
    assert (synced.source, synced.first_name, synced.fingerprint) == ("powerschool", "Amy", "ps")
    (row,) = result.findings.sis_rows
    assert (row.row, row.label, row.taken_over) == (2, "Amara Okafor (900101)", False)
    assert row.owner == "Powers, Amy (900101) from PowerSchool"
    assert "1 row matched records owned by the SIS and were left alone" in result.run.message
    assert list(Student.objects.filter(source=Source.CSV).values_list("student_number", flat=True)) == ["900199"]


def test_taking_over_makes_the_sis_student_the_csvs_and_keeps_local_fields(world, schools, write_csv):
    synced = sis_student(world, schools[0], preferred_name="Ami")
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    result = import_file(world, "students", path, take_over=True)

    assert result.succeeded and result.counts["students"]["updated"] == 1
    synced.refresh_from_db()
    assert (synced.source, synced.key, synced.first_name, synced.preferred_name) == ("csv", "900101", "Amara", "Ami")
    assert Student.objects.count() == 1
    assert result.findings.sis_rows[0].taken_over


def test_a_dry_run_of_a_take_over_changes_nothing(world, schools, write_csv):
    synced = sis_student(world, schools[0])
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    result = import_file(world, "students", path, take_over=True, dry_run=True)

    assert result.findings.sis_row_count == 1
    synced.refresh_from_db()
    assert (synced.source, synced.first_name) == ("powerschool", "Amy")


def test_a_full_file_never_deactivates_sis_students(world, schools, write_csv):
    synced = sis_student(world, schools[0], number="12345")
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    import_file(world, "students", path, mode="full")

    synced.refresh_from_db()
    assert synced.active


def test_staff_matching_a_synced_staff_members_email_is_left_alone_unless_taken_over(world, schools, write_csv):
    synced = sis_staff(world, "Pat.Synced@Example.org")
    path = write_csv("staff.csv", "staff_id,first_name,last_name,email\nS-1,Patricia,Synced,pat.synced@example.org\n")

    left_alone = import_file(world, "staff", path)
    synced.refresh_from_db()
    assert left_alone.findings.sis_row_count == 1 and synced.first_name == "Pat" and synced.source == "powerschool"

    import_file(world, "staff", path, take_over=True)
    synced.refresh_from_db()
    assert (synced.first_name, synced.source, synced.key) == ("Patricia", "csv", "S-1")
    assert Staff.objects.count() == 1


def test_a_contact_for_a_sis_student_needs_a_take_over(world, schools, write_csv):
    student = sis_student(world, schools[0])
    path = write_csv(
        "contacts.csv", "contact_id,student_number,first_name,last_name,may_pick_up\nC-1,900101,Ann,Lee,yes\n"
    )

    left_alone = import_file(world, "contacts", path)
    assert left_alone.succeeded and left_alone.findings.sis_row_count == 1
    assert not Contact.objects.exists()

    taken = import_file(world, "contacts", path, take_over=True)
    assert taken.succeeded
    link = StudentContact.objects.get()
    assert (link.student, link.source, link.school_pickup) == (student, "csv", True)
    student.refresh_from_db()
    assert student.source == "powerschool"
