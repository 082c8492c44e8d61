import shutil
from datetime import date

import pytest

from raptorlink.models import School
from sis_sync.models import (
    Contact,
    Enrollment,
    RosterSource,
    Section,
    Staff,
    StaffSchool,
    Student,
    StudentContact,
    SyncRun,
    Term,
)
from sis_sync.rosters.csvfiles import RosterError
from sis_sync.rosters.service import roster_import
from tests.rosters.conftest import ONEROSTER_11, ONEROSTER_12, ONEROSTER_12_DELTA, roster_from


def mine(model, district, **filters):
    return model.objects.filter(district=district, source="oneroster", **filters)


def totals(run, outcome):
    return {entity: counts[outcome] for entity, counts in run.counts.items() if counts[outcome]}


# --- 1.1 bulk -----------------------------------------------------------------------------------------


def test_a_1_1_bulk_set_fills_schools_terms_people_and_schedules(lincoln_on_oneroster):
    result = roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)

    run = result.run
    assert (run.status, run.source, run.kind, run.trigger) == ("succeeded", "oneroster", "full", "command")
    assert totals(run, "created") == {
        "schools": 2, "terms": 6, "students": 4, "staff": 3, "contacts": 3, "staff_schools": 3,
        "student_contacts": 4, "sections": 3, "enrollments": 5,
    }  # fmt: skip
    schools = School.objects.filter(district=lincoln_on_oneroster).order_by("number")
    assert [(s.number, s.name, s.source, s.key, s.dcid) for s in schools] == [
        (100, "Lincoln High School", "oneroster", "org-lhs", None),
        (200, "Lincoln Middle School", "oneroster", "org-lms", None),
    ]


def test_a_1_1_student_carries_the_student_number_grade_school_and_the_dcid_of_its_sourced_id(lincoln_on_oneroster):
    roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)

    ava = mine(Student, lincoln_on_oneroster).get(key="5001")
    assert (ava.dcid, ava.ps_id, ava.student_number, ava.grade_level, ava.school.number) == (
        5001,
        None,
        "230101",
        10,
        100,
    )
    assert (ava.first_name, ava.middle_name, ava.last_name) == ("Ava", "Linh", "Nguyen")
    zoe = mine(Student, lincoln_on_oneroster).get(key="5003")
    assert (zoe.first_name, zoe.search_name, zoe.grade_level) == ("Zoë", "zoe martin", 7)


def test_guardians_named_on_either_side_of_agent_sourced_ids_become_contacts_of_their_students(lincoln_on_oneroster):
    roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)

    links = mine(StudentContact, lincoln_on_oneroster).order_by("student__key", "contact__key")
    assert [(link.student.key, link.contact.key, link.relationship, link.custodial) for link in links] == [
        ("5001", "g-7001", "Parent", True),
        ("5002", "g-7002", "Guardian", True),
        ("5002", "g-7003", "Relative", False),
        ("5003", "g-7003", "Relative", False),
    ]
    minh = mine(Contact, lincoln_on_oneroster).get(key="g-7001")
    assert minh.phones == [
        {"number": "402-555-0111", "type": "Phone", "preferred": True, "sms": False},
        {"number": "402-555-0112", "type": "Mobile", "preferred": False, "sms": True},
    ]
    assert minh.emails == [{"address": "minh.nguyen@example.com", "type": "", "primary": True}]


def test_teachers_belong_to_each_school_of_their_orgs_and_a_district_administrator_to_none(lincoln_on_oneroster):
    roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)

    places = mine(StaffSchool, lincoln_on_oneroster).order_by("staff__key", "school__number")
    assert [(place.staff.key, place.school.number, place.ps_id) for place in places] == [
        ("t-okafor", 100, None),
        ("t-okafor", 200, None),
        ("t-ramirez", 100, None),
    ]
    chen = mine(Staff, lincoln_on_oneroster).get(key="a-chen")
    assert (chen.title, chen.teacher_number, chen.email) == ("administrator", "A001", "mchen@lincoln.k12.us")


def test_classes_become_sections_with_their_term_and_primary_teacher(lincoln_on_oneroster):
    roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)

    algebra = mine(Section, lincoln_on_oneroster).get(key="cl-alg2-1")
    assert (algebra.course_number, algebra.course_name, algebra.expression) == (
        "MA2201-1", "Algebra II - Period 1", "1",
    )  # fmt: skip
    assert (algebra.school.number, algebra.term.name, algebra.teacher.staff.key) == (100, "Semester 1", "t-ramirez")
    semester = algebra.term
    assert (semester.year_id, semester.portion, semester.is_year, semester.first_day, semester.last_day) == (
        36, 2, False, date(2026, 8, 17), date(2026, 12, 18),
    )  # fmt: skip


