"""Generated sandbox districts for the sandbox's tests.

Generating is done once per session; each test gets its own copy of the store file, so it can write freely
without the cost of generating again. None of this touches Django's database.
"""

import datetime

import pytest

from sandbox.generator import generate_district
from sandbox.store import Store

TODAY = datetime.date(2026, 10, 14)
STUDENTS = 60


def _generated(directory, profile):
    store = Store(directory / "district.sqlite3")
    generate_district(store, seed=1, students=STUDENTS, profile=profile, today=TODAY)
    return store


@pytest.fixture(scope="session")
def generated_district(tmp_path_factory):
    """The shared, read-only district: seed 1, 60 students, today 2026-10-14, profile 25.7."""
    return _generated(tmp_path_factory.mktemp("district"), "25.7")


@pytest.fixture(scope="session")
def generated_legacy_district(tmp_path_factory):
    return _generated(tmp_path_factory.mktemp("legacy-district"), "12")


@pytest.fixture
def sandbox_store(generated_district, tmp_path):
    """A private copy of the generated district that a test may change."""
    store = generated_district.copy_to(tmp_path / "sandbox.sqlite3")
    yield store
    store.close()


@pytest.fixture
def legacy_sandbox_store(generated_legacy_district, tmp_path):
    """The same district served as PowerSchool 12 would."""
    store = generated_legacy_district.copy_to(tmp_path / "legacy.sqlite3")
    yield store
    store.close()
