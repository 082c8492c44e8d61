"""Attendance writes through `responses`: payloads, results, per-record errors and the retry rules."""

import json
from datetime import date

import pytest
import requests
import responses

from raptorlink.powerschool.errors import RecordValidationError, UnavailableError
from raptorlink.powerschool.records import DAILY, MEETING, TIME, AttendanceRecord
from tests.powerschool.conftest import url

pytestmark = pytest.mark.django_db

DAILY_TIME = url("/ws/attendance/daily_time")


def record(**changes):
    values = dict(
        student_id=300,
        school_number=3001,
        year_id=36,
        att_date=date(2026, 10, 14),
        mode=DAILY,
        attendance_code_id=12,
        comment="Late check-in 08:47 — Doctor appointment (kiosk) [RL-1042]",
        calendar_day_id=126664,
    )
    return AttendanceRecord(**{**values, **changes})


def success(action="INSERT", record_id=1234567):
    return {
        "insert_count": int(action == "INSERT"),
        "update_count": int(action == "UPDATE"),
        "delete_count": 0,
        "result": [
            {
                "client_uid": None,
                "status": "SUCCESS",
                "action": action,
                "success_message": {"id": record_id, "ref": f"https://host/ws/schema/table/attendance/{record_id}"},
            }
        ],
    }


def test_a_daily_write_sends_strings_and_returns_the_record_id(client, api):
    api.add(responses.POST, DAILY_TIME, json=success())

    result = client.write_daily_time(record())

    assert result.inserted == 1 and result.record_ids == [1234567]
    assert result.outcomes[0].action == "INSERT"
    sent = json.loads(api.calls[-1].request.body)["record"][0]["tables"]["attendance"]
    assert sent == {
        "studentid": "300",
        "schoolid": "3001",
        "yearid": "36",
        "att_date": "2026-10-14",
        "att_mode_code": "ATT_ModeDaily",
        "attendance_codeid": "12",
        "calendar_dayid": "126664",
        "att_comment": "Late check-in 08:47 — Doctor appointment (kiosk) [RL-1042]",
        "programid": "0",
    }


def test_an_error_inside_a_200_answer_is_raised_with_its_category(client, api):
    api.add(
        responses.POST,
        DAILY_TIME,
        json={
            "insert_count": 0,
            "update_count": 0,
            "delete_count": 0,
            "result": [
                {
                    "client_uid": None,
                    "status": "ERROR",
                    "action": "INSERT",
                    "error_message": {
                        "error": [
                            {
                                "field": "attendance/yearid",
                                "error_code": "INVALID",
                                "error_description": "Record Not Saved. : 35 doesn't match the term's year value: 36",
                            }
                        ]
                    },
                }
            ],
        },
    )

    with pytest.raises(RecordValidationError) as raised:
        client.write_daily_time(record(year_id=35))

    assert raised.value.category == "year_mismatch"
    assert "POST /ws/attendance/daily_time → 200" in str(raised.value)


def test_meeting_records_carry_their_times_as_numbers(client, api):
    api.add(responses.POST, url("/ws/attendance/meeting_interval"), json=success())
    meeting = record(mode=MEETING, ccid=12563, period_id=2, start_time=29700, end_time=32700)

    client.write_meeting_interval([meeting])

    sent = json.loads(api.calls[-1].request.body)["record"][0]["tables"]["attendance"]
    assert sent["start_time"] == 29700 and sent["ccid"] == "12563" and sent["periodid"] == "2"


def test_meeting_records_of_two_students_are_refused_before_sending(client):
    with pytest.raises(ValueError):
        client.write_meeting_interval([record(mode=MEETING), record(mode=MEETING, student_id=301)])


def test_a_batch_is_split_into_calls_of_200(client, api):
    def answer(request):
        count = len(json.loads(request.body)["record"])
        results = [{"status": "SUCCESS", "action": "INSERT", "success_message": {"id": n}} for n in range(count)]
        return 200, {}, json.dumps({"insert_count": count, "update_count": 0, "result": results})

    api.add_callback(responses.POST, url("/ws/attendance/batch_daily_time"), callback=answer)

    result = client.write_batch_daily_time([record(student_id=n) for n in range(450)])

    assert result.inserted == 450 and len(result.record_ids) == 450
    assert [len(json.loads(call.request.body)["record"]) for call in api.calls[1:]] == [200, 200, 50]


def test_an_older_powerschool_gets_daily_records_one_by_one(client, api):
    api.add(responses.GET, url("/ws/v1/metadata"), json={"metadata": {"powerschool_version": "23.5.0.0"}})
    api.add(responses.POST, DAILY_TIME, json=success())

    result = client.write_daily_records([record(student_id=1), record(student_id=2)])

    assert len(result.outcomes) == 2
    assert sum(call.request.url == DAILY_TIME for call in api.calls) == 2


def test_a_daily_upsert_is_retried_after_a_lost_answer(client, api, sleeps):
    api.add(responses.POST, DAILY_TIME, body=requests.exceptions.ConnectionError("dropped"))
    api.add(responses.POST, DAILY_TIME, json=success("UPDATE"))

    assert client.write_daily_time(record()).updated == 1
    assert len(sleeps) == 1


def test_a_new_time_record_is_not_sent_twice_after_a_lost_answer(client, api, sleeps):
    api.add(responses.POST, DAILY_TIME, body=requests.exceptions.ReadTimeout("slow"))

    with pytest.raises(UnavailableError) as raised:
        client.write_daily_time(record(mode=TIME, total_minutes=45))

    assert raised.value.may_have_been_applied and sleeps == []


def test_time_in_and_out_travel_with_the_daily_record(client, api):
    api.add(responses.POST, DAILY_TIME, json=success())

    client.write_daily_time(record(time_in=31620))

    tables = json.loads(api.calls[-1].request.body)["record"][0]["tables"]
    assert tables["attendance_time"] == {"time_in": "31620", "time_out": "0"}


def test_deleting_a_record_that_is_already_gone_is_not_an_error(client, api):
    api.add(responses.DELETE, url("/ws/schema/table/attendance/5"), status=404, json={"message": "Not found"})

    assert client.delete_attendance(5) is False
