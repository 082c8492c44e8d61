"""The district's admin home: today's sign-ins, write-back health, sync freshness and what needs a person.

Every figure is aggregated in the database, a fixed handful of queries per page however many buildings, hours
or intents there are. What a person sees follows their role: a building admin only their buildings' numbers,
an IT viewer sync and write-back but no sign-ins.
"""

import itertools
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, FloatField, Func, Max, Q
from django.db.models.functions import ExtractHour
from django.urls import reverse
from django.utils import timezone

from console import charts
from kiosk.models import EventKind, EventSource, StudentEvent, UnrecordedSignIn
from raptorlink.models import Incident, Membership
from raptorlink.permissions import DISTRICT, Action, districts_for, reach
from sis_sync.models import ENTITIES, SyncRun, SyncSettings
from writeback.models import Intent

DAY_HOURS = range(6, 19)  # the school day shown by the hourly chart, widened when sign-ins fall outside it
WEEK_DAYS = 7
FINISHED = [Intent.Status.SUCCEEDED, Intent.Status.FAILED, Intent.Status.CONFLICT]
FULL_KINDS = [SyncRun.Kind.FULL, SyncRun.Kind.MANUAL]
LATENCY_BUCKETS = [  # (label, upper bound in seconds); the last bucket takes everything slower
    ("<1s", 1),
    ("1–5s", 5),
    ("5–30s", 30),
    ("30s–2m", 120),
    ("2–10m", 600),
    ("10m–1h", 3600),
    (">1h", None),
]


@dataclass(frozen=True)
class Outlook:
    """What one person may see of one district on the dashboard."""

    district: object
    building_ids: frozenset | None  # whose sign-ins and write-backs are counted; None: the whole district
    sees_sign_ins: bool
    sees_sync: bool
    sees_incidents: bool

    def buildings(self):
        buildings = self.district.buildings.all()
        return buildings if self.building_ids is None else buildings.filter(pk__in=self.building_ids)

    def intents(self):
        """The write-backs counted: filtered on the intent's own district column, which its index leads with."""
        intents = Intent.objects.filter(district=self.district)
        return intents if self.building_ids is None else intents.filter(building__in=self.building_ids)

    def in_scope(self, queryset):
        """`queryset` (of rows with a building) narrowed to the buildings this person's numbers cover."""
        queryset = queryset.filter(building__district=self.district)
        return queryset if self.building_ids is None else queryset.filter(building__in=self.building_ids)


def readable_districts(user):
    return districts_for(user, Action.USE_CONSOLE).order_by("name")


def outlook_for(user, district):
    """The user's view of `district`: the role's grants (raptorlink.permissions) decide each section."""
    if user.is_superuser:
        return Outlook(district, None, sees_sign_ins=True, sees_sync=True, sees_incidents=True)
    membership = Membership.objects.get(user=user, district=district)
    district_wide = reach(membership.role, Action.READ_LOG) == DISTRICT
    return Outlook(
        district,
        None if district_wide else frozenset(membership.buildings.values_list("pk", flat=True)),
        sees_sign_ins=reach(membership.role, Action.READ_EVENTS) is not None,
        sees_sync=reach(membership.role, Action.READ_SYNC) == DISTRICT,
        sees_incidents=reach(membership.role, Action.READ_INCIDENTS) == DISTRICT,
    )


def district_choose(user, requested):
    """The district to show for the `?district=` value `requested`, and a notice when it could not be honoured."""
    districts = list(readable_districts(user))
    if not districts:
        return None, districts, ""
    if requested in (None, ""):
        return districts[0], districts, ""
    chosen = next((district for district in districts if str(district.pk) == str(requested).strip()), None)
    if chosen is None:
        return districts[0], districts, f"That district is not one you can see; showing {districts[0]}."
    return chosen, districts, ""


# --- today's sign-ins ----------------------------------------------------------------------------------------


@dataclass
class BuildingDay:
    building: object
    late_check_ins: int = 0
    early_check_outs: int = 0
    by_source: dict = field(default_factory=dict)
    unrecorded: int = 0

    @property
    def total(self):
        return self.late_check_ins + self.early_check_outs

    def sources(self):
        return [(label, self.by_source.get(value, 0)) for value, label in EventSource.choices]

    def add(self, kind, source, count):
        if kind == EventKind.LATE_CHECK_IN:
            self.late_check_ins += count
        else:
            self.early_check_outs += count
        self.by_source[source] = self.by_source.get(source, 0) + count


