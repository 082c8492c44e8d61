"""Reading: paging to the end and undoing PowerSchool's quirks, through `responses` and the real fixtures."""

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from raptorlink.powerschool.errors import StudentIdError
from tests.powerschool.conftest import url

pytestmark = pytest.mark.django_db

SCHOOL_STUDENTS = "/ws/v1/school/3/student"


def query_of(request):
    return {name: values[-1] for name, values in parse_qs(urlsplit(request.url).query).items()}


def paged(items, plural, singular, extra=None):
    """A callback answering v1 pages of 100 from `items`, as PowerSchool caps them."""

    def answer(request):
        page = int(query_of(request).get("page", 1))
        chunk = items[(page - 1) * 100 : page * 100]
        envelope = {"@expansions": "demographics, addresses", **(extra or {})}
        if chunk:
            envelope[singular] = chunk[0] if len(chunk) == 1 else chunk
        return 200, {}, json.dumps({plural: envelope})

    return answer


def add_count(api, path, count):
    api.add(responses.GET, url(path + "/count"), json={"resource": {"count": count}})


def test_all_115_real_students_are_read_and_typed(client, api, fixture_json):
    body = fixture_json("student_response.json")
    add_count(api, SCHOOL_STUDENTS, 115)
    api.add(responses.GET, url(SCHOOL_STUDENTS), json=body)

    students = list(client.students(3))

    assert len(students) == 115
    first = students[0]
    assert first["id"] == 277
    assert first["local_id"] == "10423"
    assert first["state_province_id"] == "1033750711"
    assert first["school_enrollment"]["school_number"] == 3001
    assert first["alerts"] == {} and first["contact_info"] == {} and first["fees"] == {}
    assert first["ethnicity_race"]["races"][0]["district_race_code"] == "W"
    assert all(isinstance(student["id"], int) for student in students)


def test_students_are_paged_to_the_end_with_pages_of_the_servers_size(client, api, fixture_json):
    everyone = fixture_json("student_response.json")["students"]["student"]
    add_count(api, SCHOOL_STUDENTS, 115)
    api.add_callback(responses.GET, url(SCHOOL_STUDENTS), callback=paged(everyone, "students", "student"))

    ids = [student["id"] for student in client.students(3)]

    assert ids == [student["id"] for student in everyone]
    pages = [
        query_of(call.request).get("page") for call in api.calls if call.request.url.split("?")[0].endswith("/student")
    ]
    assert pages == ["1", "2"]


def test_a_page_with_one_student_as_an_object_still_counts_as_a_list(client, api, fixture_json):
    everyone = fixture_json("student_response.json")["students"]["student"][:101]
    add_count(api, SCHOOL_STUDENTS, 101)
    api.add_callback(responses.GET, url(SCHOOL_STUDENTS), callback=paged(everyone, "students", "student"))

    assert len(list(client.students(3))) == 101


def test_paging_stops_on_an_empty_page_even_if_the_count_promised_more(client, api, fixture_json):
    everyone = fixture_json("student_response.json")["students"]["student"]
    add_count(api, SCHOOL_STUDENTS, 500)
    api.add_callback(responses.GET, url(SCHOOL_STUDENTS), callback=paged(everyone, "students", "student"))

    assert len(list(client.students(3))) == 115


def test_a_school_with_no_students_asks_for_no_page(client, api):
    add_count(api, SCHOOL_STUDENTS, 0)

    assert list(client.students(3)) == []
    assert not any(call.request.url.split("?")[0].endswith("/student") for call in api.calls)


def test_the_real_schools_keep_dcid_and_school_number_apart(client, api, fixture_json):
    add_count(api, "/ws/v1/district/school", 2)
    api.add(responses.GET, url("/ws/v1/district/school"), json=fixture_json("all_schools_response.json"))

    schools = list(client.schools())

    assert [(school["id"], school["school_number"]) for school in schools][:1] == [(3, 3001)]
    assert all(isinstance(school["school_number"], int) for school in schools)
    assert isinstance(schools[0]["school_fees_setup"]["fee_types"], list)


def test_a_school_number_sent_as_a_string_becomes_a_number(client, api):
    add_count(api, "/ws/v1/district/school", 1)
    api.add(
        responses.GET,
        url("/ws/v1/district/school"),
        json={
            "schools": {"@expansions": "", "school": {"id": "7", "name": "Only School", "school_number": "0450"}},
        },
    )

    assert list(client.schools()) == [{"id": 7, "name": "Only School", "school_number": 450}]


def test_the_real_district_is_read(client, api, fixture_json):
    api.add(responses.GET, url("/ws/v1/district"), json=fixture_json("district_response.json"))

    district = client.district()

    assert district["district_number"] == "0410"
    assert district["addresses"]["physical"]["city"] == "East Boston"


