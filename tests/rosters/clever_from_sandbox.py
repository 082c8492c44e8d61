"""A Clever set that shares a sandbox PowerSchool district the way districts set Clever up: its schools by school
number, and each student's Student_id holding what the district chose (the STUDENTS.DCID by default)."""

import csv

from sandbox.app import SandboxApp
from tests.sis_sync.conftest import start_history
from tests.sis_sync.sandbox import FakeClock

GRADES = {0: "Kindergarten", -1: "PreKindergarten"}
HEADERS = {
    "schools.csv": ["School_id", "School_name", "School_number", "Low_grade", "High_grade"],
    "students.csv": ["School_id", "Student_id", "Student_number", "Last_name", "First_name", "Grade"],
    "teachers.csv": ["School_id", "Teacher_id", "Teacher_email", "Last_name", "First_name"],
    "sections.csv": ["School_id", "Section_id", "Teacher_id"],
    "enrollments.csv": ["School_id", "Section_id", "Student_id"],
}


def served(store):
    """The sandbox's app and clock, its data version started as a live PowerSchool's is."""
    clock = FakeClock()
    start_history(store)
    return SandboxApp(store, clock=clock), clock


def clever_set(store, directory, student_id="dcid"):
    """Write the set to `directory` from the sandbox's active students; `student_id` is the sandbox column
    (dcid, id or a made-up "sis-…" id when "other") that Student_id carries. Returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    schools = store.query("SELECT dcid, school_number, name, low_grade, high_grade FROM schools ORDER BY dcid")
    students = store.query(
        "SELECT dcid, id, student_number, first_name, last_name, grade_level, schoolid FROM students "
        "WHERE enroll_status = 0 ORDER BY dcid"
    )
    rows = {
        "schools.csv": [
            [f"sch-{school['dcid']}", school["name"], school["school_number"], grade(school["low_grade"]),
             grade(school["high_grade"])]
            for school in schools
        ],
        "students.csv": [
            [f"sch-{number_to_dcid(schools, student['schoolid'])}", clever_id(student, student_id),
             student["student_number"], student["last_name"], student["first_name"], grade(student["grade_level"])]
            for student in students
        ],
        "teachers.csv": [],
        "sections.csv": [],
        "enrollments.csv": [],
    }  # fmt: skip
    for name, header in HEADERS.items():
        with (directory / name).open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(rows[name])
    return directory


def clever_id(student, column):
    return f"sis-{student['student_number']}" if column == "other" else student[column]


def number_to_dcid(schools, number):
    return next(school["dcid"] for school in schools if school["school_number"] == number)


def grade(level):
    if level is None:
        return ""
    return GRADES.get(level, str(level))
