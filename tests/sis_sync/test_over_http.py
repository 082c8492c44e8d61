"""The sync against the sandbox served over real sockets, as it meets a hosted PowerSchool."""

import pytest
import time_machine

from sandbox import mutations
from sandbox.app import SandboxApp
from sandbox.faults import FaultSpec
from sandbox.server import SandboxServer
from sis_sync.models import Enrollment, Student, StudentContact, SyncRun
from sis_sync.services import run_sync
from tests.sis_sync.conftest import TODAY, start_history
from tests.sis_sync.sandbox import connect_district

pytestmark = pytest.mark.slow


@pytest.fixture
def served(db, sandbox_store):
    start_history(sandbox_store)
    app = SandboxApp(sandbox_store)
    with time_machine.travel(TODAY), SandboxServer(app) as server:
        yield connect_district(sandbox_store, base_url=server.base_url), sandbox_store, app


def test_a_full_then_a_delta_sync_over_http(served):
    district, store, _ = served
    full = run_sync(district)
    student = store.query_one("SELECT * FROM students WHERE enroll_status = 0 ORDER BY dcid LIMIT 1")
    mutations.rename_student(store, student["dcid"], first_name="Marisol")

    delta = run_sync(district, kind="delta")

    assert (full.status, delta.status) == (SyncRun.Status.SUCCEEDED, SyncRun.Status.SUCCEEDED)
    assert Student.objects.count() == 60 and StudentContact.objects.exists() and Enrollment.objects.exists()
    assert Student.objects.get(key=str(student["dcid"])).first_name == "Marisol"
    assert delta.counts["students"] == {"created": 0, "updated": 1, "unchanged": 0, "deactivated": 0, "failed": 0}
    assert delta.requests < full.requests / 3


def test_a_sync_over_http_survives_occasional_server_errors(served, settings):
    district, _, app = served
    settings.POWERSCHOOL_MAX_RETRIES = 6
    app.faults.replace(FaultSpec(error_rate=0.05))

    run = run_sync(district)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert Student.objects.count() == 60


def test_a_sync_over_http_with_powerschool_down_fails_and_says_so(served, settings):
    district, _, app = served
    settings.POWERSCHOOL_MAX_RETRIES = 0
    app.faults.replace(FaultSpec(error_rate=1))

    run = run_sync(district)

    assert (run.status, run.error_category) == (SyncRun.Status.FAILED, "unavailable")
    assert "RaptorLink retries on its own" in run.message
