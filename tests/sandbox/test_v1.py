from collections import defaultdict

import pytest

from sandbox.app import SandboxApp
from sandbox.testing import DEFAULT_BASE_URL as BASE
from sandbox.testing import bearer_session, mock_powerschool
from tests.fixtures import powerschool_fixture

STUDENT_EXPANSIONS = (
    "demographics,addresses,alerts,phones,school_enrollment,ethnicity_race,contact,contact_info,"
    "initial_enrollment,schedule_setup,fees,lunch"
)


def serve(store):
    with mock_powerschool(SandboxApp(store)):
        yield Api(bearer_session(store))


class Api:
    def __init__(self, session):
        self.session = session

    def get(self, path, status=200):
        answer = self.session.get(f"{BASE}{path}")
        assert answer.status_code == status, answer.text
        return answer.json() if answer.content else None


@pytest.fixture
def api(sandbox_store):
    yield from serve(sandbox_store)


@pytest.fixture
def legacy_api(legacy_sandbox_store):
    yield from serve(legacy_sandbox_store)


@pytest.fixture
def school(api):
    """The school with the most students."""
    schools = api.get("/ws/v1/district/school")["schools"]["school"]
    return max(schools, key=lambda s: api.get(f"/ws/v1/school/{s['id']}/student/count")["resource"]["count"])


def as_list(value):
    return value if isinstance(value, list) else [value]


def set_plugin(store, **columns):
    with store.transaction() as conn:
        for column, value in columns.items():
            conn.execute(f"UPDATE sandbox_plugin SET {column} = ?", (value,))


# --- district and schools ------------------------------------------------------------------------------------


def test_the_district_carries_its_identity_and_the_available_expansions(api, sandbox_store):
    district = api.get("/ws/v1/district")["district"]

    assert district["uuid"] == sandbox_store.get_setting("district_uuid")
    assert district["name"] == sandbox_store.get_setting("district_name")
    assert "entry_codes" in district["@expansions"]
    assert district["addresses"]["physical"]["state_province"] == "MA"


def test_the_school_list_and_its_count_agree_and_ids_are_dcids(api, sandbox_store):
    schools = as_list(api.get("/ws/v1/district/school")["schools"]["school"])
    count = api.get("/ws/v1/district/school/count")["resource"]["count"]
    stored = {
        row["dcid"]: row["school_number"] for row in sandbox_store.query("SELECT dcid, school_number FROM schools")
    }

    assert len(schools) == count == len(stored)
    assert {school["id"]: int(school["school_number"]) for school in schools} == stored


def test_a_single_school_is_wrapped_in_school(api, school):
    single = api.get(f"/ws/v1/school/{school['id']}")["school"]

    assert single["id"] == school["id"] and single["name"] == school["name"]
    assert "@expansions" in single and "@extensions" in single


def test_an_unknown_school_is_a_404(api):
    assert "message" in api.get("/ws/v1/school/987654/student", status=404)


# --- students ------------------------------------------------------------------------------------------------


def test_district_students_page_through_every_student_once(api, sandbox_store):
    count = api.get("/ws/v1/district/student/count")["resource"]["count"]
    seen = []
    for page in range(1, 5):
        body = api.get(f"/ws/v1/district/student?pagesize=25&page={page}")["students"]
        seen += [student["id"] for student in as_list(body.get("student", []))]

    assert count == sandbox_store.query_one("SELECT COUNT(*) AS n FROM students")["n"]
    assert sorted(seen) == sorted(row["dcid"] for row in sandbox_store.query("SELECT dcid FROM students"))


def test_a_page_past_the_last_has_the_envelope_but_no_student_key(api):
    body = api.get("/ws/v1/district/student?page=99")["students"]

    assert "student" not in body
    assert body["@expansions"].startswith("demographics, addresses")


def test_the_page_size_is_capped_at_the_plugins_maximum(api, sandbox_store):
    set_plugin(sandbox_store, max_page_size=7)

    students = api.get("/ws/v1/district/student?pagesize=500")["students"]["student"]

    assert len(students) == 7
    assert api.get("/ws/v1/metadata")["metadata"]["student_max_page_size"] == 7


