"""Rows an upserter writes read back as they were given, on each database's bulk path: a binary COPY on
PostgreSQL (which needs every value in its column's exact type), an executemany on SQLite."""

import datetime

import pytest

from raptorlink.models import District, School
from sis_sync.engine.context import SyncContext
from sis_sync.engine.upsert import Upserter
from sis_sync.models import Contact, Student, SyncRun, Term

NOW = datetime.datetime(2026, 10, 14, 13, 0, tzinfo=datetime.UTC)
PHONES = [{"number": "617-555-0142 x12", "type": "Mobile", "preferred": True, "sms": False}]


@pytest.fixture
def ctx(db):
    district = District.objects.create(name="Lincoln County", slug="lincoln")
    run = SyncRun.objects.create(district=district, kind="full", trigger="test", started_at=NOW)
    return SyncContext(run, None, full=True, now=NOW)


def test_text_json_and_awkward_characters_come_back_as_given(ctx):
    contacts = Upserter(ctx, Contact, "contacts")
    contacts.add(7, {"first_name": "Zoë", "last_name": 'O\'Brien\t\\N "x"\n', "phones": PHONES, "emails": []})
    contacts.add(8, {"first_name": "", "last_name": "Ng", "phones": [], "emails": [{"address": "a@b.org"}]})
    contacts.finish()

    zoe, ng = Contact.objects.get(key="7"), Contact.objects.get(key="8")
    assert (zoe.first_name, zoe.last_name, zoe.phones, zoe.emails) == ("Zoë", 'O\'Brien\t\\N "x"\n', PHONES, [])
    assert (ng.first_name, ng.emails, ng.active, ng.synced_at) == ("", [{"address": "a@b.org"}], True, NOW)


def test_a_number_for_a_text_column_is_written_as_its_text(ctx):
    """PowerSchool sends some names and numbers as numbers (a contact named 1234 by a typing mistake)."""
    contacts = Upserter(ctx, Contact, "contacts")
    contacts.add(9, {"first_name": 1234, "last_name": "Ng", "phones": [], "emails": []})
    contacts.finish()

    assert Contact.objects.get(key="9").first_name == "1234"


def test_dates_flags_numbers_and_references_come_back_as_given(ctx):
    school = School.objects.create(district=ctx.district, name="Lincoln High", number=3001)
    terms = Upserter(ctx, Term, "terms")
    first, last = datetime.date(2026, 8, 31), datetime.date(2027, 6, 19)
    year = {"school_id": school.pk, "ps_id": 3600, "year_id": 36, "name": "2026-2027", "abbreviation": "26-27",
            "first_day": first, "last_day": last, "portion": 1, "is_year": True}  # fmt: skip
    terms.add(3600, year)
    terms.finish()

    term = Term.objects.get(key="3600")
    assert (term.school, term.ps_id, term.first_day, term.last_day, term.is_year) == (school, 3600, first, last, True)


def test_local_fields_a_sync_does_not_write_start_at_their_defaults(ctx):
    students = Upserter(ctx, Student, "students")
    students.add(
        10001, {"dcid": 10001, "ps_id": 1, "student_number": "120001", "first_name": "Ada", "last_name": "Quist"}
    )
    students.finish()

    student = Student.objects.get(key="10001")
    assert (student.first_name, student.preferred_name, student.note) == ("Ada", "", "")
