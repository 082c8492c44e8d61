"""Benchmark the OneRoster import.

    python bench/oneroster.py --students 50000 [--db-url postgres://postgres@127.0.0.1:5432/raptorlink_bench]

Generates a OneRoster 1.2 bulk set the way ClassLink exports a district (orgs, academic sessions, users with
their roles, one or two guardians per student, teachers, classes of about twenty, about six class enrollments
per student, demographics) into a temporary folder, migrates a fresh database (a temporary SQLite file, or the
PostgreSQL database named by --db-url, created and dropped here) and imports the set with the roster service,
as `manage.py import_roster` does.

Prints the set's rows per file, the generation and import times, what the import wrote and the peak memory of
the process, then one line of JSON with students, import_s, peak_rss_mb, db, rows and load_average (the
one-minute load average after the import: other processes sharing the machine slow it down).
"""

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync import peak_rss_mb, prepare_database  # noqa: E402

STUDENTS_PER_SCHOOL = 800
STUDENTS_PER_TEACHER = 20
CLASSES_PER_TEACHER = 6
CLASSES_PER_STUDENT = 6
FIRST_STUDENT_DCID = 100_000
FIRST_STUDENT_NUMBER = 300_000
STAMP = "2026-08-01T06:00:00Z"
YEAR = ("sy-2027", "2026-08-12", "2027-05-28")
TERMS = [
    ("s1-2027", "Semester 1", "semester", "2026-08-12", "2026-12-18", "sy-2027"),
    ("s2-2027", "Semester 2", "semester", "2027-01-05", "2027-05-28", "sy-2027"),
    ("q1-2027", "Quarter 1", "gradingPeriod", "2026-08-12", "2026-10-09", "s1-2027"),
    ("q2-2027", "Quarter 2", "gradingPeriod", "2026-10-12", "2026-12-18", "s1-2027"),
]
GIVEN = ["Sofia", "Jamal", "Hana", "Liam", "Ava", "Noah", "Mia", "Mateo", "Zoe", "Ethan", "Amara", "Kai", "Lena"]
FAMILY = ["Ramos", "Wright", "Sato", "Nguyen", "Okafor", "Fischer", "Garcia", "Patel", "Kowalski", "Hughes"]
SUBJECTS = ["English", "Algebra", "Biology", "History", "Spanish", "Art", "Chemistry", "Music", "Reading"]
MANIFEST_FILES = ["academicSessions", "classes", "demographics", "enrollments", "orgs", "roles", "users"]


# --- the set -----------------------------------------------------------------------------------------------


class SetWriter:
    """The CSV files of one set, written row by row (nothing of the set is kept in memory)."""

    def __init__(self, directory, headers):
        self.directory = directory
        self.files, self.writers, self.rows = {}, {}, {}
        for name, header in headers.items():
            self.files[name] = (directory / name).open("w", newline="", encoding="utf-8")
            self.writers[name] = csv.writer(self.files[name])
            self.writers[name].writerow(header)
            self.rows[name] = 0

    def write(self, name, row):
        self.writers[name].writerow(row)
        self.rows[name] += 1

    def close(self):
        for file in self.files.values():
            file.close()
        with (self.directory / "manifest.csv").open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerows([["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", "1.2"]])
            writer.writerows([f"file.{name}", "bulk"] for name in MANIFEST_FILES)
            writer.writerows([["source.systemName", "Benchmark"], ["source.systemCode", "BENCH"]])