def test_school_students_belong_to_that_school_and_expansions_fill_in(api, school):
    path = f"/ws/v1/school/{school['id']}/student?expansions=school_enrollment,contact,fees"
    students = as_list(api.get(path)["students"]["student"])

    assert {student["school_enrollment"]["school_id"] for student in students} == {school["id"]}
    assert all(student["fees"] == "" for student in students)
    assert all("demographics" not in student for student in students)
    assert len(students) == api.get(f"/ws/v1/school/{school['id']}/student/count")["resource"]["count"]


def test_students_are_searched_with_the_documented_selectors(api, sandbox_store):
    row = sandbox_store.query_one("SELECT * FROM students ORDER BY dcid LIMIT 1")
    active_or_pre = sandbox_store.query_one("SELECT COUNT(*) AS n FROM students WHERE enroll_status IN (0, -1)")["n"]

    def count(q):
        return api.get(f"/ws/v1/district/student/count?q={q}")["resource"]["count"]

    assert count(f"local_id=={row['student_number']}") == 1
    assert count(f"name.last_name=={row['last_name'].lower()}") >= 1
    assert count(f"student_username=={row['student_web_id'][:3]}*") >= 1
    assert count("school_enrollment.enroll_status==(a,P)") == active_or_pre
    assert count("school_enrollment.enroll_status_code==0;school_enrollment.entry_date=ge=2000-01-01") >= 1
    assert "unknown column" in api.get("/ws/v1/district/student?q=shoe_size==9", status=400)["message"]


def test_a_single_student_by_dcid_with_expansions(api, sandbox_store):
    row = sandbox_store.query_one("SELECT * FROM students ORDER BY dcid LIMIT 1")

    student = api.get(f"/ws/v1/student/{row['dcid']}?expansions=demographics&extensions=s_stu_crdc_x")["student"]

    assert student["id"] == row["dcid"] and student["local_id"] == str(row["student_number"])
    assert student["demographics"]["birth_date"] == row["dob"]
    assert "_extension_data" not in student
    api.get("/ws/v1/student/1", status=404)


# --- the single-element quirk and profiles -------------------------------------------------------------------


def test_a_one_item_list_is_an_object_under_the_quirk(api):
    assert isinstance(api.get("/ws/v1/district/student?pagesize=1")["students"]["student"], dict)


def test_without_the_quirk_a_one_item_list_is_an_array(api, sandbox_store):
    sandbox_store.set_setting("single_element_quirk", False)

    assert isinstance(api.get("/ws/v1/district/student?pagesize=1")["students"]["student"], list)


def test_staff_school_affiliations_follow_the_quirk(api, school, sandbox_store):
    staff = as_list(api.get(f"/ws/v1/school/{school['id']}/staff?expansions=school_affiliations")["staffs"]["staff"])
    shapes = {type(member["school_affiliations"]["school_affiliation"]) for member in staff}
    sandbox_store.set_setting("single_element_quirk", False)
    unquirked = as_list(
        api.get(f"/ws/v1/school/{school['id']}/staff?expansions=school_affiliations")["staffs"]["staff"]
    )

    assert dict in shapes
    assert {type(member["school_affiliations"]["school_affiliation"]) for member in unquirked} == {list}


def test_the_modern_profile_types_identifiers_as_strings(api, school):
    student = as_list(
        api.get(f"/ws/v1/school/{school['id']}/student?expansions=school_enrollment")["students"]["student"]
    )[0]
    section = as_list(api.get(f"/ws/v1/school/{school['id']}/section")["sections"]["section"])[0]

    assert isinstance(school["school_number"], str)
    assert isinstance(student["local_id"], str) and isinstance(student["state_province_id"], str)
    assert isinstance(student["school_enrollment"]["school_number"], str)
    assert isinstance(section["section_number"], str) and "external_expression" in section


