"""The client against the sandbox PowerSchool: a generated district, real validations, faults and throttling."""

from datetime import date

import pytest

from raptorlink.powerschool.errors import AccessError, RecordValidationError
from raptorlink.powerschool.records import DAILY, AttendanceRecord
from sandbox.api.oauth import tokens_revoke
from tests.sandbox.ws_client import enrolled_student, grant

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 14)
YEAR_ID = 36


def absent_code(store, school_number, year_id=YEAR_ID):
    return store.query_one(
        "SELECT id FROM attendance_code WHERE schoolid = ? AND yearid = ? AND presence_status_cd = 'Absent' "
        "ORDER BY sortorder",
        (school_number, year_id),
    )["id"]


def daily_record(store, mode=DAILY, **changes):
    student = enrolled_student(store, mode)
    values = dict(
        student_id=student["id"],
        school_number=student["schoolid"],
        year_id=YEAR_ID,
        att_date=TODAY,
        mode=mode,
        attendance_code_id=absent_code(store, student["schoolid"]),
        comment="Late check-in 08:47 — Doctor appointment (kiosk) [RL-1042]",
    )
    return AttendanceRecord(**{**values, **changes})


def test_every_student_of_every_school_is_read_across_many_pages(sandbox):
    client, store, _ = sandbox

    students = [student for school in client.schools() for student in client.students(school["id"])]

    expected = store.query_one("SELECT COUNT(*) AS n FROM students")["n"]
    assert len(students) == expected
    assert len({student["id"] for student in students}) == expected
    assert all(isinstance(student["local_id"], str) for student in students)


@pytest.mark.parametrize("quirk", [True, False])
def test_a_last_page_of_one_reads_the_same_with_the_quirk_on_or_off(sandbox, quirk):
    client, store, _ = sandbox
    store.set_setting("single_element_quirk", quirk)
    school = next(iter(client.schools()))
    count = store.query_one("SELECT COUNT(*) AS n FROM students WHERE schoolid = ?", (school["school_number"],))["n"]
    client.page_size = count - 1

    students = list(client.students(school["id"]))

    assert len(students) == count


def test_legacy_and_modern_servers_give_the_same_types(db, legacy_sandbox_store, sandbox_store, clock):
    from raptorlink.powerschool import PowerSchoolClient
    from sandbox.app import SandboxApp
    from sandbox.testing import mock_powerschool
    from tests.powerschool.conftest import SANDBOX_URL, connect_to_sandbox

    seen = {}
    for slug, store in (("legacy", legacy_sandbox_store), ("modern", sandbox_store)):
        connection = connect_to_sandbox(store, slug=slug)
        with mock_powerschool(SandboxApp(store, clock=clock), base_url=SANDBOX_URL):
            client = PowerSchoolClient(connection, sleep=clock.sleep)
            school = next(iter(client.schools()))
            student = next(iter(client.students(school["id"])))
            seen[slug] = (client.metadata(), school, student)

    for _metadata, school, student in seen.values():
        assert isinstance(school["school_number"], int)
        assert isinstance(student["local_id"], str) and isinstance(student["id"], int)
        assert isinstance(student["school_enrollment"]["school_number"], int)
    assert not seen["legacy"][0].has_batch_attendance and seen["modern"][0].has_batch_attendance


def test_a_daily_write_is_read_back_and_a_second_write_updates_it(sandbox):
    client, store, _ = sandbox
    record = daily_record(store)

    first = client.write_daily_time(record)
    record.comment = "Signed out 13:10 (front desk)"
    second = client.write_daily_time(record)

    assert (first.inserted, second.updated) == (1, 1)
    assert first.record_ids == second.record_ids
    written = client.daily_attendance(record.student_id, TODAY)
    assert written["dcid"] == first.record_ids[0] and written["id"] != written["dcid"]
    assert written["att_comment"] == "Signed out 13:10 (front desk)"
    assert client.attendance_record(written["dcid"])["attendance_codeid"] == record.attendance_code_id


def test_a_batch_write_reports_each_record(sandbox):
    client, store, _ = sandbox
    good = daily_record(store)
    stale = daily_record(store, year_id=YEAR_ID - 1)
    stale.student_id = enrolled_student(store, DAILY, day="2026-10-13")["id"]

    result = client.write_batch_daily_time([good, stale])

    assert result.inserted == 1 and len(result.outcomes) == 2
    assert result.outcomes[0].ok and result.outcomes[1].error.category == "year_mismatch"


def test_a_deleted_record_is_gone_and_deleting_again_is_harmless(sandbox):
    client, store, _ = sandbox
    written = client.write_daily_time(daily_record(store))

    assert client.delete_attendance(written.record_ids[0]) is True
    assert client.attendance_record(written.record_ids[0]) is None
    assert client.delete_attendance(written.record_ids[0]) is False


def test_a_stale_year_is_a_year_mismatch(sandbox):
    client, store, _ = sandbox

    with pytest.raises(RecordValidationError) as raised:
        client.write_daily_time(daily_record(store, year_id=YEAR_ID - 1))

    assert raised.value.category == "year_mismatch"
    assert "doesn't match the term's year value" in str(raised.value)


def test_a_student_of_another_school_is_not_enrolled(sandbox):
    client, store, _ = sandbox
    record = daily_record(store)
    record.student_id = store.query_one("SELECT id FROM students WHERE schoolid != ? LIMIT 1", (record.school_number,))[
        "id"
    ]

    with pytest.raises(RecordValidationError) as raised:
        client.write_daily_time(record)

    assert raised.value.category == "not_enrolled"
    assert not raised.value.retryable