def generate(directory, students):
    """Write a 1.2 bulk set for `students` students; returns {file: rows}."""
    from sis_sync.rosters.oneroster import HEADERS, ROLES_12, USERS_12

    headers = {f"{name}.csv": HEADERS[f"{name}.csv"] for name in ("academicSessions", "orgs", "classes")}
    headers |= {"users.csv": USERS_12, "roles.csv": ROLES_12}
    headers |= {"enrollments.csv": HEADERS["enrollments.csv"], "demographics.csv": HEADERS["demographics.csv"]}
    out = SetWriter(directory, headers)
    rng = random.Random(1)
    write_sessions(out)
    out.write("orgs.csv", ["org-district", "active", STAMP, "Benchmark Unified", "district", "BENCH", ""])
    schools = max(1, students // STUDENTS_PER_SCHOOL)
    for index in range(schools):
        write_school(out, rng, index, range(students * index // schools, students * (index + 1) // schools))
    out.close()
    return out.rows


def write_sessions(out):
    sourced_id, first, last = YEAR
    out.write("academicSessions.csv", [sourced_id, "active", STAMP, "2026-27", "schoolYear", first, last, "", "2027"])
    for sourced_id, title, kind, first, last, parent in TERMS:
        out.write("academicSessions.csv", [sourced_id, "active", STAMP, title, kind, first, last, parent, "2027"])


def write_school(out, rng, index, students):
    school = f"org-{index + 1}"
    out.write("orgs.csv", [school, "active", STAMP, f"School {index + 1}", "school", 100 + index, "org-district"])
    teachers = [f"t-{index + 1}-{number}" for number in range(max(1, len(students) // STUDENTS_PER_TEACHER))]
    classes = []
    for teacher in teachers:
        write_user(out, rng, teacher, "teacher", school, identifier=teacher.upper(), email=f"{teacher}@bench.k12.us")
        for period in range(1, CLASSES_PER_TEACHER + 1):
            classes.append(write_class(out, rng, school, teacher, period))
    for number in students:
        write_student(out, rng, school, number, classes)


def write_class(out, rng, school, teacher, period):
    sourced_id = f"c-{teacher}-{period}"
    subject = rng.choice(SUBJECTS)
    term = rng.choice([YEAR[0], YEAR[0], TERMS[0][0]])
    out.write("classes.csv", [
        sourced_id, "active", STAMP, f"{subject} - Period {period}", "", f"crs-{subject.lower()}",
        f"{subject[:3].upper()}-{period}", "scheduled", "", school, term, subject, "", str(period),
    ])  # fmt: skip
    out.write("enrollments.csv", [f"e-{sourced_id}", "active", STAMP, sourced_id, school, teacher, "teacher", "true", "", ""])  # fmt: skip
    return sourced_id


def write_student(out, rng, school, number, classes):
    dcid = FIRST_STUDENT_DCID + number
    guardians = [f"g-{dcid}-{n}" for n in range(1 if number % 2 else 2)]
    grade = f"{rng.randint(0, 12):02d}" if number % 13 else "KG"
    family = rng.choice(FAMILY)
    write_user(out, rng, str(dcid), "student", school, identifier=str(FIRST_STUDENT_NUMBER + number),
               email=f"s{dcid}@students.bench.k12.us", agents=",".join(guardians), grades=grade, family=family)  # fmt: skip
    for guardian in guardians:
        write_user(out, rng, guardian, rng.choice(["parent", "guardian"]), school, agents=str(dcid), family=family,
                   phone=f"555-{rng.randint(1000, 9999)}", email=f"{guardian}@example.net")  # fmt: skip
    for class_id in rng.sample(classes, min(CLASSES_PER_STUDENT, len(classes))):
        out.write("enrollments.csv", [f"e-{class_id}-{dcid}", "active", STAMP, class_id, school, str(dcid), "student", "false", "", ""])  # fmt: skip
    out.write("demographics.csv", [
        str(dcid), "active", STAMP, f"{2009 + rng.randint(0, 12)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        rng.choice(["male", "female"]), "false", "false", "false", "false", "true", "false", "false", "", "", "", "",
    ])  # fmt: skip


def write_user(out, rng, sourced_id, role, school, *, identifier="", email="", agents="", grades="", family=None,
               phone=""):  # fmt: skip
    given, family = rng.choice(GIVEN), family or rng.choice(FAMILY)
    out.write("users.csv", [
        sourced_id, "active", STAMP, "true", sourced_id.lower(), "", given, family, "", identifier, email, "",
        phone, agents, grades, "", identifier, "", "", "", "", school, "",
    ])  # fmt: skip
    out.write("roles.csv", [f"r-{sourced_id}", "active", STAMP, sourced_id, "primary", role, "", "", school, ""])


# --- the run -----------------------------------------------------------------------------------------------


def run(students, db_url):
    directory = Path(tempfile.mkdtemp(prefix="raptorlink-oneroster-"))
    db, cleanup = prepare_database(db_url, directory)
    try:
        return measure(students, db, directory)
    finally:
        cleanup()


def measure(students, db, directory):
    from raptorlink.models import District
    from sis_sync.models import RosterSource, Source
    from sis_sync.rosters.service import roster_import

    started = time.monotonic()
    (directory / "set").mkdir()
    rows = generate(directory / "set", students)
    print(f"Generated a OneRoster 1.2 bulk set in {time.monotonic() - started:.1f} s:")
    for name, count in rows.items():
        print(f"  {name:22} {count:9} rows")
    district = District.objects.create(name="Benchmark District", slug="bench")
    RosterSource.objects.create(district=district, owner=Source.ONEROSTER)
    started = time.monotonic()
    result = roster_import(district, Source.ONEROSTER, directory / "set", trigger="benchmark")
    import_s = time.monotonic() - started
    if not result.succeeded:
        raise SystemExit(f"The import {result.run.status}: {result.run.message}")
    load = os.getloadavg()[0]
    print(f"\nImport: {import_s:.1f} s (load average {load:.1f})")
    for entity, counts in result.run.counts.items():
        print(f"  {entity:20} " + ", ".join(f"{outcome} {n}" for outcome, n in counts.items() if n))
    peak = peak_rss_mb()
    print(f"\nPeak memory of the importing process: {peak:.0f} MB ({db})")
    return {
        "students": students,
        "import_s": round(import_s, 2),
        "peak_rss_mb": round(peak, 1),
        "db": db,
        "rows": sum(rows.values()),
        "load_average": round(load, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50000)
    parser.add_argument("--db-url", help="a PostgreSQL URL; the database is created and dropped (default: SQLite)")
    options = parser.parse_args()
    if options.students < 1:
        parser.error("--students must be at least 1")
    print(json.dumps(run(options.students, options.db_url)))


if __name__ == "__main__":
    main()
