import datetime

import pytest
import time_machine

from sandbox import generator, mutations


def _changes(store):
    return [
        (row["table_name"], row["operation"])
        for row in store.query("SELECT table_name, operation FROM sandbox_dataversion ORDER BY version")
    ]


def _active_student(store, school_number):
    return store.query_one(
        "SELECT * FROM students WHERE schoolid = ? AND enroll_status = 0 AND entrydate <= '2026-10-14' ORDER BY dcid",
        (school_number,),
    )


def _enroll(store, **overrides):
    fields = {
        "school_number": 3001,
        "grade_level": 9,
        "first_name": "Zoë",
        "last_name": "Nuñez",
        "entrydate": "2026-10-14",
        "contacts": [
            {
                "first_name": "Inés",
                "last_name": "Nuñez",
                "relationship": "Mother",
                "phone": "617-555-0111",
                "email": "ines@example.com",
            }
        ],
    }
    return mutations.enroll_student(store, **{**fields, **overrides})


def test_enrolling_a_student_records_the_student_contacts_and_schedule(sandbox_store):
    student = _enroll(sandbox_store)
    row = sandbox_store.query_one("SELECT * FROM students WHERE dcid = ?", (student["dcid"],))
    assert len({row["dcid"], row["id"], row["student_number"]}) == 3
    assert (row["lastfirst"], row["exitdate"], row["mother"]) == ("Nuñez, Zoë", "2027-06-19", "Nuñez, Inés")
    changes = _changes(sandbox_store)
    assert ("students", "insert") in changes and ("person", "insert") in changes
    assert ("studentcontactdetail", "insert") in changes and changes.count(("cc", "insert")) >= 6


def test_an_enrolled_students_schedule_never_double_books_a_period(sandbox_store):
    student = _enroll(sandbox_store)
    enrolments = sandbox_store.query("SELECT expression, termid FROM cc WHERE studentid = ?", (student["id"],))
    slots = [
        (period, letter, quarter)
        for cc in enrolments
        for period, letter in generator.expand_expression(cc["expression"])
        for quarter in mutations._quarters(cc["termid"])
    ]
    assert len(slots) == len(set(slots))
    assert {period for period, _, _ in slots} == set(range(1, 8))


def test_enrolling_in_named_sections_uses_exactly_those(sandbox_store):
    section = sandbox_store.query_one("SELECT * FROM sections WHERE schoolid = 3001 AND termid = 3600 ORDER BY dcid")
    student = _enroll(sandbox_store, sections=[section["dcid"]], contacts=[])
    assert [
        row[0] for row in sandbox_store.query("SELECT sectionid FROM cc WHERE studentid = ?", (student["id"],))
    ] == [section["id"]]


@time_machine.travel(datetime.datetime(2026, 10, 14, 12, 0), tick=False)
def test_a_student_enrolled_in_the_future_is_pre_registered(sandbox_store):
    student = _enroll(sandbox_store, entrydate="2026-10-19")
    assert sandbox_store.query_one("SELECT enroll_status FROM students WHERE dcid = ?", (student["dcid"],))[0] == -1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"school_number": 9999}, "No school with school_number 9999"),
        ({"grade_level": 3}, "teaches grades 9 to 12, not 3"),
        ({"first_name": " "}, "first_name must be a non-empty string"),
        ({"entrydate": "14/10/2026"}, "entrydate must be a date"),
        ({"entrydate": "2030-01-05"}, "no school year containing"),
        ({"gender": "Q"}, "gender must be"),
        (
            {"contacts": [{"first_name": "A", "last_name": "B", "relationship": "Cousin twice removed"}]},
            "Unknown relationship",
        ),
        ({"sections": [5]}, "No section with DCID 5"),
    ],
)
def test_enrolling_with_bad_input_is_refused_and_changes_nothing(sandbox_store, overrides, message):
    with pytest.raises(ValueError, match=message):
        _enroll(sandbox_store, **overrides)
    assert sandbox_store.current_dataversion() == 0