def day_bounds(zone, now):
    today = timezone.localtime(now, zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def sign_ins_today(outlook, now):
    """One row per building (events today by kind and source, open unrecorded sign-ins) and {hour: sign-ins}."""
    zone = ZoneInfo(outlook.district.time_zone)
    start, end = day_bounds(zone, now)
    rows = {building.pk: BuildingDay(building) for building in outlook.buildings()}
    events = outlook.in_scope(StudentEvent.objects.filter(active=True, occurred_at__gte=start, occurred_at__lt=end))
    for group in events.values("building", "kind", "source").annotate(count=Count("id")).order_by():
        rows[group["building"]].add(group["kind"], group["source"], group["count"])
    unrecorded = outlook.in_scope(UnrecordedSignIn.objects.filter(resolved_at=None))
    for group in unrecorded.values("building").annotate(count=Count("id")).order_by():
        rows[group["building"]].unrecorded = group["count"]
    by_hour = events.annotate(hour=ExtractHour("occurred_at", tzinfo=zone)).values("hour")
    hourly = {group["hour"]: group["count"] for group in by_hour.annotate(count=Count("id")).order_by()}
    return list(rows.values()), hourly


def hourly_chart(hourly):
    hours = range(min([DAY_HOURS.start, *hourly]), max([DAY_HOURS.stop - 1, *hourly]) + 1)
    total = sum(hourly.values())
    return charts.bar_chart(
        [(f"{hour:02d}", hourly.get(hour, 0)) for hour in hours],
        chart_id="chart-sign-ins",
        title="Sign-ins per hour today",
        desc=f"{total} sign-ins today; the busiest hour had {max(hourly.values(), default=0)}.",
    )


# --- write-back health -------------------------------------------------------------------------------------


@dataclass
class WindowHealth:
    label: str
    succeeded: int
    finished: int
    p50: float | None  # seconds
    p95: float | None

    @property
    def success_rate(self):
        return round(100 * self.succeeded / self.finished, 1) if self.finished else None


class SecondsBetween(Func):
    """Seconds from the first datetime to the second, in the database's own arithmetic: Django's duration
    subtraction calls back into Python for every row on SQLite, which is far too slow over a week's log."""

    output_field = FloatField()

    def _operands(self, compiler):
        (earlier, earlier_params), (later, later_params) = map(compiler.compile, self.get_source_expressions())
        return earlier, later, (*later_params, *earlier_params)

    def as_sql(self, compiler, connection, **extra):
        earlier, later, params = self._operands(compiler)
        return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS double precision)", params

    def as_sqlite(self, compiler, connection, **extra):
        earlier, later, params = self._operands(compiler)
        # Rounded to the millisecond: julianday's floating point would put exactly 1 s at 0.99999… s.
        return f"ROUND((julianday({later}) - julianday({earlier})) * 86400.0, 3)", params


def with_latency(intents):
    latency = SecondsBetween(F("created_at"), F("finished_at"))
    return intents.filter(status=Intent.Status.SUCCEEDED, finished_at__isnull=False).annotate(latency=latency)


def percentile(latencies, count, fraction):
    """The nearest-rank percentile, read straight from the database's sorted latencies."""
    if not count:
        return None
    rank = min(count, math.ceil(fraction * count)) - 1
    return latencies.order_by("latency").values_list("latency", flat=True)[rank]


def writeback_health(outlook, now):
    intents = outlook.intents()
    windows = {"day": now - timedelta(days=1), "week": now - timedelta(days=WEEK_DAYS)}
    figures = intents.aggregate(
        failed=Count("id", filter=Q(status=Intent.Status.FAILED)),
        conflict=Count("id", filter=Q(status=Intent.Status.CONFLICT)),
        pending=Count("id", filter=Q(status__in=[Intent.Status.PENDING, Intent.Status.SENDING])),
        **{
            f"{name}_{outcome}": Count("id", filter=Q(created_at__gte=since, status__in=statuses))
            for name, since in windows.items()
            for outcome, statuses in (("succeeded", [Intent.Status.SUCCEEDED]), ("finished", FINISHED))
        },
    )
    health = []
    for name, label in (("day", "Last 24 hours"), ("week", "Last 7 days")):
        latencies = with_latency(intents.filter(created_at__gte=windows[name]))
        count = figures[f"{name}_succeeded"]
        health.append(
            WindowHealth(
                label,
                succeeded=count,
                finished=figures[f"{name}_finished"],
                p50=percentile(latencies, count, 0.50),
                p95=percentile(latencies, count, 0.95),
            )
        )
    open_counts = {key: figures[key] for key in ("failed", "conflict", "pending")}
    return health, open_counts


