"""Students (table STUDENTS): DCID, ID and student number kept apart; local fields are never written."""

import unicodedata

from sis_sync.engine.pull import TablePull, reference, required, whole
from sis_sync.models import Source, Student

# PowerSchool's "Graduated Students" school: a real school number, but no school anyone signs in at.
GRADUATED_SCHOOL_NUMBER = 999999
ENROLL_STATUSES = set(Student.EnrollStatus.values)


def student_values(ctx, row):
    school = row["schoolid"]
    return whole(row["dcid"], "DCID"), {
        "dcid": row["dcid"],
        "ps_id": whole(row["id"], "STUDENTS.ID"),
        "student_number": required(row["student_number"], "Student number"),
        "state_number": row["state_studentnumber"] or "",
        "first_name": required(row["first_name"], "First name"),
        "middle_name": row["middle_name"] or "",
        "last_name": required(row["last_name"], "Last name"),
        "grade_level": row["grade_level"] if isinstance(row["grade_level"], int) else None,
        "school_id": None
        if school == GRADUATED_SCHOOL_NUMBER
        else reference(ctx.lookup("school"), school, "School number"),
        "enroll_status": _enroll_status(row["enroll_status"]),
        "entry_date": row["entrydate"],
        "exit_date": row["exitdate"],
        "phone": row["home_phone"] or "",
    }


def _enroll_status(code):
    """PowerSchool: 0 active, -1 pre-registered, 2 transferred out, 3 graduated, 4 historical, else inactive."""
    return code if code in ENROLL_STATUSES else Student.EnrollStatus.INACTIVE


def with_search_name(values, existing):
    preferred = existing["preferred_name"] if existing else ""
    parts = (values["first_name"], values["middle_name"], values["last_name"], preferred)
    return {"search_name": search_text(" ".join(part for part in parts if part))}


def search_text(text):
    """Accent-free and lower-case, so "Zoë" is found by typing "zoe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()[:400]


STUDENT_UPSERT = {"keep": ("preferred_name",), "derive": with_search_name}

PULL = TablePull(
    "students",
    Student,
    "students",
    student_values,
    lambda ctx: ctx.client.student_rows(),
    lambda ctx: Student.objects.filter(district=ctx.district, source=Source.POWERSCHOOL),
    ("student", "student_dcid"),
    STUDENT_UPSERT,
)
