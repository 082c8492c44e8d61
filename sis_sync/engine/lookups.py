"""Maps from PowerSchool's keys to local primary keys, read from the database once per run and entity.

PowerSchool rows point at each other by ID (not DCID), by school number, or (terms) by an ID that is only
unique within a school; each map turns such a reference into the local row it means. In a district whose roster
comes from Clever or OneRoster, the student maps hold the roster's students, by the ids their links gave them. The maps that hold a row
per student or section are `NumberMap`s: a dict of 50,000 students costs some 5 MB, its arrays under 1 MB.
"""

from array import array
from bisect import bisect_left

from raptorlink.models import School
from sis_sync.models import (
    BellSchedule,
    Contact,
    CycleDay,
    Period,
    RosterSource,
    Section,
    Source,
    Staff,
    StaffSchool,
    Student,
    Term,
)


def _synced(model, district):
    return model.objects.filter(district=district, source=Source.POWERSCHOOL)


def _by_ps_id(model):
    return lambda district: dict(_synced(model, district).values_list("ps_id", "pk"))


def _numbers(model, column):
    return lambda district: NumberMap(_synced(model, district).order_by(column, "pk").values_list(column, "pk"))


def _students(column):
    def load(district):
        students = Student.objects.filter(district=district, source=RosterSource.owner_of(district))
        return NumberMap(students.order_by(column, "pk").values_list(column, "pk"))

    return load


def _by_key(model):
    return lambda district: {int(key): pk for key, pk in _synced(model, district).values_list("key", "pk")}


LOADERS = {
    "school": lambda district: dict(School.objects.filter(district=district).values_list("number", "pk")),
    "term": lambda district: {
        (number, ps_id): pk
        for number, ps_id, pk in _synced(Term, district).values_list("school__number", "ps_id", "pk")
    },
    "cycle_day": _by_ps_id(CycleDay),
    "bell_schedule": _by_ps_id(BellSchedule),
    "period": _by_ps_id(Period),
    "staff": _by_key(Staff),
    "staff_school": _by_ps_id(StaffSchool),
    "student": _students("ps_id"),
    "student_dcid": _students("dcid"),
    "section": _numbers(Section, "ps_id"),
    "contact": lambda district: dict(_synced(Contact, district).values_list("key", "pk")),
}


class NumberMap:
    """{number: primary key} from (number, pk) pairs in ascending order of number, in two arrays of 64-bit integers
    (16 bytes an entry; a dict takes about 100). Where a number comes twice, its first pk wins; rows without a
    number are left out."""

    def __init__(self, pairs):
        self._numbers, self._pks = array("q"), array("q")
        for number, pk in pairs:
            if number is not None and (not self._numbers or number != self._numbers[-1]):
                self._numbers.append(number)
                self._pks.append(pk)

    def get(self, number, default=None):
        if type(number) is not int:
            return default
        at = bisect_left(self._numbers, number)
        if at < len(self._numbers) and self._numbers[at] == number:
            return self._pks[at]
        return default

    def __contains__(self, number):
        return self.get(number) is not None

    def __iter__(self):
        return iter(self._numbers)

    def __len__(self):
        return len(self._numbers)


class Lookups:
    def __init__(self, district):
        self.district = district
        self._loaded = {}

    def get(self, name):
        if name not in self._loaded:
            self._loaded[name] = LOADERS[name](self.district)
        return self._loaded[name]

    def forget(self, *names):
        for name in names:
            self._loaded.pop(name, None)