def test_daily_attendance_at_a_meeting_school_is_a_mode_mismatch(sandbox):
    client, store, _ = sandbox
    record = daily_record(store, mode="ATT_ModeMeeting")
    record.mode = DAILY

    with pytest.raises(RecordValidationError) as raised:
        client.write_daily_time(record)

    assert raised.value.category == "mode_mismatch"


def test_a_field_the_plugin_lacks_is_named(sandbox):
    client, store, _ = sandbox
    grant(store, "students", "last_name", "NoAccess")

    with pytest.raises(AccessError) as raised:
        list(client.student_identifiers())

    assert raised.value.fields == ["students.last_name"]
    assert "students.last_name" in raised.value.hint


def test_throttling_waits_for_retry_after_and_then_succeeds(sandbox, clock):
    client, store, _ = sandbox
    with store.transaction() as conn:
        conn.execute("UPDATE sandbox_plugin SET min_request_interval_ms = 2000")
    started = clock.now

    schools = list(client.schools())

    assert schools and clock.now - started >= 2


def test_server_errors_are_retried_until_success(db, sandbox_store, clock, settings):
    from raptorlink.powerschool import PowerSchoolClient
    from sandbox.app import SandboxApp
    from sandbox.testing import mock_powerschool
    from tests.powerschool.conftest import SANDBOX_URL, connect_to_sandbox

    settings.POWERSCHOOL_MAX_RETRIES = 12
    connection = connect_to_sandbox(sandbox_store)
    sleeps = []
    with mock_powerschool(
        SandboxApp(sandbox_store, faults="error_rate=0.4", rng_seed=3, clock=clock), base_url=SANDBOX_URL
    ):
        schools = list(PowerSchoolClient(connection, sleep=sleeps.append).schools())

    assert len(schools) == sandbox_store.query_one("SELECT COUNT(*) AS n FROM schools")["n"]
    assert sleeps


def test_a_revoked_token_is_renewed(sandbox):
    client, store, _ = sandbox
    client.district()
    old = client.session.connection.access_token
    tokens_revoke(store)

    assert client.district()["name"]
    assert client.session.connection.access_token != old


def test_dcids_map_to_different_ids_and_back(sandbox):
    client, store, _ = sandbox
    rows = store.query("SELECT dcid, id FROM students ORDER BY dcid LIMIT 5")

    forward = client.student_ids_for_dcids([row["dcid"] for row in rows])
    backward = client.student_dcids_for_ids(forward.values())

    assert forward == {row["dcid"]: row["id"] for row in rows}
    assert backward == {row["id"]: row["dcid"] for row in rows}


def test_contacts_and_schedules_are_read(sandbox):
    client, store, _ = sandbox
    school = next(iter(client.schools()))
    number = school["school_number"]
    dcid = store.query_one("SELECT studentdcid FROM studentcontactassoc LIMIT 1")["studentdcid"]

    assert client.student_contacts(dcid)
    assert list(client.contact_people()) and list(client.student_contact_details())
    assert list(client.terms(number, YEAR_ID)) and client.year_term(number, TODAY)["yearid"] == YEAR_ID
    assert list(client.calendar_days(number, TODAY, TODAY))[0]["date_value"] == TODAY
    schedules = list(client.bell_schedules(number, YEAR_ID))
    assert list(client.bell_schedule_items(schedules[0]["id"]))
    assert list(client.periods(number, YEAR_ID)) and list(client.cycle_days(number, YEAR_ID))
    assert list(client.sections(number)) and list(client.section_meetings(number, YEAR_ID))
    assert all(row["termid"] > 0 for row in client.enrollments(number, YEAR_ID))
    assert list(client.users()) and list(client.school_staff(number))
    assert list(client.attendance_codes_for_date(number, TODAY))


def test_table_queries_project_only_fields_in_the_access_list(sandbox):
    from raptorlink.powerschool.access import required_access
    from raptorlink.powerschool.tables import TABLE_COLUMNS

    client, store, _ = sandbox
    requested = []
    original = client.session.request

    def spy(method, path, **kwargs):
        params = kwargs.get("params") or {}
        if "projection" in params:
            requested.append((path.split("/")[4], params["projection"].split(",")))
        return original(method, path, **kwargs)

    client.session.request = spy
    written = client.write_daily_time(daily_record(store, time_in=31620))
    assert client.attendance_times(client.attendance_record(written.record_ids[0])["id"])[0]["time_in"] == 31620
    school = next(iter(client.schools()))
    for table in TABLE_COLUMNS:
        list(
            client.table_rows(
                table, f"schoolid=={school['school_number']}" if "schoolid" in TABLE_COLUMNS[table] else None
            )
        )

    allowed = required_access()
    assert {table for table, _ in requested} == set(TABLE_COLUMNS)
    for table, fields in requested:
        assert set(fields) <= set(allowed[table]), table


def test_the_delta_pull_sees_a_write(sandbox):
    client, store, _ = sandbox
    plugin = store.query_one("SELECT dataversion_app FROM sandbox_plugin")
    before = client.changed_records(plugin["dataversion_app"], 0).version

    client.write_daily_time(daily_record(store))
    delta = client.changed_records(plugin["dataversion_app"], before)

    assert delta.version > before and delta.tables.get("attendance")