def test_the_legacy_profile_types_identifiers_as_numbers(legacy_api):
    school = as_list(legacy_api.get("/ws/v1/district/school")["schools"]["school"])[0]
    student = as_list(legacy_api.get(f"/ws/v1/school/{school['id']}/student")["students"]["student"])[0]
    section = as_list(legacy_api.get(f"/ws/v1/school/{school['id']}/section")["sections"]["section"])[0]

    assert isinstance(school["school_number"], int)
    assert isinstance(student["local_id"], int) and isinstance(student["state_province_id"], int)
    assert isinstance(section["section_number"], int) and "external_expression" not in section
    assert legacy_api.get("/ws/v1/metadata")["metadata"]["powerschool_version"] == "12.0.0.0"


def test_a_restricted_v1_access_level_refuses_v1_resources(api, sandbox_store):
    set_plugin(sandbox_store, v1_access_level="RESTRICTED")

    assert "Access Level for v1 APIs" in api.get("/ws/v1/district/student", status=403)["message"]
    assert api.get("/ws/v1/time")["resource"]


# --- staff, sections, enrollments, terms, courses ------------------------------------------------------------


def test_school_staff_are_active_rows_with_their_person(api, school, sandbox_store):
    body = api.get(f"/ws/v1/school/{school['id']}/staff?expansions=emails")["staffs"]
    staff = as_list(body["staff"])
    member = api.get(f"/ws/v1/staff/{staff[0]['id']}")["staff"]

    assert body["@expansions"] == "addresses, emails, phones, school_affiliations"
    assert len(staff) == api.get(f"/ws/v1/school/{school['id']}/staff/count")["resource"]["count"]
    assert all("users_dcid" in person and "work_email" in person["emails"] for person in staff)
    assert member["id"] == staff[0]["id"] and member["users_dcid"] == staff[0]["users_dcid"]


def test_sections_reference_school_course_term_and_staff_by_dcid(api, school, sandbox_store):
    sections = as_list(api.get(f"/ws/v1/school/{school['id']}/section?expansions=term")["sections"]["section"])
    section = sections[0]
    term_dcids = {row["dcid"] for row in sandbox_store.query("SELECT dcid FROM terms")}
    staff_dcids = {row["dcid"] for row in sandbox_store.query("SELECT dcid FROM schoolstaff")}

    assert {s["school_id"] for s in sections} == {school["id"]}
    assert all(s["term_id"] in term_dcids and s["term"]["id"] == s["term_id"] for s in sections)
    assert all(s["staff_id"] in staff_dcids for s in sections)
    assert api.get(f"/ws/v1/section/{section['id']}")["section"]["course_id"] == section["course_id"]
    assert api.get(f"/ws/v1/school/{school['id']}/section/count")["resource"]["count"] >= len(sections)


def test_section_enrollments_mark_dropped_rows_and_use_student_dcids(api, sandbox_store):
    dropped = sandbox_store.query_one(
        "SELECT cc.dcid, s.dcid AS section_dcid FROM cc JOIN sections s ON s.id = -cc.sectionid "
        "WHERE cc.sectionid < 0 LIMIT 1"
    )
    body = api.get(f"/ws/v1/section/{dropped['section_dcid']}/section_enrollment")["section_enrollments"]
    enrollments = as_list(body["section_enrollment"])
    student_dcids = {row["dcid"] for row in sandbox_store.query("SELECT dcid FROM students")}
    single = api.get(f"/ws/v1/section_enrollment/{dropped['dcid']}")["section_enrollment"]

    assert {e["section_id"] for e in enrollments} == {dropped["section_dcid"]}
    assert all(e["student_id"] in student_dcids for e in enrollments)
    assert single["dropped"] is True
    count = api.get(f"/ws/v1/section/{dropped['section_dcid']}/section_enrollment/count")["resource"]["count"]
    assert count == len(enrollments)


def test_terms_are_sorted_by_portion_and_start_date(api, school):
    terms = as_list(api.get(f"/ws/v1/school/{school['id']}/term")["terms"]["term"])

    assert [(t["portion"], t["start_date"]) for t in terms] == sorted((t["portion"], t["start_date"]) for t in terms)
    assert api.get(f"/ws/v1/term/{terms[0]['id']}")["term"]["start_year"] == terms[0]["start_year"]
    assert api.get(f"/ws/v1/school/{school['id']}/term/count")["resource"]["count"] == len(terms)


