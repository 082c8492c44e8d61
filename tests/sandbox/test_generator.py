import datetime
from random import Random

from sandbox import schema
from sandbox.generator import DistrictBuilder, expand_expression, generate_district, load_or_generate
from sandbox.store import Store
from tests.districts import STUDENTS, TODAY


def _all_rows(store):
    return {
        table: [tuple(row) for row in store.query(f"SELECT * FROM {table} ORDER BY 1")]
        for table in [
            *schema.POWERSCHOOL_TABLES,
            "sandbox_plugin",
            "sandbox_field_access",
            "sandbox_setting",
            "sandbox_attendance_mode",
        ]
    }


def _generate(tmp_path, name, **options):
    store = Store(tmp_path / f"{name}.sqlite3")
    generate_district(store, **{"students": 30, "today": TODAY, **options})
    return store


def test_the_same_seed_generates_the_same_district(tmp_path):
    assert _all_rows(_generate(tmp_path, "first", seed=7)) == _all_rows(_generate(tmp_path, "second", seed=7))


def test_a_different_seed_generates_a_different_district(tmp_path):
    first, second = _generate(tmp_path, "first", seed=7), _generate(tmp_path, "second", seed=8)
    assert _all_rows(first)["students"] != _all_rows(second)["students"]


def test_generation_counts_the_rows_of_every_table(generated_district):
    store = Store(generated_district.path)
    assert store.query_one("SELECT COUNT(*) FROM students")[0] == STUDENTS
    assert store.query_one("SELECT COUNT(*) FROM attendance")[0] == 0


def test_generating_again_replaces_the_district(tmp_path):
    store = _generate(tmp_path, "twice", seed=3)
    counts = generate_district(store, seed=3, students=10, today=TODAY)
    assert counts["students"] == 10
    assert store.query_one("SELECT COUNT(*) FROM students")[0] == 10


def test_student_dcid_id_and_student_number_all_differ(generated_district):
    rows = generated_district.query("SELECT dcid, id, student_number FROM students")
    assert all(len({row["dcid"], row["id"], row["student_number"]}) == 3 for row in rows)
    assert all(100000 <= row["student_number"] <= 999999 for row in rows)


def test_every_table_with_both_keys_keeps_dcid_and_id_apart(generated_district):
    for table in (
        "schools",
        "terms",
        "cycle_day",
        "period",
        "bell_schedule",
        "calendar_day",
        "sections",
        "cc",
        "attendance_code",
        "schoolstaff",
        "courses",
    ):
        same = generated_district.query_one(f"SELECT COUNT(*) FROM {table} WHERE dcid = id")[0]
        assert same == 0, table


def test_school_dcids_differ_from_school_numbers(generated_district):
    schools = generated_district.query("SELECT dcid, school_number FROM schools")
    assert all(school["dcid"] != school["school_number"] for school in schools)


def test_a_tiny_district_still_has_four_schools_at_three_levels(generated_district):
    schools = generated_district.query("SELECT low_grade, high_grade FROM schools ORDER BY school_number")
    assert [(s["low_grade"], s["high_grade"]) for s in schools] == [(0, 5), (0, 5), (6, 8), (9, 12)]


def test_a_middle_and_a_high_school_share_one_building(generated_district):
    shared = generated_district.query(
        "SELECT school_address, GROUP_CONCAT(low_grade) AS lows FROM schools GROUP BY school_address HAVING COUNT(*) > 1"
    )
    assert [row["lows"] for row in shared] == ["6,9"]


def test_the_number_of_schools_grows_with_the_students():
    builder = DistrictBuilder(None, Random(1), 50000, TODAY, "25.7")
    builder.build_schools()
    counts = {level: len(schools) for level, schools in builder.schools.items()}
    assert counts == {"elementary": 46, "middle": 14, "high": 13}


