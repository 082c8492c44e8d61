"""Synced rows made with the ORM: a school in a building, its students and attendance codes, reasons and mappings."""

from datetime import date

from django.utils import timezone

from kiosk.models import EventKind, Reason, ReasonCode
from raptorlink.models import School
from sis_sync.models import AttendanceCode, Student

THIS_YEAR = 36  # 2026-27
LAST_YEAR = 35


def synced(district, key):
    return {"district": district, "key": str(key), "fingerprint": "f", "synced_at": timezone.now()}


def add_school(district, building, number, name):
    return School.objects.create(district=district, building=building, dcid=number * 10, number=number, name=name)


def add_student(school, number, first="Ada", last="Lovelace", grade=9, active=True):
    return Student.objects.create(
        **synced(school.district, 5000 + number),
        dcid=5000 + number,
        ps_id=9000 + number,
        student_number=str(100000 + number),
        first_name=first,
        last_name=last,
        grade_level=grade,
        school=school,
        active=active,
        entry_date=date(2026, 8, 20),
    )


def add_codes(school, year_id, texts):
    for offset, text in enumerate(texts):
        ps_id = year_id * 100000 + school.number * 10 + offset
        AttendanceCode.objects.create(
            **synced(school.district, f"code-{ps_id}"),
            school=school,
            ps_id=ps_id,
            year_id=year_id,
            code=text,
            description=f"{text} code",
        )


def add_reason(district, label, kind=EventKind.LATE_CHECK_IN, building=None, codes=None, **fields):
    reason = Reason.objects.create(district=district, building=building, kind=kind, label=label, **fields)
    for school, code in (codes or {}).items():
        ReasonCode.objects.create(reason=reason, school=school, code=code)
    return reason