def test_an_enrollment_is_dated_by_its_own_dates_or_else_its_class_term(lincoln_on_oneroster):
    roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)

    enrollments = mine(Enrollment, lincoln_on_oneroster)
    assert (enrollments.get(key="en-3").entry_date, enrollments.get(key="en-3").exit_date) == (
        date(2026, 9, 8), date(2026, 12, 18),
    )  # fmt: skip
    assert (enrollments.get(key="en-7").entry_date, enrollments.get(key="en-7").exit_date) == (
        date(2026, 8, 17), date(2027, 5, 28),
    )  # fmt: skip
    assert not enrollments.filter(student__key__startswith="t-").exists()


def test_importing_the_same_set_twice_writes_nothing(lincoln_on_oneroster):
    roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)
    written = {model: dict(mine(model, lincoln_on_oneroster).values_list("key", "synced_at"))
               for model in (Student, Staff, Contact, Section, Enrollment, Term)}  # fmt: skip

    again = roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11).run

    assert totals(again, "created") == totals(again, "updated") == totals(again, "deactivated") == {}
    assert totals(again, "unchanged")["students"] == 4
    for model, synced in written.items():
        assert dict(mine(model, lincoln_on_oneroster).values_list("key", "synced_at")) == synced


def test_a_bulk_set_deactivates_what_it_no_longer_lists(lincoln_on_oneroster, copy_set):
    roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11)
    smaller = copy_set(ONEROSTER_11)
    smaller.drop_line("users.csv", "5004,")
    smaller.drop_line("enrollments.csv", "en-8,")
    smaller.drop_line("demographics.csv", "5004,")

    run = roster_import(lincoln_on_oneroster, "oneroster", smaller.path).run

    assert totals(run, "deactivated") == {"students": 1, "enrollments": 1}
    assert not mine(Student, lincoln_on_oneroster).get(key="5004").active
    assert not mine(Enrollment, lincoln_on_oneroster).get(key="en-8").active
    assert mine(Student, lincoln_on_oneroster, active=True).count() == 3


def test_a_zip_of_the_set_imports_like_the_folder(lincoln_on_oneroster, tmp_path):
    archive = shutil.make_archive(str(tmp_path / "classlink"), "zip", ONEROSTER_11)

    run = roster_import(lincoln_on_oneroster, "oneroster", archive).run

    assert run.status == "succeeded"
    assert mine(Student, lincoln_on_oneroster).count() == 4


def test_a_dry_run_checks_and_counts_but_changes_nothing_and_records_no_run(lincoln_on_oneroster):
    result = roster_import(lincoln_on_oneroster, "oneroster", ONEROSTER_11, dry_run=True)

    assert result.succeeded and totals(result.run, "created")["students"] == 4
    assert not mine(Student, lincoln_on_oneroster).exists()
    assert not School.objects.filter(district=lincoln_on_oneroster).exists()
    assert not SyncRun.objects.filter(district=lincoln_on_oneroster).exists()


def test_a_school_the_powerschool_sync_brought_keeps_its_building_when_the_roster_moves_to_oneroster(world):
    school = School.objects.create(district=world.district, building=world.north, dcid=11, number=100, name="LHS")
    roster_from(world.district, "oneroster")

    roster_import(world.district, "oneroster", ONEROSTER_11)

    school.refresh_from_db()
    assert (school.name, school.building, school.dcid, school.source, school.key) == (
        "Lincoln High School", world.north, 11, "oneroster", "org-lhs",
    )  # fmt: skip


# --- identifier rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "rule", "dcid", "ps_id"),
    [
        ("record_id", "dcid", 5001, None),
        ("record_id", "id", None, 5001),
        ("student_number", "dcid", 230101, None),
        ("student_number", "student_number", None, None),
    ],
)
def test_the_district_says_which_field_holds_which_powerschool_identifier(world, field, rule, dcid, ps_id):
    roster_from(world.district, "oneroster", identifier_field=field, identifier_rule=rule)

    roster_import(world.district, "oneroster", ONEROSTER_11)

    ava = mine(Student, world.district).get(key="5001")
    assert (ava.dcid, ava.ps_id, ava.student_number) == (dcid, ps_id, "230101")


