"""PowerSchool schools (the v1 district school list): a new school arrives without a building, and a school
keeps the building an administrator gave it."""

from raptorlink.models import School
from sis_sync.engine.context import InvalidRecord
from sis_sync.engine.upsert import fingerprint

ENTITY = "schools"


def school_values(item):
    """RaptorLink's fields from one v1 school (`id` is the DCID, `school_number` the schoolid of every table)."""
    if not isinstance(item.get("id"), int) or not isinstance(item.get("school_number"), int):
        raise InvalidRecord("The school has no DCID or school number")
    if not item.get("name"):
        raise InvalidRecord("The school has no name")
    return {
        "dcid": item["id"],
        "number": item["school_number"],
        "name": item["name"],
        "low_grade": item.get("low_grade"),
        "high_grade": item.get("high_grade"),
    }


def sync_schools(ctx):
    schools = list(School.objects.filter(district=ctx.district))
    by_dcid = {school.dcid: school for school in schools if school.dcid is not None}
    # A school a roster file brought in has no DCID yet: PowerSchool's school of the same number is that one.
    by_number = {school.number: school for school in schools if school.dcid is None}
    seen, kept = set(), set()
    for item in ctx.client.schools():
        try:
            values = school_values(item)
        except InvalidRecord as invalid:
            ctx.issue(ENTITY, item.get("id"), str(invalid), item)
            continue
        school = by_dcid.get(values["dcid"]) or by_number.get(values["number"])
        seen.add(values["dcid"])
        if school is not None:
            kept.add(school.pk)
        _save_school(ctx, school, values)
    ctx.report(ENTITY, len(seen))
    if ctx.full:
        gone = [school.pk for school in by_dcid.values() if school.pk not in kept and school.active]
        ctx.deactivate_later(School, ENTITY, gone)


def _save_school(ctx, school, values):
    print_ = fingerprint(values)
    if school is None:
        School.objects.create(district=ctx.district, fingerprint=print_, synced_at=ctx.now, **values)
        ctx.count(ENTITY, "created")
    elif school.fingerprint != print_ or not school.active:
        School.objects.filter(pk=school.pk).update(active=True, fingerprint=print_, synced_at=ctx.now, **values)
        ctx.count(ENTITY, "updated")
    else:
        ctx.count(ENTITY, "unchanged")
