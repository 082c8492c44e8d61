from datetime import date

from raptorlink.models import School
from sis_sync.models import Contact, Enrollment, Section, Staff, StaffSchool, Student, StudentContact, Term
from sis_sync.rosters.service import roster_import
from tests.rosters.conftest import CLEVER


def mine(model, district, **filters):
    return model.objects.filter(district=district, source="clever", **filters)


def created(run):
    return {entity: counts["created"] for entity, counts in run.counts.items() if counts["created"]}


def test_a_clever_set_fills_schools_people_contacts_and_schedules(lincoln_on_clever):
    run = roster_import(lincoln_on_clever, "clever", CLEVER).run

    assert (run.status, run.source, run.kind) == ("succeeded", "clever", "full")
    assert created(run) == {
        "schools": 2, "students": 4, "contacts": 3, "student_contacts": 3, "staff": 4, "staff_schools": 5,
        "terms": 3, "sections": 4, "enrollments": 5,
    }  # fmt: skip
    south = School.objects.get(district=lincoln_on_clever, key="sch-south")
    assert (south.number, south.name, south.low_grade, south.high_grade) == (210, "Lincoln South Elementary", 0, 5)


def test_a_clever_student_has_the_dcid_of_its_student_id_and_its_contact_from_its_own_row(lincoln_on_clever):
    roster_import(lincoln_on_clever, "clever", CLEVER)

    ada = mine(Student, lincoln_on_clever).get(key="90001")
    assert (ada.dcid, ada.student_number, ada.state_number, ada.grade_level, ada.school.number) == (
        90001, "100234", "NE1000234", 10, 100,
    )  # fmt: skip
    link = mine(StudentContact, lincoln_on_clever).get(student=ada)
    assert (link.relationship, link.custodial, link.school_pickup, link.contact.key) == (
        "Mother",
        True,
        True,
        "gu-3001",
    )
    assert (link.contact.first_name, link.contact.last_name) == ("Ngozi", "Okonkwo")
    assert link.contact.phones == [{"number": "402-555-0311", "type": "cell", "preferred": True, "sms": False}]
    assert mine(Student, lincoln_on_clever).get(key="90003").grade_level == 0
    lucia = mine(StudentContact, lincoln_on_clever).get(student__key="90003")
    assert (lucia.contact.key, lucia.custodial, lucia.emergency) == ("90003|contact", False, True)
    assert not mine(StudentContact, lincoln_on_clever).filter(student__key="90004").exists()
    assert mine(Contact, lincoln_on_clever).count() == 3


def test_a_teacher_at_two_schools_is_one_person_with_two_places(lincoln_on_clever):
    roster_import(lincoln_on_clever, "clever", CLEVER)

    diaz = mine(Staff, lincoln_on_clever).get(key="te-502")
    assert sorted(mine(StaffSchool, lincoln_on_clever, staff=diaz).values_list("school__number", flat=True)) == [
        100,
        210,
    ]
    assert mine(Staff, lincoln_on_clever).get(key="st-701").title == "Attendance Secretary"


def test_sections_take_their_term_and_teacher_and_enrollments_the_terms_dates(lincoln_on_clever):
    roster_import(lincoln_on_clever, "clever", CLEVER)

    history = mine(Section, lincoln_on_clever).get(key="sec-1001")
    assert (history.course_number, history.course_name, history.section_number, history.expression) == (
        "SS2100", "US History", "2", "2",
    )  # fmt: skip
    assert (history.teacher.staff.key, history.teacher.school.number) == ("te-501", 100)
    fall = history.term
    assert (fall.name, fall.first_day, fall.last_day, fall.year_id, fall.portion) == (
        "Fall 2026", date(2026, 8, 17), date(2026, 12, 18), 36, 2,
    )  # fmt: skip
    assert mine(Term, lincoln_on_clever, is_year=True).count() == 2
    jonah = mine(Enrollment, lincoln_on_clever).get(student__key="90002", section=history)
    assert (jonah.entry_date, jonah.exit_date) == (date(2026, 8, 17), date(2026, 12, 18))


def test_a_section_without_a_term_enrolls_for_the_current_school_year(lincoln_on_clever):
    roster_import(lincoln_on_clever, "clever", CLEVER)

    min_jun = mine(Enrollment, lincoln_on_clever).get(section__key="sec-2002")
    start = min_jun.entry_date
    assert (start.month, start.day, min_jun.exit_date) == (7, 1, date(start.year + 1, 6, 30))
    assert mine(Section, lincoln_on_clever).get(key="sec-2002").term is None


def test_importing_the_same_clever_set_twice_writes_nothing(lincoln_on_clever):
    roster_import(lincoln_on_clever, "clever", CLEVER)
    before = dict(mine(Student, lincoln_on_clever).values_list("key", "synced_at"))

    run = roster_import(lincoln_on_clever, "clever", CLEVER).run

    assert created(run) == {}
    assert all(counts["updated"] == counts["deactivated"] == 0 for counts in run.counts.values())
    assert dict(mine(Student, lincoln_on_clever).values_list("key", "synced_at")) == before


def test_a_clever_set_deactivates_what_it_no_longer_lists(lincoln_on_clever, copy_set):
    roster_import(lincoln_on_clever, "clever", CLEVER)
    smaller = copy_set(CLEVER)
    smaller.drop_line("enrollments.csv", "sch-north,sec-1001,90002")

    run = roster_import(lincoln_on_clever, "clever", smaller.path).run

    assert {entity: c["deactivated"] for entity, c in run.counts.items() if c["deactivated"]} == {"enrollments": 1}
    assert not mine(Enrollment, lincoln_on_clever).get(key="sec-1001|90002").active