def test_a_schools_courses_are_those_it_runs_sections_of(api, school):
    courses = as_list(api.get(f"/ws/v1/school/{school['id']}/course")["courses"]["course"])
    section_courses = {
        s["course_id"] for s in as_list(api.get(f"/ws/v1/school/{school['id']}/section")["sections"]["section"])
    }

    assert section_courses <= {course["id"] for course in courses}
    assert api.get(f"/ws/v1/course/{courses[0]['id']}")["course"]["course_number"] == courses[0]["course_number"]
    assert api.get(f"/ws/v1/school/{school['id']}/course/count")["resource"]["count"] == len(courses)


# --- the real fixtures -----------------------------------------------------------------------------------------

# The sanitiser of the real schools fixture removed principals' last names; powerschool-api.md §4.4 shows them.
SANITISED_AWAY = {".schools.school[].principal.name.last_name", ".schools.school[].assistant_principal.name.last_name"}

# Every student in the real students fixture has an empty contact_info; §4.5 shows its email from another capture.
STUDENT_EMAIL = {".students.student[].contact_info.email"}


def fixture(name):
    return powerschool_fixture(name)


def leaf_types(value, path="", found=None):
    """{path: {type names}} of every leaf, with `[]` marking array items."""
    found = defaultdict(set) if found is None else found
    if isinstance(value, dict):
        for key, child in value.items():
            leaf_types(child, f"{path}.{key}", found)
    elif isinstance(value, list):
        for child in value:
            leaf_types(child, f"{path}[]", found)
    else:
        found[path].add(type(value).__name__)
    return found


def assert_same_shape(ours, real, allowed_extra=frozenset()):
    real_types = leaf_types(real)
    for path, types in leaf_types(ours).items():
        if path in allowed_extra:
            continue
        assert path in real_types, f"{path} does not occur in the real answer"
        assert types <= real_types[path], f"{path} is {types}, the real answer has {real_types[path]}"


def assert_same_record_keys(ours, real, unrequested=()):
    always = set.intersection(*(set(record) for record in real)) - set(unrequested)
    anywhere = set().union(*(set(record) for record in real))
    for record in ours:
        assert always <= set(record), f"missing {always - set(record)}"
        assert set(record) <= anywhere, f"unexpected {set(record) - anywhere}"


def test_the_legacy_district_answer_matches_the_real_one(legacy_api):
    real = fixture("district_response.json")
    ours = legacy_api.get("/ws/v1/district")

    assert set(ours) == set(real) == {"district"}
    assert set(ours["district"]) == set(real["district"])
    assert ours["district"]["@expansions"] == real["district"]["@expansions"]
    assert_same_shape(ours, real)


def test_the_legacy_school_list_matches_the_real_one(legacy_api):
    real = fixture("all_schools_response.json")
    ours = legacy_api.get("/ws/v1/district/school")

    assert set(ours["schools"]) == set(real["schools"])
    assert ours["schools"]["@expansions"] == real["schools"]["@expansions"]
    assert_same_record_keys(ours["schools"]["school"], real["schools"]["school"], unrequested=["school_fees_setup"])
    assert_same_shape(ours, real, SANITISED_AWAY)


def test_the_legacy_student_list_matches_the_real_one_with_every_expansion(legacy_api):
    real = fixture("student_response.json")
    school = as_list(legacy_api.get("/ws/v1/district/school")["schools"]["school"])[0]
    ours = legacy_api.get(f"/ws/v1/school/{school['id']}/student?expansions={STUDENT_EXPANSIONS}")

    assert set(ours["students"]) == set(real["students"])
    assert ours["students"]["@expansions"] == real["students"]["@expansions"]
    assert_same_record_keys(ours["students"]["student"], real["students"]["student"])
    assert_same_shape(ours, real, STUDENT_EMAIL)
