import datetime
from dataclasses import dataclass

import pytest
import time_machine

from sandbox.app import SandboxApp
from sandbox.mutations import rename_student
from sandbox.store import Store
from sandbox.testing import mock_powerschool
from sis_sync.services import run_sync, sync_student
from tests.sis_sync.sandbox import SANDBOX_URL, FakeClock, connect_district, sandbox_client


@dataclass
class SyncedDistrict:
    """A district, the sandbox PowerSchool it syncs from, and shortcuts to sync it."""

    district: object
    store: Store
    app: SandboxApp
    clock: FakeClock

    def client(self, **options):
        return sandbox_client(self.district, self.clock, **options)

    def sync(self, kind="full", **options):
        options.setdefault("client", self.client())
        return run_sync(self.district, kind=kind, **options)

    def sync_student(self, **options):
        return sync_student(self.district, client=self.client(), **options)


# The generated district's "today".
TODAY = datetime.datetime(2026, 10, 14, 13, 0, tzinfo=datetime.UTC)


def start_history(store):
    """A live PowerSchool's data version is never 0 (asking since 0 means "everything"); a freshly generated
    district's is, until its first change."""
    student = store.query_one("SELECT dcid, first_name FROM students ORDER BY dcid LIMIT 1")
    rename_student(store, student["dcid"], first_name=student["first_name"])


def _served(store):
    clock = FakeClock()
    app = SandboxApp(store, clock=clock)
    start_history(store)
    with time_machine.travel(TODAY), mock_powerschool(app, base_url=SANDBOX_URL):
        yield SyncedDistrict(connect_district(store), store, app, clock)


@pytest.fixture
def powerschool(db, sandbox_store):
    """The generated 60-student district (PowerSchool 25.7) behind the `responses` transport."""
    yield from _served(sandbox_store)


@pytest.fixture
def legacy_powerschool(db, legacy_sandbox_store):
    """The same district served as PowerSchool 11, which has no contact tables yet."""
    legacy_sandbox_store.set_setting("profile", "11")
    yield from _served(legacy_sandbox_store)
