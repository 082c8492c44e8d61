"""Spot sync from the desk, against the sandbox PowerSchool behind the `responses` transport."""

from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client

from raptorlink.models import Building, Role, School
from sandbox.app import SandboxApp
from sandbox.mutations import rename_student, withdraw_student
from sandbox.testing import mock_powerschool
from sis_sync.models import Student, SyncRun
from sis_sync.services import run_sync
from tests.sis_sync.conftest import TODAY, start_history
from tests.sis_sync.sandbox import SANDBOX_URL, FakeClock, connect_district, sandbox_client
from tests.world import add_member, make_user


@dataclass
class SyncedDesk:
    building: Building
    client: Client
    store: object
    student: Student

    def sync(self, student=None):
        url = f"/desk/{self.building.pk}/api/students/{(student or self.student).pk}/sync"
        return self.client.post(url, data="{}", content_type="application/json")


@pytest.fixture
def synced_desk(db, sandbox_store):
    """The generated district synced once, every school behind one building, and that building's desk."""
    start_history(sandbox_store)
    with time_machine.travel(TODAY), mock_powerschool(SandboxApp(sandbox_store), base_url=SANDBOX_URL):
        district = connect_district(sandbox_store)
        run_sync(district, client=sandbox_client(district, FakeClock()), entities=["schools", "students"])
        building = Building.objects.create(district=district, name="Sandbox Campus")
        School.objects.filter(district=district).update(building=building)
        user = make_user("dee.desk", staff=False)
        add_member(user, district, Role.FRONT_DESK, [building])
        client = Client()
        client.force_login(user)
        student = Student.objects.filter(district=district, active=True, enroll_status=0).order_by("dcid").first()
        yield SyncedDesk(building, client, sandbox_store, student)


def test_a_spot_sync_refreshes_the_student_from_powerschool(synced_desk):
    rename_student(synced_desk.store, synced_desk.student.dcid, first_name="Renamed")

    answer = synced_desk.sync().json()

    assert answer["ok"] is True
    assert answer["student"]["name"] == f"Renamed {synced_desk.student.last_name}"
    assert "was refreshed from PowerSchool" in answer["message"]
    assert "contacts" in answer["student"]
    assert SyncRun.objects.filter(kind=SyncRun.Kind.SPOT, trigger="front desk").count() == 1


def test_a_spot_sync_shows_a_student_withdrawn_in_powerschool_as_no_longer_enrolled(synced_desk):
    withdraw_student(synced_desk.store, synced_desk.student.dcid)

    answer = synced_desk.sync().json()

    assert answer["ok"] is True
    assert "is no longer enrolled" in answer["student"]["problem"]


def test_a_student_powerschool_no_longer_has_gets_a_clear_message(synced_desk):
    gone = synced_desk.student
    gone.dcid = 987654
    gone.save()

    answer = synced_desk.sync(gone).json()

    assert answer["ok"] is False
    assert "PowerSchool has no student with DCID 987654" in answer["message"]


def test_an_unreachable_powerschool_is_said_plainly_and_changes_nothing(synced_desk, settings):
    settings.POWERSCHOOL_MAX_RETRIES = 0
    connection = synced_desk.building.district.powerschool
    connection.base_url = "https://unreachable.powerschool.test"
    connection.save()

    answer = synced_desk.sync().json()

    assert answer["ok"] is False
    assert answer["message"] == "PowerSchool could not be reached just now, so nothing changed. Try again in a minute."
    assert answer["student"]["name"] == synced_desk.student.display_name


def test_a_student_from_another_roster_source_is_not_synced(synced_desk):
    student = synced_desk.student
    student.source = "csv"
    student.save()
    answer = synced_desk.sync().json()
    assert "does not come from PowerSchool" in answer["errors"]["__all__"][0]
    assert not SyncRun.objects.filter(kind=SyncRun.Kind.SPOT).exists()
