from dataclasses import dataclass

import pytest

from sandbox.app import SandboxApp
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


def _served(store):
    clock = FakeClock()
    app = SandboxApp(store, clock=clock)
    district = connect_district(store)
    with mock_powerschool(app, base_url=SANDBOX_URL):
        yield SyncedDistrict(district, store, app, clock)


@pytest.fixture
def powerschool(db, sandbox_store):
    """The generated 60-student district (PowerSchool 25.7) behind the `responses` transport."""
    yield from _served(sandbox_store)


@pytest.fixture
def legacy_powerschool(db, legacy_sandbox_store):
    """The same district served as PowerSchool 11, which has no contact tables yet."""
    legacy_sandbox_store.set_setting("profile", "11")
    yield from _served(legacy_sandbox_store)
