"""PowerSchool version profiles: which features a version has and how v1 types its identifiers.

A profile is named by a version: "9", "10", "11" and "12" are the legacy servers whose v1 answers match the
2015 fixtures (school numbers, local ids, state ids and section numbers as JSON numbers); the year-based
versions ("19.x" to "25.x", e.g. "25.7") follow the Swagger models, where those are strings.
"""

from dataclasses import dataclass
from functools import cached_property

LEGACY_MAJORS = range(9, 13)
YEAR_BASED_MAJORS = range(19, 100)


@dataclass(frozen=True)
class Profile:
    name: str
    version: str

    @cached_property
    def version_tuple(self):
        return tuple(int(part) for part in self.version.split("."))

    @property
    def legacy(self):
        return self.version_tuple[0] in LEGACY_MAJORS

    @property
    def has_dataversion(self):
        return self.version_tuple >= (9, 3)

    @property
    def has_contacts_api(self):
        return self.version_tuple >= (12,)

    @property
    def has_v1_access_level(self):
        return self.version_tuple >= (25, 2)

    @property
    def has_batch(self):
        return self.version_tuple >= (25, 3)


def profile_named(name):
    """The profile for a version name such as "12", "25.7" or "25.7.0.0"; ValueError when it is not one."""
    name = str(name).strip()
    parts = name.split(".")
    if not all(part.isdigit() for part in parts) or len(parts) > 4:
        raise ValueError(f"Unknown PowerSchool profile {name!r}: use a version such as 12 or 25.7")
    major = int(parts[0])
    if major not in LEGACY_MAJORS and major not in YEAR_BASED_MAJORS:
        raise ValueError(f"Unknown PowerSchool profile {name!r}: versions 9 to 12 and 19 onwards exist")
    padded = [int(part) for part in parts] + [0] * (4 - len(parts))
    return Profile(name=name, version=".".join(str(part) for part in padded))


DEFAULT_PROFILE = "25.7"