def test_withdrawing_a_student_closes_the_enrolment_and_the_classes(sandbox_store):
    student = _active_student(sandbox_store, 3001)
    mutations.withdraw_student(sandbox_store, student["dcid"], exitdate="2026-10-20")
    row = sandbox_store.query_one("SELECT enroll_status, exitdate FROM students WHERE dcid = ?", (student["dcid"],))
    assert tuple(row) == (2, "2026-10-20")
    still_open = sandbox_store.query(
        "SELECT * FROM cc WHERE studentid = ? AND sectionid > 0 AND dateleft > '2026-10-20'", (student["id"],)
    )
    assert still_open == []
    changes = _changes(sandbox_store)
    assert changes[0] == ("students", "update") and ("cc", "update") in changes


def test_withdrawing_drops_classes_that_had_not_started(sandbox_store):
    student = _active_student(sandbox_store, 2001)
    mutations.withdraw_student(sandbox_store, student["dcid"], exitdate="2026-10-20")
    later = sandbox_store.query(
        "SELECT sectionid, termid, dateenrolled, dateleft FROM cc WHERE studentid = ? AND dateenrolled >= '2026-10-20'",
        (student["id"],),
    )
    assert all(row["sectionid"] < 0 and row["termid"] < 0 and row["dateleft"] == row["dateenrolled"] for row in later)


def test_withdrawing_an_unknown_or_inactive_student_is_refused(sandbox_store):
    with pytest.raises(ValueError, match="No student with DCID 1"):
        mutations.withdraw_student(sandbox_store, 1)
    student = _active_student(sandbox_store, 3001)
    mutations.withdraw_student(sandbox_store, student["dcid"], exitdate="2026-10-20")
    with pytest.raises(ValueError, match="is not active"):
        mutations.withdraw_student(sandbox_store, student["dcid"], exitdate="2026-10-21")


def test_withdrawing_before_the_entry_date_is_refused(sandbox_store):
    student = _active_student(sandbox_store, 3001)
    with pytest.raises(ValueError, match="must be after the entrydate"):
        mutations.withdraw_student(sandbox_store, student["dcid"], exitdate="2020-01-01")


def test_renaming_a_student_updates_lastfirst_and_logs_one_update(sandbox_store):
    student = _active_student(sandbox_store, 1001)
    mutations.rename_student(sandbox_store, student["dcid"], first_name="Renée", last_name="O'Brien")
    row = sandbox_store.query_one(
        "SELECT first_name, last_name, lastfirst FROM students WHERE dcid = ?", (student["dcid"],)
    )
    assert tuple(row) == ("Renée", "O'Brien", f"O'Brien, Renée {student['middle_name']}")
    assert _changes(sandbox_store) == [("students", "update")]


def test_renaming_without_a_name_is_refused(sandbox_store):
    with pytest.raises(ValueError, match="at least one"):
        mutations.rename_student(sandbox_store, _active_student(sandbox_store, 1001)["dcid"])


def test_adding_a_contact_links_a_new_person_and_updates_the_legacy_fields(sandbox_store):
    student = _active_student(sandbox_store, 1001)
    result = mutations.change_contacts(
        sandbox_store,
        student["dcid"],
        add=[
            {
                "first_name": "Oisín",
                "last_name": "Ó Súilleabháin",
                "relationship": "Uncle",
                "phone": "617-555-0199",
                "school_pickup": True,
            }
        ],
    )
    person_id = result["added_person_ids"][0]
    detail = sandbox_store.query_one(
        """SELECT d.* FROM studentcontactassoc a JOIN studentcontactdetail d ON d.studentcontactassocid = a.studentcontactassocid
           WHERE a.studentdcid = ? AND a.personid = ?""",
        (student["dcid"], person_id),
    )
    assert (detail["schoolpickupflg"], detail["isemergency"], detail["iscustodial"]) == (1, 1, 0)
    assert ("person", "insert") in _changes(sandbox_store) and ("phonenumber", "insert") in _changes(sandbox_store)