def test_each_attendance_mode_is_used_by_some_school_every_year(generated_district):
    modes = generated_district.query("SELECT yearid, att_mode_code FROM sandbox_attendance_mode")
    for yearid in (35, 36):
        assert {row["att_mode_code"] for row in modes if row["yearid"] == yearid} == {
            "ATT_ModeDaily",
            "ATT_ModeMeeting",
            "ATT_ModeTime",
        }


def test_years_and_terms_follow_powerschool_arithmetic(generated_district):
    terms = generated_district.query("SELECT * FROM terms WHERE schoolid = 3001 AND yearid = 36 ORDER BY id")
    assert [t["id"] for t in terms] == [3600, 3601, 3602, 3603, 3604, 3605, 3606]
    assert [t["portion"] for t in terms] == [1, 2, 2, 4, 4, 4, 4]
    assert terms[0]["isyearrec"] == 1 and terms[0]["firstday"] <= TODAY.isoformat() <= terms[0]["lastday"]
    assert all(t["dcid"] != t["id"] for t in terms)


def test_a_july_day_belongs_to_the_school_year_starting_that_august(tmp_path):
    store = _generate(tmp_path, "july", today=datetime.date(2026, 7, 10))
    assert {row["yearid"] for row in store.query("SELECT DISTINCT yearid FROM terms")} == {35, 36}


def test_attendance_codes_exist_for_both_years_with_the_same_texts_and_different_ids(generated_district):
    def codes(yearid):
        return generated_district.query(
            "SELECT id, dcid, att_code, description FROM attendance_code WHERE schoolid = 1001 AND yearid = ? ORDER BY sortorder",
            (yearid,),
        )

    last_year, this_year = codes(35), codes(36)
    assert [(c["att_code"], c["description"]) for c in last_year] == [
        (c["att_code"], c["description"]) for c in this_year
    ]
    assert not {c["id"] for c in last_year} & {c["id"] for c in this_year}
    assert {"", "A", "AE", "T", "TE", "ED", "EDE"} <= {c["att_code"] for c in this_year}


def test_the_calendar_alternates_cycle_days_on_school_days_only(generated_district):
    days = generated_district.query(
        """SELECT d.insession, d.bell_schedule_id, c.letter FROM calendar_day d LEFT JOIN cycle_day c ON c.id = d.cycle_day_id
           WHERE d.schoolid = 3001 AND d.date_value BETWEEN '2026-08-01' AND '2027-07-01' ORDER BY d.date_value"""
    )
    letters = [day["letter"] for day in days if day["insession"]]
    assert letters[:4] == ["A", "B", "A", "B"]
    assert all(a != b for a, b in zip(letters, letters[1:]))
    assert all(day["letter"] is None and day["bell_schedule_id"] == 0 for day in days if not day["insession"])
    assert 170 <= len(letters) <= 190


def test_some_days_use_the_early_release_bell_schedule(generated_district):
    names = generated_district.query(
        "SELECT DISTINCT b.name FROM calendar_day d JOIN bell_schedule b ON b.id = d.bell_schedule_id WHERE d.schoolid = 3001"
    )
    assert {row["name"] for row in names} == {"Regular Day", "Early Release"}


def test_bell_schedule_items_count_seconds_since_midnight(generated_district):
    items = generated_district.query(
        """SELECT p.period_number, i.start_time, i.end_time FROM bell_schedule_items i
           JOIN bell_schedule b ON b.id = i.bell_schedule_id JOIN period p ON p.id = i.period_id
           WHERE b.schoolid = 2001 AND b.year_id = 36 AND b.name = 'Regular Day' ORDER BY p.period_number"""
    )
    assert [row["period_number"] for row in items] == list(range(1, 8))
    assert (items[0]["start_time"], items[0]["end_time"]) == (28800, 31800)


def test_expand_expression_handles_ranges_blocks_and_several_groups():
    assert expand_expression("1(A-B)") == [(1, "A"), (1, "B")]
    assert expand_expression("2-3(B)") == [(2, "B"), (3, "B")]
    assert expand_expression("2(A-C) 5(D)") == [(2, "A"), (2, "B"), (2, "C"), (5, "D")]


