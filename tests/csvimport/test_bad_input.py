"""Every way a CSV file goes wrong gets a precise message (file, row, column), every error of the file is listed,
and nothing of a refused file is imported."""

import tracemalloc
import zipfile

import pytest

from sis_sync.csvimport.findings import ERROR_CAP
from sis_sync.models import Contact, Student, SyncRun
from tests.csvimport.conftest import STUDENTS_HEADER, TEMPLATES, import_file

CONTACTS_HEADER = "contact_id,student_number,first_name,last_name"


def refused(world, kind, path, **options):
    """The errors of a file that was refused, having checked it changed no student or contact."""
    before = snapshot()
    result = import_file(world, kind, path, **options)
    assert not result.succeeded
    assert snapshot() == before
    return result.findings.error_lines()


def snapshot():
    return [list(model.objects.values_list("pk", "fingerprint", "active")) for model in (Student, Contact)]


def test_a_byte_order_mark_is_read_past(world, schools, write_csv):
    path = write_csv("students.csv", "\ufeff" + f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    result = import_file(world, "students", path)

    assert result.succeeded and Student.objects.get().student_number == "900101"


def test_a_windows_1252_file_is_refused_at_the_row_and_cell_of_its_first_non_utf8_byte(world, schools, write_csv):
    text = f'{STUDENTS_HEADER},middle_name\n900101,Amara,Okafor,101,"Ada\nJoy"\n900102,Zoë,Müller,101,\n'
    path = write_csv("students.csv", text, encoding="cp1252")

    errors = refused(world, "students", path)

    # The line break inside the quoted middle name does not start a row: Zoë is on row 3.
    assert errors == ["students.csv row 3: the file must be UTF-8 but has the byte 0xEB, which is not UTF-8, in "
                      "“Zoë” (shown as Windows-1252 would read it); save it as CSV UTF-8 and import it again."]  # fmt: skip


def test_a_utf16_file_with_its_byte_order_mark_is_read_and_the_run_says_so(world, schools, write_csv):
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Zoë,Müller,101\n", encoding="utf-16")

    result = import_file(world, "students", path)

    assert result.succeeded, result.run.message
    assert Student.objects.get().first_name == "Zoë"
    assert "students.csv is UTF-16: it was read as such." in result.run.message


def test_a_utf16_file_without_its_byte_order_mark_is_refused_as_not_utf8(world, schools, write_csv):
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n", encoding="utf-16-le")

    assert refused(world, "students", path) == [
        "students.csv row 1: the file must be UTF-8 but holds a NUL byte, which CSV text never does (is it UTF-16 "
        "without its byte-order mark, or not a text file?); save it as CSV UTF-8 and import it again."
    ]


@pytest.mark.parametrize(("separator", "called"), [("\t", "tabs"), (";", "semicolons")])
def test_a_file_separated_by_tabs_or_semicolons_is_refused_naming_the_separator(
    world, schools, write_csv, separator, called
):
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n".replace(",", separator))

    assert refused(world, "students", path) == [
        f"students.csv row 1: the cells are separated by {called}, not commas; save the file as CSV UTF-8 "
        "(comma-separated) and import it again."
    ]


def test_an_excel_workbook_named_csv_is_refused_as_a_workbook(world, schools, tmp_path):
    path = tmp_path / "students.csv"
    with zipfile.ZipFile(path, "w") as workbook:
        workbook.writestr("xl/workbook.xml", "<workbook/>")

    assert refused(world, "students", path) == [
        "students.csv: the file is an Excel workbook (or another zip file), not CSV text; in Excel, save it as "
        "CSV UTF-8 and import that file."
    ]


def test_a_misspelt_column_is_named_with_the_column_it_resembles(world, schools, write_csv):
    path = write_csv("students.csv", "student_number,frist_name,last_name,school_number\n900101,Amara,Okafor,101\n")

    (error,) = refused(world, "students", path)

    assert error.startswith("students.csv row 1: the header has a column “frist_name” that the students template does "
                            "not know (did you mean “first_name”?); the header lacks the required column “first_name”.")  # fmt: skip


def test_missing_required_columns_are_all_named(world, schools, write_csv):
    path = write_csv("staff.csv", "staff_id,email\nS-1,a@example.org\n")

    (error,) = refused(world, "staff", path)

    assert "the header lacks the required columns “first_name”, “last_name”" in error
    assert (
        "The staff columns are: staff_id, first_name, last_name, email, title, teacher_number, school_numbers." in error
    )


def test_a_file_without_its_header_says_the_first_row_must_be_the_header(world, schools, write_csv):
    path = write_csv("students.csv", "900101,Amara,Okafor,101\n")

    (error,) = refused(world, "students", path)

    assert "no column of the students template is in the first row, which must be the header" in error


def test_a_file_of_another_kind_is_not_taken_for_this_one(world, schools):
    (error,) = refused(world, "students", TEMPLATES / "staff.csv")

    assert "the header lacks the required columns “student_number”, “school_number”" in error


def test_reordered_columns_are_read_by_name_and_the_run_says_which_moved(world, schools, write_csv):
    path = write_csv("students.csv", "last_name,first_name,student_number,school_number\nOkafor,Amara,900101,101\n")

    result = import_file(world, "students", path)

    assert result.succeeded
    student = Student.objects.get()
    assert (student.first_name, student.last_name) == ("Amara", "Okafor")
    assert "students.csv: the columns “last_name”, “student_number” are in another order" in (result.run.message)


def test_duplicate_ids_are_refused_at_the_repeating_row(world, schools, write_csv):
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n900101,Amy,Okafor,102\n")

    errors = refused(world, "students", path)

    assert errors == [
        "students.csv row 3, column student_number: “900101” appears earlier in the file; list each student once."
    ]


def test_a_contact_listed_twice_for_one_student_is_refused(world, schools, write_csv):
    import_file(world, "students", TEMPLATES / "students.csv")
    path = write_csv("contacts.csv", f"{CONTACTS_HEADER}\nC-1,900101,Ann,Lee\nC-1,900101,Ann,Lee\n")

    (error,) = refused(world, "contacts", path)

    assert (
        error.startswith("contacts.csv row 3, column student_number:")
        and "list each contact of a student once" in error
    )


def test_a_contact_whose_rows_disagree_is_refused(world, schools, write_csv):
    import_file(world, "students", TEMPLATES / "students.csv")
    path = write_csv("contacts.csv", f"{CONTACTS_HEADER}\nC-1,900101,Ann,Lee\nC-1,900102,Anne,Lee\n")

    (error,) = refused(world, "contacts", path)

    assert error.startswith("contacts.csv row 3, column contact_id: contact “C-1” has other details here than in row 2")


def test_an_unknown_school_names_the_districts_schools(world, schools, write_csv):
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,303\n")

    (error,) = refused(world, "students", path)

    assert error == ("students.csv row 2, column school_number: “303” is not the number of a school of Lincoln County "
                     "Schools (its schools: 101, 102).")  # fmt: skip


def test_a_guardian_of_an_unknown_student_is_refused_and_nothing_is_imported(world, schools, write_csv):
    import_file(world, "students", TEMPLATES / "students.csv")
    path = write_csv("contacts.csv", f"{CONTACTS_HEADER}\nC-1,900101,Ann,Lee\nC-2,123456,Bob,Lee\n")

    (error,) = refused(world, "contacts", path)

    assert error == ("contacts.csv row 3, column student_number: no active student has the student number “123456”; "
                     "import the student (or check the number) first.")  # fmt: skip
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "“2026-02-30” is not a date (YYYY-MM-DD or MM/DD/YYYY)."),
        ("24.08.2026", "“24.08.2026” is not a date (YYYY-MM-DD or MM/DD/YYYY)."),
    ],
)
def test_a_bad_date_is_refused_with_the_formats_accepted(world, schools, write_csv, value, message):
    path = write_csv("students.csv", f"{STUDENTS_HEADER},entry_date\n900101,Amara,Okafor,101,{value}\n")

    assert refused(world, "students", path) == [f"students.csv row 2, column entry_date: {message}"]


