"""Roster sets for tests: the hand-written samples in tests/fixtures, and private copies a test may spoil."""

import shutil
from pathlib import Path

import pytest

from sis_sync.models import RosterSource

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ONEROSTER_11 = FIXTURES / "oneroster" / "1.1-bulk"
ONEROSTER_12 = FIXTURES / "oneroster" / "1.2-bulk"
ONEROSTER_12_DELTA = FIXTURES / "oneroster" / "1.2-delta"
CLEVER = FIXTURES / "clever" / "bulk"


def roster_from(district, source, **settings):
    """The district's roster source settings, saying its roster comes from `source`."""
    roster, _ = RosterSource.objects.update_or_create(district=district, defaults={"owner": source, **settings})
    return roster


@pytest.fixture
def lincoln_on_oneroster(world):
    roster_from(world.district, "oneroster")
    return world.district


@pytest.fixture
def lincoln_on_clever(world):
    roster_from(world.district, "clever")
    return world.district


class SetCopy:
    """A private copy of a sample set, to change one file of it."""

    def __init__(self, original, directory):
        self.path = Path(shutil.copytree(original, directory / original.name))

    def text(self, name):
        return (self.path / name).read_text(encoding="utf-8")

    def write(self, name, text, encoding="utf-8"):
        (self.path / name).write_bytes(text.encode(encoding))

    def replace(self, name, old, new):
        text = self.text(name)
        assert old in text, f"{old!r} is not in {name}"
        self.write(name, text.replace(old, new, 1))

    def append(self, name, line):
        self.write(name, self.text(name) + line + "\n")

    def drop_line(self, name, starting):
        lines = self.text(name).splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(starting)]
        assert len(kept) == len(lines) - 1, f"no single line of {name} starts with {starting!r}"
        self.write(name, "".join(kept))


@pytest.fixture
def copy_set(tmp_path):
    return lambda original: SetCopy(original, tmp_path)
