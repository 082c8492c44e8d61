"""Real, sanitised PowerSchool answers go through the sync as they are."""

import re

import pytest
import responses

from raptorlink.models import District, PowerSchoolConnection, School
from sis_sync.models import AttendanceCode, SyncRun
from sis_sync.services import run_sync
from tests.fixtures import powerschool_fixture

BASE_URL = "https://real.powerschool.test"


@pytest.fixture
def real_powerschool(db):
    """A PowerSchool 25.7 answering with the real schools and attendance codes fixtures."""
    district = District.objects.create(name="Excel", slug="excel")
    PowerSchoolConnection.objects.create(district=district, base_url=BASE_URL, client_id="id", client_secret="secret")
    schools = powerschool_fixture("all_schools_response.json")
    codes = powerschool_fixture("attendance_code_response.json")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.post(f"{BASE_URL}/oauth/access_token", json={"access_token": "t", "expires_in": "3600"})
        api.get(f"{BASE_URL}/ws/v1/metadata", json={"metadata": {"powerschool_version": "25.7.0.0"}})
        api.get(re.compile(f"{BASE_URL}/ws/dataversion/RaptorLink/0"), json={"$dataversion": "77", "tables": {}})
        api.get(
            f"{BASE_URL}/ws/v1/district/school/count", json={"resource": {"count": len(schools["schools"]["school"])}}
        )
        api.get(f"{BASE_URL}/ws/v1/district/school", json=schools)
        api.get(f"{BASE_URL}/ws/schema/table/attendance_code/count", json={"count": len(codes["record"])})
        api.get(f"{BASE_URL}/ws/schema/table/attendance_code", json=codes)
        yield district


def test_the_real_school_list_and_attendance_codes_are_synced(real_powerschool):
    run = run_sync(real_powerschool, entities=["schools", "attendance_codes"])

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    excel = School.objects.get(number=3001)
    assert (excel.dcid, excel.low_grade, excel.high_grade, excel.building) == (3, 9, 12, None)
    tardy = AttendanceCode.objects.get(school=excel, code="T-Un")
    assert (tardy.key, tardy.ps_id, tardy.year_id) == ("4", 4, 25)
    assert (tardy.description, tardy.presence_status) == ("Tardy-Unexcused", "Absent")
    present = AttendanceCode.objects.get(school=excel, key="1")
    assert (present.code, present.presence_status) == ("", "Present")
    assert AttendanceCode.objects.count() == run.counts["attendance_codes"]["created"] > 1