def test_an_exit_before_the_entry_is_refused(world, schools, write_csv):
    path = write_csv("students.csv", f"{STUDENTS_HEADER},entry_date,exit_date\n900101,A,O,101,2026-09-01,2026-08-01\n")

    (error,) = refused(world, "students", path)

    assert "column exit_date: the exit date (2026-08-01) is not after the entry date (2026-09-01)." in error


def test_bad_grades_flags_and_addresses_are_each_named(world, schools, write_csv):
    import_file(world, "students", TEMPLATES / "students.csv")
    path = write_csv(
        "contacts.csv", f"{CONTACTS_HEADER},email,custodial,priority\nC-1,900101,Ann,Lee,ann@,maybe,first\n"
    )

    errors = refused(world, "contacts", path)

    assert errors == [
        "contacts.csv row 2, column email: “ann@” is not an e-mail address.",
        "contacts.csv row 2, column priority: “first” is not a priority (1 is called first).",
        "contacts.csv row 2, column custodial: “maybe” is not yes or no.",
    ]


def test_every_error_of_the_file_is_listed_and_nothing_is_half_imported(world, schools, write_csv):
    rows = "900101,Amara,Okafor,101,K\n900102,,Bianchi,101,K\n900103,Zoe,Lind,101,14\n900104,Ines,Duarte,999,1\n"
    path = write_csv("students.csv", f"{STUDENTS_HEADER},grade\n{rows}")

    errors = refused(world, "students", path)

    assert errors == [
        "students.csv row 3, column first_name: this column must not be empty.",
        "students.csv row 4, column grade: “14” is not a grade (PK, TK, K, 1 to 12, or UG for ungraded).",
        "students.csv row 5, column school_number: “999” is not the number of a school of Lincoln County Schools "
        "(its schools: 101, 102).",
    ]
    assert not Student.objects.exists()
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.FAILED and run.message.startswith("Nothing was imported:\nstudents.csv row 3")