def test_a_single_student_is_read_by_dcid(client, api, fixture_json):
    student = fixture_json("student_response.json")["students"]["student"][1]
    api.add(responses.GET, url("/ws/v1/student/278"), json={"student": {"@expansions": "alerts", **student}})

    assert client.student(278)["local_id"] == "6"
    assert "expansions=" in api.calls[-1].request.url


def test_staff_school_affiliations_are_always_a_list(client, api):
    from raptorlink.powerschool.normalize import v1_object

    one = v1_object(
        {"id": 102, "school_affiliations": {"school_affiliation": {"school_id": 3, "type": 3, "status": 1}}}
    )
    none = v1_object({"id": 52, "school_affiliations": "", "addresses": ""})

    assert one["school_affiliations"] == [{"school_id": 3, "type": 3, "status": 1}]
    assert none["school_affiliations"] == [] and none["addresses"] == {}


def test_real_attendance_rows_come_back_typed(client, api, fixture_json):
    body = fixture_json("attendance_by_student_response.json")
    api.add(responses.GET, url("/ws/schema/table/attendance/count"), json={"count": len(body["record"])})
    api.add(responses.GET, url("/ws/schema/table/attendance"), json=body)

    rows = client.attendance(300, date(2015, 9, 24))

    assert rows[0]["dcid"] == 2345 and rows[0]["id"] == 10345
    assert rows[0]["studentid"] == 300 and rows[0]["schoolid"] == 3001
    assert rows[0]["att_date"] == date(2015, 9, 24)
    assert rows[0]["att_mode_code"] == "ATT_ModeMeeting"
    assert rows[0]["att_comment"] == ""
    request = query_of(api.calls[-1].request)
    assert request["q"] == "studentid==300;att_date==2015-09-24"
    assert "dcid" in request["projection"].split(",")


def test_real_attendance_codes_come_back_typed_with_the_empty_present_code(client, api, fixture_json):
    body = fixture_json("attendance_code_response.json")
    api.add(responses.GET, url("/ws/schema/table/attendance_code/count"), json={"count": len(body["record"])})
    api.add(responses.GET, url("/ws/schema/table/attendance_code"), json=body)

    codes = list(client.attendance_codes(3001, 25))

    assert codes[0]["att_code"] == "" and codes[0]["description"] == "Present"
    assert len(codes) == len(body["record"])
    assert all(isinstance(code["yearid"], int) and isinstance(code["id"], int) for code in codes)
    assert query_of(api.calls[-1].request)["q"] == "schoolid==3001;yearid==25"


def test_table_rows_are_paged_to_the_count(client, api):
    def answer(request):
        page = int(query_of(request)["page"])
        rows = [
            {"id": n, "tables": {"period": {"dcid": str(n), "id": str(n), "period_number": str(n)}}}
            for n in range((page - 1) * 100 + 1, min(page * 100, 150) + 1)
        ]
        return 200, {}, json.dumps({"name": "Period", "record": rows})

    api.add(responses.GET, url("/ws/schema/table/period/count"), json={"count": 150})
    api.add_callback(responses.GET, url("/ws/schema/table/period"), callback=answer)

    periods = list(client.periods(3001, 36))

    assert [period["period_number"] for period in periods] == list(range(1, 151))


def period_pages(maximum, total):
    """A callback answering table pages of `period` rows 1..`total`, capped at `maximum` rows as PowerSchool caps
    them whatever `pagesize` asks for."""

    def answer(request):
        query = query_of(request)
        size, page = min(int(query["pagesize"]), maximum), int(query["page"])
        rows = [
            {"id": n, "tables": {"period": {"dcid": str(n), "id": str(n), "period_number": str(n)}}}
            for n in range((page - 1) * size + 1, min(page * size, total) + 1)
        ]
        return 200, {}, json.dumps({"name": "Period", "record": rows})

    return answer


def table_metadata(api, table_maximum, other_maximum=100):
    body = {"powerschool_version": "25.7.0.0", "schema_table_query_max_page_size": table_maximum}
    api.add(responses.GET, url("/ws/v1/metadata"), json={"metadata": {**body, "student_max_page_size": other_maximum}})


def page_requests(api):
    return [
        query_of(call.request).get("page") for call in api.calls if call.request.url.split("?")[0].endswith("/period")
    ]


@pytest.mark.parametrize("total, pages", [(2500, ["1", "2", "3"]), (2000, ["1", "2", "3"]), (0, ["1"])])
def test_with_the_table_maximum_known_table_rows_are_paged_without_a_count(client, api, total, pages):
    table_metadata(api, table_maximum=1000)
    api.add_callback(responses.GET, url("/ws/schema/table/period"), callback=period_pages(1000, total))

    client.use_largest_pages()
    periods = list(client.periods(3001, 36))

    assert [period["period_number"] for period in periods] == list(range(1, total + 1))
    # A short page ends the query; a last full page is followed by an empty one.
    assert page_requests(api) == pages
    assert not [call for call in api.calls if call.request.url.split("?")[0].endswith("/count")]