def test_every_section_meets_as_its_expression_says(generated_district):
    sections = generated_district.query("SELECT id, expression FROM sections")
    meetings = {}
    for row in generated_district.query("SELECT sectionid, period_number, cycle_day_letter FROM section_meeting"):
        meetings.setdefault(row["sectionid"], []).append((row["period_number"], row["cycle_day_letter"]))
    assert all(sorted(meetings[s["id"]]) == sorted(expand_expression(s["expression"])) for s in sections)
    assert {"1(A-B)", "3-4(B)", "7(A)", "1-2(A-B)"} <= {s["expression"] for s in sections}


def test_active_students_take_a_full_schedule_this_year(generated_district):
    rows = generated_district.query(
        """SELECT s.grade_level, COUNT(c.id) AS classes FROM students s
           LEFT JOIN cc c ON c.studentid = s.id AND c.sectionid > 0 AND c.termid BETWEEN 3600 AND 3699
           WHERE s.enroll_status = 0 AND s.entrydate <= ? GROUP BY s.id""",
        (TODAY.isoformat(),),
    )
    assert all(1 <= row["classes"] <= 2 for row in rows if row["grade_level"] <= 5)
    assert all(6 <= row["classes"] <= 10 for row in rows if row["grade_level"] >= 6)


def test_dropped_enrolments_carry_negative_section_and_term(generated_district):
    dropped = generated_district.query("SELECT * FROM cc WHERE sectionid < 0")
    assert dropped
    assert all(row["termid"] < 0 and row["origsectionid"] == -row["sectionid"] for row in dropped)
    assert all(row["dateenrolled"] <= row["dateleft"] for row in dropped)


def test_last_years_enrolments_are_closed(generated_district):
    last_year = generated_district.query("SELECT dateleft FROM cc WHERE abs(termid) BETWEEN 3500 AND 3599")
    assert last_year
    assert all(row["dateleft"] <= "2026-06-30" for row in last_year)


def test_pre_registered_and_transferred_students_have_dates_on_the_right_side_of_today(generated_district):
    rows = generated_district.query("SELECT enroll_status, entrydate, exitdate FROM students")
    assert {row["enroll_status"] for row in rows} >= {0}
    assert all(row["entrydate"] > TODAY.isoformat() for row in rows if row["enroll_status"] == -1)
    assert all(row["entrydate"] < row["exitdate"] <= TODAY.isoformat() for row in rows if row["enroll_status"] == 2)


def test_a_larger_district_has_pre_registered_and_transferred_students(tmp_path):
    store = _generate(tmp_path, "larger", students=400)
    statuses = {row[0] for row in store.query("SELECT DISTINCT enroll_status FROM students")}
    assert statuses == {-1, 0, 2}


def test_siblings_share_the_same_contacts(generated_district):
    families = generated_district.query(
        """SELECT GROUP_CONCAT(dcid) AS dcids FROM students GROUP BY last_name, street HAVING COUNT(*) > 1"""
    )
    assert families
    for family in families:
        dcids = [int(dcid) for dcid in family["dcids"].split(",")]
        people = [
            {
                row[0]
                for row in generated_district.query(
                    "SELECT personid FROM studentcontactassoc WHERE studentdcid = ?", (d,)
                )
            }
            for d in dcids
        ]
        assert all(group == people[0] for group in people)


def test_every_student_has_one_to_four_contacts_with_phones(generated_district):
    counts = generated_district.query(
        "SELECT COUNT(*) AS n FROM students s JOIN studentcontactassoc a ON a.studentdcid = s.dcid GROUP BY s.dcid"
    )
    assert len(counts) == STUDENTS and all(1 <= row["n"] <= 4 for row in counts)
    without_phone = generated_district.query_one(
        "SELECT COUNT(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM personphonenumberassoc a WHERE a.personid = p.id)"
    )
    assert without_phone[0] == 0