def test_a_sourced_id_that_is_not_a_dcid_is_refused_naming_the_setting(lincoln_on_oneroster, copy_set):
    guids = copy_set(ONEROSTER_11)
    guids.replace("users.csv", "5004,,,true", "6f1c2d9e-5004,,,true")
    guids.replace("enrollments.csv", "org-lms,5004,", "org-lms,6f1c2d9e-5004,")
    guids.replace("demographics.csv", "5004,,,", "6f1c2d9e-5004,,,")

    run = roster_import(lincoln_on_oneroster, "oneroster", guids.path).run

    assert run.status == "failed"
    assert "users.csv row 5, column sourcedId: “6f1c2d9e-5004” is not a PowerSchool STUDENTS.DCID" in run.message
    assert "roster source settings" in run.message
    assert not Student.objects.filter(district=lincoln_on_oneroster).exists()


def test_a_district_whose_roster_comes_from_powerschool_refuses_a_oneroster_set(world):
    with pytest.raises(RosterError, match="Lincoln County Schools's roster comes from PowerSchool, not OneRoster"):
        roster_import(world.district, "oneroster", ONEROSTER_11)

    assert RosterSource.objects.get(district=world.district).owner == "powerschool"
    assert not Student.objects.filter(district=world.district).exists()


# --- 1.2 bulk and delta -------------------------------------------------------------------------------------


@pytest.fixture
def riverside_on_oneroster(world):
    roster_from(world.other_district, "oneroster")
    return world.other_district


def test_a_1_2_bulk_set_takes_roles_and_schools_from_roles_csv(riverside_on_oneroster):
    run = roster_import(riverside_on_oneroster, "oneroster", ONEROSTER_12).run

    assert run.status == "succeeded", run.message
    assert totals(run, "created") == {
        "schools": 1, "terms": 2, "students": 3, "staff": 2, "contacts": 2, "staff_schools": 2,
        "student_contacts": 2, "sections": 2, "enrollments": 3,
    }  # fmt: skip
    harris = mine(Staff, riverside_on_oneroster).get(key="p-harris")
    assert harris.title == "districtAdministrator, principal"
    assert [place.school.number for place in harris.schools.all()] == [300]
    sofia = mine(Student, riverside_on_oneroster).get(key="81001")
    assert (sofia.dcid, sofia.student_number, sofia.grade_level, sofia.school.number) == (81001, "300412", 9, 300)
    assert [link.contact.key for link in sofia.contacts.all()] == ["p-501"]


def test_a_1_2_delta_set_applies_only_its_changes(riverside_on_oneroster):
    roster_import(riverside_on_oneroster, "oneroster", ONEROSTER_12)
    sofia_before = mine(Student, riverside_on_oneroster).get(key="81001").synced_at

    run = roster_import(riverside_on_oneroster, "oneroster", ONEROSTER_12_DELTA).run

    assert (run.status, run.kind) == ("succeeded", "delta")
    students = mine(Student, riverside_on_oneroster)
    assert students.get(key="81002").last_name == "Wright-Johnson"
    assert not students.get(key="81003").active
    assert (students.get(key="81004").first_name, students.get(key="81004").active) == ("Noah", True)
    assert students.get(key="81001").synced_at == sofia_before
    enrollments = mine(Enrollment, riverside_on_oneroster)
    assert not enrollments.get(key="e-105").active
    assert enrollments.get(key="e-106").entry_date == date(2026, 9, 14)
    assert enrollments.filter(active=True).count() == 3
    assert mine(Section, riverside_on_oneroster, active=True).count() == 2
    assert totals(run, "deactivated") == {"students": 1, "enrollments": 1}


def test_a_1_2_delta_may_change_a_user_without_repeating_their_roles(riverside_on_oneroster, copy_set):
    roster_import(riverside_on_oneroster, "oneroster", ONEROSTER_12)
    rename = copy_set(ONEROSTER_12_DELTA)
    rename.replace("manifest.csv", "file.roles,delta", "file.roles,absent")
    rename.replace("manifest.csv", "file.enrollments,delta", "file.enrollments,absent")
    (rename.path / "roles.csv").unlink()
    (rename.path / "enrollments.csv").unlink()
    rename.drop_line("users.csv", "81004,")

    run = roster_import(riverside_on_oneroster, "oneroster", rename.path).run

    assert run.status == "succeeded", run.message
    jamal = mine(Student, riverside_on_oneroster).get(key="81002")
    assert (jamal.last_name, jamal.school.number) == ("Wright-Johnson", 300)


def test_a_1_2_bulk_set_without_roles_csv_is_refused(riverside_on_oneroster, copy_set):
    no_roles = copy_set(ONEROSTER_12)
    no_roles.replace("manifest.csv", "file.roles,bulk", "file.roles,absent")
    (no_roles.path / "roles.csv").unlink()

    run = roster_import(riverside_on_oneroster, "oneroster", no_roles.path).run

    assert run.status == "failed"
    assert run.message == (
        "Nothing was imported: a OneRoster 1.2 set with a bulk users.csv needs roles.csv (a 1.2 user's roles live there)."
    )