def daily_success(outlook, now):
    """(date, succeeded, finished) for each of the last seven days in the district's zone, oldest first.

    One filtered count per day, on the indexed creation time, rather than truncating every row to its date."""
    zone = ZoneInfo(outlook.district.time_zone)
    today, _ = day_bounds(zone, now)
    starts = [today - timedelta(days=WEEK_DAYS - 1 - offset) for offset in range(WEEK_DAYS + 1)]
    counts = {}
    for index, (start, end) in enumerate(itertools.pairwise(starts)):
        created = Q(created_at__gte=start, created_at__lt=end)
        counts[f"succeeded_{index}"] = Count("id", filter=created & Q(status=Intent.Status.SUCCEEDED))
        counts[f"finished_{index}"] = Count("id", filter=created & Q(status__in=FINISHED))
    figures = outlook.intents().filter(created_at__gte=starts[0]).aggregate(**counts)
    return [
        (start.date(), figures[f"succeeded_{index}"], figures[f"finished_{index}"])
        for index, start in enumerate(starts[:-1])
    ]


def success_chart(daily):
    points = [(f"{day:%a}", round(100 * ok / done, 1) if done else None) for day, ok, done in daily]
    known = [value for _, value in points if value is not None]
    summary = f"lowest {min(known):g}%, highest {max(known):g}%" if known else "no write-backs finished this week"
    return charts.line_chart(
        points,
        chart_id="chart-success",
        title="Write-back success rate per day, last 7 days",
        desc=f"Share of finished write-backs that succeeded each day: {summary}.",
        y_max=100,
        unit="%",
    )


def latency_histogram(outlook, now):
    latencies = with_latency(outlook.intents().filter(created_at__gte=now - timedelta(days=WEEK_DAYS)))
    lower = None
    buckets = {}
    for index, (_, upper) in enumerate(LATENCY_BUCKETS):
        condition = Q() if lower is None else Q(latency__gte=lower)
        if upper is not None:
            condition &= Q(latency__lt=upper)
        buckets[f"bucket_{index}"] = Count("id", filter=condition)
        lower = upper
    counts = latencies.aggregate(**buckets)
    return [(label, counts[f"bucket_{index}"]) for index, (label, _) in enumerate(LATENCY_BUCKETS)]


def latency_chart(histogram):
    total = sum(count for _, count in histogram)
    return charts.bar_chart(
        histogram,
        chart_id="chart-latency",
        title="Time from sign-in to PowerSchool, last 7 days",
        desc=f"{total} successful write-backs by how long they took: "
        + ", ".join(f"{label} {count}" for label, count in histogram)
        + ".",
    )


def duration_text(seconds):
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"


# --- sync freshness ------------------------------------------------------------------------------------------


@dataclass
class EntitySync:
    entity: str
    last_success: datetime | None
    counts: dict
    failed_since: bool
    stale: bool

    @property
    def label(self):
        return self.entity.replace("_", " ").capitalize()

    @property
    def counts_text(self):
        """The run's figures for this entity, e.g. "3 created · 1996 unchanged" (zeros left out)."""
        return " · ".join(f"{count} {outcome}" for outcome, count in self.counts.items() if count)

    @property
    def problem(self):
        if self.failed_since:
            return "failed"
        if self.stale:
            return "stale"
        return ""


def sync_settings_for(district):
    return SyncSettings.objects.filter(district=district).first() or SyncSettings(district=district)