def test_a_siblings_existing_contact_can_be_linked(sandbox_store):
    student = _active_student(sandbox_store, 1001)
    other = sandbox_store.query_one(
        "SELECT personid FROM studentcontactassoc WHERE studentdcid != ? LIMIT 1", (student["dcid"],)
    )
    mutations.change_contacts(sandbox_store, student["dcid"], add=[{"person_id": other[0], "relationship": "Aunt"}])
    assert ("person", "insert") not in _changes(sandbox_store)
    with pytest.raises(ValueError, match="already a contact"):
        mutations.change_contacts(sandbox_store, student["dcid"], add=[{"person_id": other[0], "relationship": "Aunt"}])


def test_removing_a_contact_deletes_the_association_and_logs_the_deletes(sandbox_store):
    student = _active_student(sandbox_store, 1001)
    person_id = sandbox_store.query_one(
        "SELECT personid FROM studentcontactassoc WHERE studentdcid = ?", (student["dcid"],)
    )[0]
    mutations.change_contacts(sandbox_store, student["dcid"], remove=[person_id])
    assert (
        sandbox_store.query(
            "SELECT 1 FROM studentcontactassoc WHERE studentdcid = ? AND personid = ?", (student["dcid"], person_id)
        )
        == []
    )
    assert {("studentcontactassoc", "delete"), ("studentcontactdetail", "delete")} <= set(_changes(sandbox_store))


def test_flipping_the_pickup_flag_updates_the_detail_row(sandbox_store):
    student = _active_student(sandbox_store, 1001)
    person_id = sandbox_store.query_one(
        "SELECT personid FROM studentcontactassoc WHERE studentdcid = ?", (student["dcid"],)
    )[0]
    mutations.set_pickup(sandbox_store, student["dcid"], person_id, False)
    flag = sandbox_store.query_one(
        """SELECT d.schoolpickupflg FROM studentcontactassoc a JOIN studentcontactdetail d ON d.studentcontactassocid = a.studentcontactassocid
           WHERE a.studentdcid = ? AND a.personid = ?""",
        (student["dcid"], person_id),
    )[0]
    assert flag == 0 and ("studentcontactdetail", "update") in _changes(sandbox_store)


def test_editing_a_contacts_name_phone_and_email(sandbox_store):
    student = _active_student(sandbox_store, 1001)
    person_id = sandbox_store.query_one(
        "SELECT personid FROM studentcontactassoc WHERE studentdcid = ?", (student["dcid"],)
    )[0]
    mutations.change_contacts(
        sandbox_store,
        student["dcid"],
        edit=[{"person_id": person_id, "first_name": "Maëlle", "phone": "617-555-0000", "email": "maelle@example.com"}],
    )
    contact = next(
        c for c in mutations.student_contacts(sandbox_store.connection(), student["dcid"]) if c.person_id == person_id
    )
    assert (contact.name.split(", ")[1], contact.phone, contact.email) == (
        "Maëlle",
        "617-555-0000",
        "maelle@example.com",
    )
    assert {("person", "update"), ("phonenumber", "update"), ("emailaddress", "update")} <= set(_changes(sandbox_store))


def test_editing_a_contact_that_is_not_the_students_is_refused(sandbox_store):
    student = _active_student(sandbox_store, 1001)
    with pytest.raises(ValueError, match="is not a contact of student"):
        mutations.change_contacts(sandbox_store, student["dcid"], edit=[{"person_id": -1, "school_pickup": False}])
    with pytest.raises(ValueError, match="Unknown contact fields"):
        person_id = sandbox_store.query_one(
            "SELECT personid FROM studentcontactassoc WHERE studentdcid = ?", (student["dcid"],)
        )[0]
        mutations.change_contacts(sandbox_store, student["dcid"], edit=[{"person_id": person_id, "shoe_size": 9}])


