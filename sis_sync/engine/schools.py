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
    existing = {school.dcid: school for school in School.objects.filter(district=ctx.district)}
    seen = set()
    for item in ctx.client.schools():
        try:
            values = school_values(item)
        except InvalidRecord as invalid:
            ctx.issue(ENTITY, item.get("id"), str(invalid), item)
            continue
        seen.add(values["dcid"])
        _save_school(ctx, existing.get(values["dcid"]), values)
    ctx.report(ENTITY, len(seen))
    if ctx.full:
        gone = [school.pk for dcid, school in existing.items() if dcid not in seen and school.active]
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