def entity_syncs(district, settings, now):
    """Per entity: when a run last took it successfully, whether a run failed on it since, and whether that is
    older than twice the full-sync interval. A full run covers every entity even where nothing changed."""
    entities = [entity for entity in ENTITIES if not settings.entities or entity in settings.entities]
    runs = SyncRun.objects.filter(district=district)

    def covers(entity):
        return Q(counts__has_key=entity) | Q(kind__in=FULL_KINDS)

    marks = runs.aggregate(
        **{
            f"ok_{entity}": Max("finished_at", filter=Q(status=SyncRun.Status.SUCCEEDED) & covers(entity))
            for entity in entities
        },
        **{
            f"failed_{entity}": Max("started_at", filter=Q(status=SyncRun.Status.FAILED) & covers(entity))
            for entity in entities
        },
    )
    finished = {marks[f"ok_{entity}"] for entity in entities} - {None}
    counts_at = dict(
        runs.filter(status=SyncRun.Status.SUCCEEDED, finished_at__in=finished).values_list("finished_at", "counts")
    )
    limit = timedelta(hours=2 * settings.full_interval_hours)
    return [
        EntitySync(
            entity,
            last_success=marks[f"ok_{entity}"],
            counts=(counts_at.get(marks[f"ok_{entity}"]) or {}).get(entity, {}),
            failed_since=_later(marks[f"failed_{entity}"], marks[f"ok_{entity}"]),
            stale=marks[f"ok_{entity}"] is None or now - marks[f"ok_{entity}"] > limit,
        )
        for entity in entities
    ]


def _later(moment, than):
    return moment is not None and (than is None or moment > than)


def latest_run(district):
    return SyncRun.objects.filter(district=district).exclude(status=SyncRun.Status.SKIPPED).first()


def age_text(moment, now):
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min ago"
    return f"{minutes // (24 * 60)} days ago"


# --- links -------------------------------------------------------------------------------------------------


def links_for(outlook):
    district = outlook.district
    log = reverse("admin:writeback_log")
    links = {
        "setup": reverse("admin:powerschool_setup", args=[district.pk]),
        "log": log,
        "failed": f"{log}?status=failed",
        "conflict": f"{log}?status=conflict",
        "pending": f"{log}?status=pending",
    }
    if outlook.sees_sync:
        links["sync_runs"] = f"{reverse('admin:sis_sync_syncrun_changelist')}?district__id__exact={district.pk}"
    if outlook.sees_incidents:
        incidents = reverse("admin:raptorlink_incident_changelist")
        links["incidents"] = f"{incidents}?district__id__exact={district.pk}&closed_at__isempty=1"
    if outlook.sees_sign_ins:
        links["kiosks"] = reverse("admin:kiosk_kioskdevice_changelist")
        links["unrecorded"] = f"{reverse('admin:kiosk_unrecordedsignin_changelist')}?resolved_at__isempty=1"
    return links


def sync_context(district, now):
    settings = sync_settings_for(district)
    return {
        "settings": settings,
        "entities": [
            {"sync": sync, "age": age_text(sync.last_success, now)} for sync in entity_syncs(district, settings, now)
        ],
        "latest_run": latest_run(district),
    }


# --- the page ----------------------------------------------------------------------------------------------


def dashboard_context(user, requested_district, now=None):
    """Everything templates/console/dashboard.html shows for `user`."""
    now = now or timezone.now()
    district, districts, notice = district_choose(user, requested_district)
    if district is None:
        return {"dashboard": None}
    outlook = outlook_for(user, district)
    health, open_counts = writeback_health(outlook, now)
    context = {
        "district": district,
        "districts": districts if len(districts) > 1 else [],
        "notice": notice,
        "now": timezone.localtime(now, ZoneInfo(district.time_zone)),
        "outlook": outlook,
        "links": links_for(outlook),
        "health": [
            {"window": window, "p50": duration_text(window.p50), "p95": duration_text(window.p95)} for window in health
        ],
        "open": open_counts,
        "success_chart": success_chart(daily_success(outlook, now)),
        "latency_chart": latency_chart(latency_histogram(outlook, now)),
    }
    if outlook.sees_sync:
        context.update(sync_context(district, now))
    if outlook.sees_incidents:
        context["incidents"] = list(Incident.objects.filter(district=district, closed_at=None))
    if outlook.sees_sign_ins:
        buildings, hourly = sign_ins_today(outlook, now)
        context["buildings"] = buildings
        context["sign_in_total"] = sum(row.total for row in buildings)
        context["unrecorded_total"] = sum(row.unrecorded for row in buildings)
        context["sources"] = [label for _, label in EventSource.choices]
        context["sign_ins_chart"] = hourly_chart(hourly)
    return {"dashboard": context}