def test_table_pages_are_asked_for_at_the_table_maximum_when_other_lists_allow_more(client, api):
    table_metadata(api, table_maximum=100, other_maximum=500)
    api.add_callback(responses.GET, url("/ws/schema/table/period"), callback=period_pages(100, 250))

    client.use_largest_pages()
    periods = list(client.periods(3001, 36))

    assert len(periods) == 250
    assert page_requests(api) == ["1", "2", "3"]
    assert {query_of(call.request)["pagesize"] for call in api.calls if "/period" in call.request.url} == {"100"}


def test_without_a_table_maximum_in_the_metadata_table_rows_are_paged_to_the_count(client, api):
    api.add(responses.GET, url("/ws/v1/metadata"), json={"metadata": {"student_max_page_size": 500}})
    api.add(responses.GET, url("/ws/schema/table/period/count"), json={"count": 250})
    api.add_callback(responses.GET, url("/ws/schema/table/period"), callback=period_pages(100, 250))

    client.use_largest_pages()
    periods = list(client.periods(3001, 36))

    # Pages of 500 asked for, 100 given: short pages that are not the last.
    assert len(periods) == 250
    assert page_requests(api) == ["1", "2", "3"]


def test_table_rows_with_unusual_values_are_typed_like_plain_ones(client, api):
    """Empty numbers, numbers sent as numbers, flags spelt out, absent and upper-case columns: every row of a page
    comes back typed, whatever shape its neighbours have."""
    plain = {"dcid": "1", "id": "10", "schoolid": "3001", "yearid": "36", "name": "Year", "abbreviation": "Y",
             "firstday": "2026-08-31", "lastday": "2027-06-19", "isyearrec": "1", "portion": "1"}  # fmt: skip
    unusual = [
        {**plain, "dcid": "2", "portion": ""},
        {**plain, "dcid": "3", "portion": "1.0", "isyearrec": "Yes", "name": 2026},
        {**plain, "dcid": "4", "id": 11, "isyearrec": True, "abbreviation": None},
        {key: value for key, value in {**plain, "dcid": "5"}.items() if key != "lastday"},
        {key.upper(): value for key, value in {**plain, "dcid": "6", "isyearrec": "0"}.items()},
    ]
    rows = [{"id": n, "tables": {"terms": values}} for n, values in enumerate([plain, *unusual], start=1)]
    api.add(responses.GET, url("/ws/schema/table/terms/count"), json={"count": len(rows)})
    api.add(responses.GET, url("/ws/schema/table/terms"), json={"name": "Terms", "record": rows})

    terms = {term["dcid"]: term for term in client.terms(3001)}

    assert terms[1] == {"dcid": 1, "id": 10, "schoolid": 3001, "yearid": 36, "name": "Year", "abbreviation": "Y",
                        "firstday": date(2026, 8, 31), "lastday": date(2027, 6, 19), "isyearrec": True,
                        "portion": 1}  # fmt: skip
    assert terms[2]["portion"] is None
    assert (terms[3]["portion"], terms[3]["isyearrec"], terms[3]["name"]) == (1, True, "2026")
    assert (terms[4]["id"], terms[4]["isyearrec"], terms[4]["abbreviation"]) == (11, True, None)
    assert terms[5]["lastday"] is None and terms[5]["firstday"] == date(2026, 8, 31)
    assert (terms[6]["id"], terms[6]["isyearrec"], terms[6]["lastday"]) == (10, False, date(2027, 6, 19))


def test_the_version_says_which_features_exist(client, api):
    api.add(
        responses.GET,
        url("/ws/v1/metadata"),
        json={"metadata": {"plugin_id": 12, "powerschool_version": "25.7.0.0", "student_max_page_size": 100}},
    )

    metadata = client.metadata()

    assert metadata.version == (25, 7, 0, 0)
    assert metadata.has_batch_attendance and metadata.has_contacts_api and metadata.has_data_version
    assert metadata.page_sizes["student"] == 100


def test_an_old_version_has_none_of_the_newer_features(client, api):
    api.add(responses.GET, url("/ws/v1/metadata"), json={"metadata": {"powerschool_version": "9.2.1"}})

    metadata = client.metadata()

    assert not (metadata.has_batch_attendance or metadata.has_contacts_api or metadata.has_data_version)


def test_the_server_time_needs_no_token(client, api):
    api.add(
        responses.GET, url("/ws/v1/time"), json={"resource": {"time": "2026-10-14T08:00:00", "timestamp": "1791979200"}}
    )

    assert client.server_time()["timestamp"] == 1791979200
    assert len(api.calls) == 1 and "Authorization" not in api.calls[0].request.headers


