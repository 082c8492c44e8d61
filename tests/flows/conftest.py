"""The admin flows stand on the same fixtures as the kiosk and sync tests: the campus and the sandbox district."""

from tests.kiosk.conftest import campus, frozen  # noqa: F401 — fixtures
from tests.sis_sync.conftest import powerschool  # noqa: F401 — fixture