def test_dropping_a_class_negates_section_and_term(sandbox_store):
    student = _active_student(sandbox_store, 3001)
    cc = sandbox_store.query_one(
        "SELECT * FROM cc WHERE studentid = ? AND sectionid > 0 AND termid = 3600", (student["id"],)
    )
    mutations.change_schedule(sandbox_store, student["dcid"], drop=[cc["dcid"]], on="2026-10-15")
    dropped = sandbox_store.query_one("SELECT sectionid, termid, dateleft FROM cc WHERE dcid = ?", (cc["dcid"],))
    assert tuple(dropped) == (-cc["sectionid"], -3600, "2026-10-15")
    assert _changes(sandbox_store) == [("cc", "update")]


def test_adding_a_class_creates_an_enrolment_from_the_given_day(sandbox_store):
    student = _active_student(sandbox_store, 3001)
    taken = [
        row[0] for row in sandbox_store.query("SELECT abs(sectionid) FROM cc WHERE studentid = ?", (student["id"],))
    ]
    section = sandbox_store.query_one(
        f"SELECT * FROM sections WHERE schoolid = 3001 AND termid = 3600 AND id NOT IN ({','.join('?' * len(taken))})",
        taken,
    )
    result = mutations.change_schedule(sandbox_store, student["dcid"], add=[section["dcid"]], on="2026-10-15")
    cc = sandbox_store.query_one("SELECT * FROM cc WHERE dcid = ?", (result["added_cc_dcids"][0],))
    assert (cc["sectionid"], cc["dateenrolled"], cc["dateleft"]) == (section["id"], "2026-10-15", "2027-06-19")
    assert _changes(sandbox_store) == [("cc", "insert")]


def test_schedule_changes_are_validated(sandbox_store):
    student = _active_student(sandbox_store, 3001)
    elementary_section = sandbox_store.query_one("SELECT dcid FROM sections WHERE schoolid = 1001")[0]
    with pytest.raises(ValueError, match="not the student's school"):
        mutations.change_schedule(sandbox_store, student["dcid"], add=[elementary_section], on="2026-10-15")
    with pytest.raises(ValueError, match="has no enrolment"):
        mutations.change_schedule(sandbox_store, student["dcid"], drop=[1], on="2026-10-15")
    last_year = sandbox_store.query_one("SELECT dcid FROM sections WHERE schoolid = 3001 AND termid = 3500")[0]
    with pytest.raises(ValueError, match="term ended"):
        mutations.change_schedule(sandbox_store, student["dcid"], add=[last_year], on="2026-10-15")


def test_setting_a_schools_attendance_mode(sandbox_store):
    result = mutations.set_attendance_mode(sandbox_store, 3001, 36, "Daily")
    assert result["att_mode_code"] == "ATT_ModeDaily"
    mode = sandbox_store.query_one(
        "SELECT att_mode_code FROM sandbox_attendance_mode WHERE schoolid = 3001 AND yearid = 36"
    )
    assert mode[0] == "ATT_ModeDaily"
    with pytest.raises(ValueError, match="mode must be one of"):
        mutations.set_attendance_mode(sandbox_store, 3001, 36, "Hourly")
    with pytest.raises(ValueError, match="no terms in year 20"):
        mutations.set_attendance_mode(sandbox_store, 3001, 20, "Daily")


def test_reset_restores_the_generated_district_and_keeps_the_plugin(sandbox_store, generated_district):
    student = _active_student(sandbox_store, 3001)
    mutations.rename_student(sandbox_store, student["dcid"], first_name="Changed")
    with sandbox_store.transaction() as conn:
        conn.execute("UPDATE sandbox_plugin SET client_secret = 'rotated', enabled = 0")
        conn.execute("DELETE FROM sandbox_field_access WHERE table_name = 'cc'")
    mutations.reset(sandbox_store)
    original = generated_district.query("SELECT * FROM students ORDER BY dcid")
    assert [tuple(row) for row in sandbox_store.query("SELECT * FROM students ORDER BY dcid")] == [
        tuple(r) for r in original
    ]
    plugin = sandbox_store.query_one("SELECT client_secret, enabled FROM sandbox_plugin")
    assert tuple(plugin) == ("rotated", 0)
    assert sandbox_store.query("SELECT 1 FROM sandbox_field_access WHERE table_name = 'cc'") == []
    assert sandbox_store.current_dataversion() == 0