def test_a_student_without_contacts_has_an_empty_list(client, api):
    api.add(responses.GET, url("/ws/contacts/student/277"), status=204)

    assert client.student_contacts(277) == []


def test_contacts_come_back_as_powerschool_sends_them(client, api):
    contact = {"contactId": 1201, "firstName": "Mary", "middleName": None, "contactStudents": [{"dcid": 277}]}
    api.add(responses.GET, url("/ws/contacts/student/277"), json=[contact])

    assert client.student_contacts(277) == [contact]


def test_dcids_are_mapped_to_ids_in_batches(client, api):
    def answer(request):
        asked = json.loads(request.body)["students_dcid"]
        return (
            200,
            {},
            json.dumps({"count": len(asked), "record": [{"dcid": str(n), "id": str(n + 5000)} for n in asked]}),
        )

    api.add_callback(
        responses.POST, url("/ws/schema/query/com.pearson.core.student.student_dcid_id_map"), callback=answer
    )

    mapping = client.student_ids_for_dcids(range(1, 1201))

    assert mapping[1] == 5001 and mapping[1200] == 6200 and len(mapping) == 1200
    assert len(api.calls) == 1 + 3  # the token, then batches of 500, 500 and 200


def test_ids_are_mapped_back_to_dcids(client, api):
    api.add(
        responses.POST,
        url("/ws/schema/query/com.pearson.core.student.student_dcid_id_map"),
        json={"record": [{"tables": {"students": {"dcid": "277", "id": "300"}}}]},
    )

    assert client.student_dcids_for_ids([300]) == {300: 277}
    assert json.loads(api.calls[-1].request.body) == {"students_id": [300]}


def test_an_unknown_dcid_is_a_student_id_error(client, api):
    api.add(responses.POST, url("/ws/schema/query/com.pearson.core.student.student_dcid_id_map"), json={"record": []})

    with pytest.raises(StudentIdError) as raised:
        client.student_id_for_dcid(999)

    assert raised.value.category == "student_id"


def test_codes_valid_on_a_date_come_from_the_powerquery(client, api):
    api.add(
        responses.POST,
        url("/ws/schema/query/com.pearson.core.attendance.attendance_code_by_school_date"),
        json={
            "count": 1,
            "record": [{"tables": {"attendance_code": {"attendance_codeid": "12", "att_code": "T", "yearid": "36"}}}],
        },
    )

    codes = list(client.attendance_codes_for_date(3001, date(2026, 10, 14)))

    assert codes[0]["id"] == 12 and codes[0]["att_code"] == "T" and codes[0]["yearid"] == 36
    assert json.loads(api.calls[-1].request.body) == {"schoolid": 3001, "att_date": "2026-10-14"}


def test_powerqueries_are_paged_until_the_count(client, api):
    def answer(request):
        page = int(query_of(request)["page"])
        rows = [{"dcid": str(n)} for n in range((page - 1) * 100, min(page * 100, 230))]
        return 200, {}, json.dumps({"name": "Students", "count": 230, "record": rows})

    api.add_callback(responses.POST, url("/ws/schema/query/com.example.students"), callback=answer)

    assert len(list(client.powerquery("com.example.students"))) == 230


def test_a_data_version_query_sends_the_version_and_application(client, api):
    api.add(responses.POST, url("/ws/schema/query/com.example.students"), json={"record": []})

    list(client.powerquery("com.example.students", {"schoolid": 1}, application="RaptorLink", since_version=42))

    assert json.loads(api.calls[-1].request.body) == {
        "schoolid": 1,
        "$dataversion": "42",
        "$dataversion_applicationname": "RaptorLink",
    }


def test_the_delta_pull_lists_changed_dcids_per_table(client, api):
    api.add(
        responses.GET,
        url("/ws/dataversion/RaptorLink/100"),
        json={"$dataversion": "16323283", "tables": {"users": [851, 769], "Students": 12}},
    )

    delta = client.changed_records("RaptorLink", 100)

    assert delta.version == 16323283
    assert delta.tables == {"users": [851, 769], "students": [12]}


def test_data_version_reads_only_the_version_a_delta_pull_names(client, api):
    api.add(
        responses.GET,
        url("/ws/dataversion/RaptorLink/0"),
        json={"$dataversion": "16323283", "tables": {"users": [851, 769], "students": [12]}},
    )

    assert client.data_version("RaptorLink", 0) == 16323283


def test_table_access_lists_each_fields_level(client, api):
    api.add(
        responses.GET,
        url("/ws/schema/table/students/metadata"),
        json={"columns": [{"name": "DCID", "access": "ViewOnly"}, {"name": "DOB", "access": "NoAccess"}]},
    )

    assert client.table_access("students") == {"dcid": "ViewOnly", "dob": "NoAccess"}
    assert query_of(api.calls[-1].request) == {"expansions": "access"}
