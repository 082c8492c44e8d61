import pytest

from tests.districts import generated_store
from tests.world import build_world


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; the test world creates seven of them per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(scope="session")
def generated_district(tmp_path_factory):
    """The shared, read-only sandbox district: seed 1, 60 students, today 2026-10-14, profile 25.7."""
    return generated_store(tmp_path_factory.mktemp("district"), "25.7")


@pytest.fixture(scope="session")
def generated_legacy_district(tmp_path_factory):
    return generated_store(tmp_path_factory.mktemp("legacy-district"), "12")


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
