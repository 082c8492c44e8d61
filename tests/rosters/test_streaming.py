"""A roster file is read as a stream: memory follows the number of ids kept, never the size of the file."""

import shutil
import tracemalloc

from sis_sync.models import Enrollment, Student
from sis_sync.rosters.csvfiles import RosterFiles, exact_header, read_rows
from sis_sync.rosters.oneroster import USERS_11
from sis_sync.rosters.service import roster_import
from tests.rosters.conftest import CLEVER, ONEROSTER_11

USER_ROW = "{n},,,true,org-lhs,student,student{n},{{LDAP:student{n}}},Given{n},Family{n},,{number},student{n}@students.lincoln.k12.us,,,,10,\n"


def write_users(path, count, *, padding=""):
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(USERS_11) + "\n")
        for n in range(10_000, 10_000 + count):
            out.write(USER_ROW.format(n=n, number=f"{n}{padding}"))


def peak_bytes(work):
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_large_file_holds_one_row_at_a_time(tmp_path):
    write_users(tmp_path / "users.csv", 60_000, padding="0" * 250)
    size = (tmp_path / "users.csv").stat().st_size

    def read_all():
        with RosterFiles(tmp_path) as files:
            rows = read_rows(files, "users.csv", exact_header(USERS_11), notes=[])
            assert sum(1 for _row in rows) == 60_000

    peak = peak_bytes(read_all)
    assert size > 20_000_000
    assert peak < 3_000_000, f"reading a {size:,}-byte file peaked at {peak:,} bytes"


def test_importing_thousands_of_students_stays_within_bounded_memory(lincoln_on_oneroster, tmp_path):
    many = tmp_path / "many"
    shutil.copytree(ONEROSTER_11, many)
    write_users(many / "users.csv", 5_000)
    enrollments = "".join(f"en-{n},,,cl-bio-3,org-lhs,{n},student,false,,\n" for n in range(10_000, 15_000))
    (many / "enrollments.csv").write_text(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n"
        + enrollments
    )
    (many / "demographics.csv").write_text((ONEROSTER_11 / "demographics.csv").read_text().splitlines()[0] + "\n")

    results = []
    peak = peak_bytes(lambda: results.append(roster_import(lincoln_on_oneroster, "oneroster", many)))

    assert results[0].succeeded, results[0].run.message
    assert Student.objects.filter(district=lincoln_on_oneroster).count() == 5_000
    assert Enrollment.objects.filter(district=lincoln_on_oneroster).count() == 5_000
    assert peak < 15_000_000, f"importing 5,000 students peaked at {peak:,} bytes"


def test_importing_thousands_of_clever_students_stays_within_bounded_memory(lincoln_on_clever, tmp_path):
    many = tmp_path / "many"
    shutil.copytree(CLEVER, many)
    header, first, *rest = (CLEVER / "students.csv").read_text(encoding="utf-8").splitlines()
    cells = first.split(",")
    with open(many / "students.csv", "w", encoding="utf-8") as out:
        out.write("\n".join([header, first, *rest]) + "\n")
        for n in range(5_000):
            # Student_id, Student_number and the contact's id must be unique; the rest repeats the first student.
            cells[1], cells[2], cells[-5] = f"8{n:05d}", f"7{n:05d}", f"gu-8{n:05d}"
            out.write(",".join(cells) + "\n")

    results = []
    peak = peak_bytes(lambda: results.append(roster_import(lincoln_on_clever, "clever", many)))

    assert results[0].succeeded, results[0].run.message
    assert Student.objects.filter(district=lincoln_on_clever).count() == 5_000 + 1 + len(rest)
    assert peak < 15_000_000, f"importing 5,000 Clever students peaked at {peak:,} bytes"
