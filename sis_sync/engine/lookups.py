"""Maps from PowerSchool's keys to local primary keys, read from the database once per run and entity.

PowerSchool rows point at each other by ID (not DCID), by school number, or (terms) by an ID that is only
unique within a school; each map turns such a reference into the local row it means.
"""

from raptorlink.models import School
from sis_sync.models import (
    BellSchedule,
    Contact,
    CycleDay,
    Period,
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
    "student": _by_ps_id(Student),
    "student_dcid": lambda district: dict(_synced(Student, district).values_list("dcid", "pk")),
    "section": _by_ps_id(Section),
    "contact": lambda district: dict(_synced(Contact, district).values_list("key", "pk")),
}


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
