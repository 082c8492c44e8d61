"""manage.py import_csv: the documented example files, dry runs, repeats, full files and refusals."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sis_sync.models import Contact, Source, Staff, StaffSchool, Student, StudentContact, SyncRun
from tests.csvimport.conftest import STUDENTS_HEADER, TEMPLATES, import_templates


def run_command(*args):
    out = StringIO()
    call_command("import_csv", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["students", "contacts", "staff"])
def test_each_documented_example_file_imports_cleanly(world, schools, kind):
    if kind == "contacts":
        run_command("--district", "lincoln", "--kind", "students", str(TEMPLATES / "students.csv"))

    output = run_command("--district", "lincoln", "--kind", kind, str(TEMPLATES / f"{kind}.csv"))

    assert "Imported." in output
    run = SyncRun.objects.filter(source=Source.CSV).latest("started_at")
    assert run.status == SyncRun.Status.SUCCEEDED and run.trigger == "command"
    assert run.counts[kind]["created"] == 3


def test_the_examples_land_as_students_contacts_and_staff_of_the_csv(world, schools):
    import_templates(world)

    zoe = Student.objects.get(district=world.district, student_number="900103")
    assert (zoe.source, zoe.school, zoe.grade_level, zoe.state_number) == ("csv", schools[1], 7, "ST-77812")
    assert str(zoe.entry_date) == "2026-09-08" and zoe.search_name == "zoe maria lindqvist"
    luca = Student.objects.get(student_number="900102")
    assert luca.grade_level == 0 and str(luca.entry_date) == "2026-08-24"
    giulia = Contact.objects.get(key="C-5003")
    assert StudentContact.objects.filter(contact=giulia).count() == 2
    mother = StudentContact.objects.get(contact=giulia, student=luca)
    assert (mother.relationship, mother.custodial, mother.school_pickup) == ("Mother", True, True)
    priya = Staff.objects.get(key="S-301")
    assert set(StaffSchool.objects.filter(staff=priya).values_list("school__number", flat=True)) == {101, 102}


def test_importing_the_same_file_twice_changes_nothing(world, schools):
    import_templates(world)
    before = list(Student.objects.values_list("pk", "fingerprint", "synced_at"))

    output = run_command("--district", "lincoln", "--kind", "students", str(TEMPLATES / "students.csv"))

    assert list(Student.objects.values_list("pk", "fingerprint", "synced_at")) == before
    run = SyncRun.objects.filter(source=Source.CSV).latest("started_at")
    assert run.counts["students"] == {"created": 0, "updated": 0, "unchanged": 3, "deactivated": 0, "failed": 0}
    assert "unchanged" in output


def test_a_dry_run_counts_everything_and_changes_nothing(world, schools):
    output = run_command("--district", "lincoln", "--kind", "students", "--dry-run", str(TEMPLATES / "students.csv"))

    assert "Dry run: nothing was changed." in output
    assert not Student.objects.exists()
    assert not SyncRun.objects.exists()


def test_a_full_file_deactivates_only_the_csv_students_it_leaves_out(world, schools, write_csv):
    import_templates(world)
    synced = Student.objects.create(
        district=world.district, source=Source.POWERSCHOOL, key="1", student_number="1", first_name="Sam",
        last_name="Synced", fingerprint="x", synced_at=SyncRun.objects.first().started_at,
    )  # fmt: skip
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    run_command("--district", "lincoln", "--kind", "students", "--mode", "full", str(path))

    assert set(Student.objects.filter(active=True).values_list("student_number", flat=True)) == {"900101", "1"}
    synced.refresh_from_db()
    assert synced.active
    run = SyncRun.objects.filter(source=Source.CSV).latest("started_at")
    assert run.kind == SyncRun.Kind.FULL and run.counts["students"]["deactivated"] == 2


def test_a_file_of_additions_deactivates_nothing(world, schools, write_csv):
    import_templates(world)
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900104,Ines,Duarte,102\n")

    run_command("--district", "lincoln", "--kind", "students", str(path))

    assert Student.objects.filter(active=True).count() == 4


def test_a_refused_file_exits_non_zero_and_lists_its_errors(world, schools, write_csv):
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,,101\n900102,Luca,Bianchi,999\n")

    with pytest.raises(CommandError) as refused:
        run_command("--district", "lincoln", "--kind", "students", str(path))

    message = str(refused.value)
    assert "students.csv row 2, column last_name: this column must not be empty." in message
    assert "students.csv row 3, column school_number: “999” is not the number of a school" in message
    assert SyncRun.objects.get(source=Source.CSV).status == SyncRun.Status.FAILED


def test_an_unknown_district_names_the_known_ones(world):
    with pytest.raises(CommandError, match="No district “nowhere”. Known districts: lincoln, riverside."):
        run_command("--district", "nowhere", "--kind", "students", str(TEMPLATES / "students.csv"))


def test_a_missing_file_is_named(world, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run_command("--district", "lincoln", "--kind", "staff", str(tmp_path / "staff.csv"))