def test_legacy_guardian_fields_name_the_contacts(generated_district):
    rows = generated_district.query(
        """SELECT s.mother, p.lastname || ', ' || p.firstname AS contact FROM students s
           JOIN studentcontactassoc a ON a.studentdcid = s.dcid JOIN person p ON p.id = a.personid
           JOIN studentcontactdetail d ON d.studentcontactassocid = a.studentcontactassocid
           JOIN codeset c ON c.codesetid = d.relationshiptypecodesetid WHERE c.code = 'Mother'"""
    )
    assert rows and all(row["mother"] == row["contact"] for row in rows)


def test_codesets_name_relationships_and_phone_and_email_types(generated_district):
    codes = {(row["codetype"], row["code"]) for row in generated_district.query("SELECT codetype, code FROM codeset")}
    assert {
        ("Relationship", "Mother"),
        ("Relationship", "Grandparent"),
        ("Phone", "Mobile"),
        ("Email", "Work"),
    } <= codes


def test_accented_and_apostrophe_names_appear_in_a_larger_district(tmp_path):
    store = _generate(tmp_path, "names", students=400)
    names = " ".join(row[0] for row in store.query("SELECT lastfirst FROM students"))
    assert any(char in names for char in "éëñóíá") and "'" in names


def test_some_staff_work_at_two_schools(tmp_path):
    store = _generate(tmp_path, "staff", students=400)
    shared = store.query("SELECT users_dcid FROM schoolstaff GROUP BY users_dcid HAVING COUNT(*) > 1")
    assert shared


def test_sections_are_taught_by_school_staff(generated_district):
    orphans = generated_district.query_one(
        "SELECT COUNT(*) FROM sections s WHERE NOT EXISTS (SELECT 1 FROM schoolstaff t WHERE t.id = s.teacher AND t.schoolid = s.schoolid)"
    )
    assert orphans[0] == 0


def test_the_plugin_is_granted_every_column_and_full_access_to_attendance(generated_district):
    plugin = generated_district.query_one("SELECT * FROM sandbox_plugin")
    assert (plugin["name"], plugin["enabled"], plugin["token_lifetime_s"]) == ("RaptorLink", 1, 2592000)
    granted = generated_district.query("SELECT table_name, field_name, access FROM sandbox_field_access")
    assert len(granted) == sum(len(schema.columns(table)) for table in schema.POWERSCHOOL_TABLES)
    assert {row["access"] for row in granted if row["table_name"] == "attendance"} == {"FullAccess"}
    assert {row["access"] for row in granted if row["table_name"] == "students"} == {"ViewOnly"}
    assert all(row["table_name"].islower() and row["field_name"].islower() for row in granted)


def test_given_credentials_are_used(tmp_path):
    store = _generate(tmp_path, "credentials", client_id="id-1", client_secret="secret-1")
    assert tuple(store.query_one("SELECT client_id, client_secret FROM sandbox_plugin")) == ("id-1", "secret-1")


def test_generation_stores_the_district_settings(generated_district):
    assert generated_district.get_setting("today") == "2026-10-14"
    assert generated_district.get_setting("seed") == 1
    assert generated_district.get_setting("profile") == "25.7"
    assert generated_district.get_setting("single_element_quirk") is True
    assert generated_district.get_setting("district_timezone") == "America/New_York"
    assert generated_district.get_setting("district_name")


def test_the_data_version_log_is_empty_after_generation(generated_district):
    assert generated_district.current_dataversion() == 0


def test_load_or_generate_keeps_an_existing_district(tmp_path):
    store = _generate(tmp_path, "existing", seed=5)
    before = _all_rows(store)["students"]
    load_or_generate(store, seed=6, students=10, today=TODAY)
    assert _all_rows(store)["students"] == before


def test_load_or_generate_fills_an_empty_store(tmp_path):
    store = load_or_generate(Store(tmp_path / "empty.sqlite3"), seed=2, students=12, today=TODAY)
    assert store.query_one("SELECT COUNT(*) FROM students")[0] == 12


def test_a_legacy_profile_district_records_its_profile(legacy_sandbox_store):
    assert legacy_sandbox_store.get_setting("profile") == "12"