def test_errors_past_the_cap_are_counted_not_listed(world, schools, write_csv):
    rows = "".join(f"9{n:05d},Given,,101\n" for n in range(ERROR_CAP + 25))
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n{rows}")

    errors = refused(world, "students", path)

    assert len(errors) == ERROR_CAP + 1
    assert errors[-1] == "… and 25 more errors."


def test_an_empty_file_is_refused(world, schools, write_csv):
    assert refused(world, "students", write_csv("students.csv", "")) == [
        "students.csv: the file is empty: it needs at least its header row."
    ]


def test_a_file_with_only_its_header_is_refused_rather_than_deactivating_everyone(world, schools, write_csv):
    import_file(world, "students", TEMPLATES / "students.csv")

    errors = refused(world, "students", write_csv("students.csv", f"{STUDENTS_HEADER}\n"), mode="full")

    assert errors == ["students.csv: the file has its header but no rows; nothing to import."]
    assert Student.objects.filter(active=True).count() == 3


def test_a_row_with_a_cell_too_many_is_refused(world, schools, write_csv):
    path = write_csv("students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101,extra\n")

    assert refused(world, "students", path) == [
        "students.csv row 2: the row has 5 cells but the header names 4 columns."
    ]


def test_a_huge_file_is_streamed_and_its_last_row_still_counts(world, schools, tmp_path):
    path = tmp_path / "students.csv"
    count = 20_000
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"{STUDENTS_HEADER},middle_name\n")
        for n in range(count):
            out.write(f"{700000 + n},Given{n},Family{n},101,{'m' * 90}\n")
        out.write("799999,Last,Row,404,\n")

    tracemalloc.start()
    try:
        errors = refused(world, "students", path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert errors == [f"students.csv row {count + 2}, column school_number: “404” is not the number of a school of "
                      "Lincoln County Schools (its schools: 101, 102)."]  # fmt: skip
    assert not Student.objects.exists()
    assert peak < 40_000_000, f"a {path.stat().st_size:,}-byte file peaked at {peak:,} bytes"


def test_every_contact_of_an_unknown_student_is_named_even_after_other_errors(world, schools, write_csv):
    import_file(world, "students", TEMPLATES / "students.csv")
    path = write_csv("contacts.csv", f"{CONTACTS_HEADER}\nC-1,900101,,Lee\nC-2,111,Bob,Lee\nC-3,222,Cy,Lee\n")

    errors = refused(world, "contacts", path)

    assert [error.split(":")[0] for error in errors] == [
        "contacts.csv row 2, column first_name",
        "contacts.csv row 3, column student_number",
        "contacts.csv row 4, column student_number",
    ]
