"""Years and terms, cycle days, bell schedules and their periods, and calendar days.

Terms are pulled for every year; the rest for the sync years only: the school years that have not ended yet
(the current one, and next year's once it is set up), or the latest year during a summer with none.
"""

from django.db.models import Max, Min

from sis_sync.engine.pull import TablePull, any_of, reference, required, whole
from sis_sync.models import BellSchedule, BellScheduleItem, CalendarDay, CycleDay, Period, Source, Term


def _scope(model, **filters):
    return lambda ctx: model.objects.filter(district=ctx.district, source=Source.POWERSCHOOL, **filters)


def sync_years(ctx):
    """The year ids a sync covers, from the full-year terms already synced (read again after terms change)."""
    if "sync_years" not in ctx.memo:
        ctx.memo["sync_years"] = _sync_years(ctx)
    return ctx.memo["sync_years"]


def _sync_years(ctx):
    year_terms = Term.objects.filter(district=ctx.district, active=True, is_year=True)
    current = set(year_terms.filter(last_day__gte=ctx.today).values_list("year_id", flat=True))
    if current:
        return sorted(current)
    latest = year_terms.aggregate(latest=Max("year_id"))["latest"]
    return [latest] if latest is not None else []


def sync_dates(ctx):
    """(first day, last day) spanned by the sync years."""
    span = Term.objects.filter(district=ctx.district, is_year=True, year_id__in=sync_years(ctx)).aggregate(
        first=Min("first_day"), last=Max("last_day")
    )
    return span["first"], span["last"]


def _school(ctx, row):
    return reference(ctx.lookup("school"), row["schoolid"], "School number")


def term_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "school_id": _school(ctx, row),
        "ps_id": whole(row["id"], "TERMS.ID"),
        "year_id": whole(row["yearid"], "Year id"),
        "name": row["name"] or "",
        "abbreviation": row["abbreviation"] or "",
        "first_day": required(row["firstday"], "First day"),
        "last_day": required(row["lastday"], "Last day"),
        "portion": row["portion"] or 1,
        "is_year": bool(row["isyearrec"]),
    }


def cycle_day_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "school_id": _school(ctx, row),
        "ps_id": whole(row["id"], "CYCLE_DAY.ID"),
        "year_id": whole(row["year_id"], "Year id"),
        "letter": required(row["letter"], "Letter"),
        "day_number": whole(row["day_number"], "Day number"),
        "name": row["day_name"] or "",
    }


def bell_schedule_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "school_id": _school(ctx, row),
        "ps_id": whole(row["id"], "BELL_SCHEDULE.ID"),
        "year_id": whole(row["year_id"], "Year id"),
        "name": required(row["name"], "Name"),
    }


def period_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "school_id": _school(ctx, row),
        "ps_id": whole(row["id"], "PERIOD.ID"),
        "year_id": whole(row["year_id"], "Year id"),
        "number": whole(row["period_number"], "Period number"),
        "name": row["name"] or "",
        "abbreviation": row["abbreviation"] or "",
        "sort_order": row["sort_order"] or 0,
    }


def bell_schedule_item_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "bell_schedule_id": reference(ctx.lookup("bell_schedule"), row["bell_schedule_id"], "Bell schedule"),
        "period_id": reference(ctx.lookup("period"), row["period_id"], "Period"),
        "start_seconds": whole(row["start_time"], "Start time"),
        "end_seconds": whole(row["end_time"], "End time"),
    }


def calendar_day_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "school_id": _school(ctx, row),
        "ps_id": whole(row["id"], "CALENDAR_DAY.ID"),
        "date": required(row["date_value"], "Date"),
        "in_session": bool(row["insession"]),
        "bell_schedule_id": _optional(ctx, "bell_schedule", row["bell_schedule_id"], "Bell schedule"),
        "cycle_day_id": _optional(ctx, "cycle_day", row["cycle_day_id"], "Cycle day"),
    }


def _optional(ctx, lookup, value, what):
    """PowerSchool writes 0 (or nothing) for "none"."""
    return reference(ctx.lookup(lookup), value, what) if value else None


def _year_rows(table):
    return lambda ctx: ctx.client.table_rows(table, any_of("year_id", sync_years(ctx))) if sync_years(ctx) else []


def _bell_schedule_items(ctx):
    bell_schedules = BellSchedule.objects.filter(district=ctx.district, year_id__in=sync_years(ctx))
    return ctx.client.rows_by_keys(
        "bell_schedule_items", "bell_schedule_id", list(bell_schedules.values_list("ps_id", flat=True))
    )


def _calendar_days(ctx):
    first, last = sync_dates(ctx)
    if first is None:
        return []
    return ctx.client.table_rows("calendar_day", f"date_value=ge={first.isoformat()};date_value=le={last.isoformat()}")


def _calendar_scope(ctx):
    first, last = sync_dates(ctx)
    return _scope(CalendarDay, date__gte=first, date__lte=last)(ctx) if first else CalendarDay.objects.none()


def _in_sync_years(model, path="year_id"):
    return lambda ctx: _scope(model, **{f"{path}__in": sync_years(ctx)})(ctx)


PULLS = [
    TablePull(
        "terms",
        Term,
        "terms",
        term_values,
        lambda ctx: ctx.client.table_rows("terms"),
        _scope(Term),
        ("term", "sync_years"),
    ),
    TablePull(
        "cycle_days",
        CycleDay,
        "cycle_day",
        cycle_day_values,
        _year_rows("cycle_day"),
        _in_sync_years(CycleDay),
        ("cycle_day",),
    ),
    TablePull(
        "bell_schedules",
        BellSchedule,
        "bell_schedule",
        bell_schedule_values,
        _year_rows("bell_schedule"),
        _in_sync_years(BellSchedule),
        ("bell_schedule",),
    ),
    TablePull("periods", Period, "period", period_values, _year_rows("period"), _in_sync_years(Period), ("period",)),
    TablePull(
        "bell_schedule_items",
        BellScheduleItem,
        "bell_schedule_items",
        bell_schedule_item_values,
        _bell_schedule_items,
        _in_sync_years(BellScheduleItem, "bell_schedule__year_id"),
    ),
    TablePull("calendar_days", CalendarDay, "calendar_day", calendar_day_values, _calendar_days, _calendar_scope),
]
