"""Finding the student at the door: by the number a card or a person types, or by part of the name.

Both look through the whole district, so a number of another building's student gets a message that says so
instead of "unknown"; only the building's own active students can be chosen.
"""

from dataclasses import dataclass

from django.db.models import F, Q

from raptorlink.models import VisibleStudentId, grade_label
from raptorlink.numbers import is_plain_number
from sis_sync.engine.students import search_text
from sis_sync.models import Student

SEARCH_LIMIT = 12
SEARCH_MIN_LENGTH = 2
SIGN_IN_AT_DESK = "Please sign in at the front desk."


@dataclass(frozen=True)
class Lookup:
    """A student who may sign in here (`problem` empty), or why not; `student` is None when nobody matched."""

    student: Student | None
    problem: str = ""

    @property
    def ok(self):
        return self.student is not None and not self.problem


def visible_id(student, district):
    """The number people see and type for `student`: the student number or STUDENTS.ID, per the district."""
    return visible_number(district, student.ps_id, student.student_number)


def visible_number(district, ps_id, student_number):
    """STUDENTS.ID where the district shows it and the student has one; else the student number (a roster's
    student whom no PowerSchool sync has linked yet), never a blank."""
    if district.visible_student_id == VisibleStudentId.SIS_ID and ps_id:
        return str(ps_id)
    return student_number


def student_by_number(building, typed):
    """The student whose visible id is `typed` (what a card reader or a person entered)."""
    typed = (typed or "").strip()
    district = building.district
    if not typed:
        return Lookup(None, "Scan your card or type your student number.")
    students = Student.objects.filter(district=district).select_related("school", "school__building")
    if district.visible_student_id == VisibleStudentId.SIS_ID:
        if not is_plain_number(typed):
            return Lookup(None, f"“{typed}” is not a student id: it has only digits.")
        # A student not linked to PowerSchool yet shows their student number instead (see `visible_number`).
        students = students.filter(Q(ps_id=int(typed)) | Q(ps_id__isnull=True, student_number=typed))
    else:
        students = students.filter(student_number=typed)
    # An active PowerSchool record first, should an old copy from another source share the number.
    student = students.order_by("-active", F("ps_id").asc(nulls_last=True), "source").first()
    if student is None:
        return Lookup(None, f"No student has the number {typed}.")
    return Lookup(student, student_problem(student, building))


def student_problem(student, building):
    """Why `student` cannot sign in or out at `building`, or ""."""
    if not student.active or student.enroll_status != Student.EnrollStatus.ACTIVE:
        return f"{student.display_name} is no longer enrolled (not active in PowerSchool)."
    if student.school is None or student.school.building_id != building.pk:
        return f"{student.display_name} does not attend a school in {building}."
    return ""


def self_serve_problem(student, building):
    """Why `student` may not sign in at `building`'s kiosks though the front desk may sign them in, or ""."""
    if building.self_serves(student.grade_level):
        return ""
    if student.grade_level is None:
        return f"The kiosk does not know {student.display_name}'s grade. {SIGN_IN_AT_DESK}"
    return f"Students in grade {grade_label(student.grade_level)} do not sign in at the kiosk. {SIGN_IN_AT_DESK}"


def students_of_building(building):
    """The building's active students, across all of its PowerSchool schools."""
    # The schools' ids as a list rather than a join on the school's building: given the join, SQLite walks every
    # student of the district (50,000 for a building of 700) instead of the building's schools' students.
    schools = list(building.schools.values_list("pk", flat=True))
    return Student.objects.filter(
        district=building.district,
        active=True,
        enroll_status=Student.EnrollStatus.ACTIVE,
        school__in=schools,
    )


def students_by_name(building, text, limit=SEARCH_LIMIT):
    """The building's active students whose names contain every word of `text` (any order, accents and case
    ignored), by last name; none for fewer than two letters."""
    words = search_text(text or "").split()
    if sum(len(word) for word in words) < SEARCH_MIN_LENGTH:
        return []
    students = students_of_building(building)
    for word in words:
        students = students.filter(search_name__contains=word)
    # PowerSchool rows first, should another source hold a copy of the same student.
    ordered = students.order_by("last_name", "first_name", "source").select_related("school")
    return list(ordered[:limit])
