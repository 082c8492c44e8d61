"""When each district syncs: a full and a changes-only django-q2 schedule per district, and its pause windows.

The schedules follow the district's sync settings: saving the settings updates them, disabling scheduled syncs
or deleting the district removes them, and `manage.py setup_schedules` brings every district in line at deploy.
Every function here is safe to repeat.
"""

import zoneinfo
from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule

from raptorlink.models import District
from sis_sync import services
from sis_sync.models import CsvDropFolder, SyncPause, SyncRun, SyncSettings

SCHEDULED_TASK = "sis_sync.tasks.scheduled_sync"
SCHEDULED_KINDS = [SyncRun.Kind.FULL, SyncRun.Kind.DELTA]
NAME_PREFIX = "sis_sync"


def schedule_name(district_id, kind):
    return f"{NAME_PREFIX} {kind} sync of district {district_id}"


def interval_minutes(sync_settings, kind):
    if kind == SyncRun.Kind.FULL:
        return sync_settings.full_interval_hours * 60
    return sync_settings.delta_interval_minutes


def first_run(kind, minutes, now):
    # A newly scheduled district gets its full copy at once; changes are only worth pulling after that.
    return now if kind == SyncRun.Kind.FULL else now + timedelta(minutes=minutes)


def schedule_save(district, kind, minutes):
    """Create or correct one schedule; returns "created", "updated" or "unchanged"."""
    now = timezone.now()
    wanted = {
        "func": SCHEDULED_TASK,
        "args": repr((district.pk, str(kind))),
        "schedule_type": Schedule.MINUTES,
        "minutes": minutes,
        "repeats": -1,
    }
    schedule, created = Schedule.objects.get_or_create(
        name=schedule_name(district.pk, kind), defaults={**wanted, "next_run": first_run(kind, minutes, now)}
    )
    if created:
        return "created"
    changes = {field: value for field, value in wanted.items() if getattr(schedule, field) != value}
    # A shorter interval takes effect now rather than after the old, longer wait.
    soonest = now + timedelta(minutes=minutes)
    if schedule.next_run is None or schedule.next_run > soonest:
        changes["next_run"] = soonest
    if not changes:
        return "unchanged"
    Schedule.objects.filter(pk=schedule.pk).update(**changes)
    return "updated"


def schedules_remove(district_id):
    """Returns how many schedules were removed."""
    names = [schedule_name(district_id, kind) for kind in SCHEDULED_KINDS]
    deleted, _ = Schedule.objects.filter(name__in=names).delete()
    return deleted


def schedules_update(district):
    """Bring the district's schedules in line with its sync settings; returns {kind: what happened}."""
    sync_settings = SyncSettings.objects.filter(district=district).first()
    if sync_settings is None or not sync_settings.enabled:
        removed = schedules_remove(district.pk)
        return {kind: "removed" for kind in SCHEDULED_KINDS} if removed else {}
    return {kind: schedule_save(district, kind, interval_minutes(sync_settings, kind)) for kind in SCHEDULED_KINDS}


def settings_ensure_for_connected_districts():
    """Districts connected to PowerSchool sync on the default schedule until someone changes it."""
    for district in District.objects.filter(powerschool__isnull=False, sync_settings__isnull=True):
        SyncSettings.objects.get_or_create(district=district)


def orphan_schedules_remove():
    """Remove schedules of districts that no longer exist; returns how many."""
    existing = {
        schedule_name(pk, kind) for pk in District.objects.values_list("pk", flat=True) for kind in SCHEDULED_KINDS
    }
    orphans = Schedule.objects.filter(func=SCHEDULED_TASK).exclude(name__in=existing)
    deleted, _ = orphans.delete()
    return deleted


# --- what a schedule runs ---------------------------------------------------------------------------


def scheduled_sync_run(district, kind):
    """A scheduled sync, or inside a pause window the skipped run that tells IT why none happened."""
    pause = pause_covering(district, district_today(district))
    if pause is not None:
        return paused_run_record(district, kind, pause)
    sync_settings = SyncSettings.objects.filter(district=district).first()
    entities = sync_settings.entities if sync_settings and sync_settings.entities else None
    return services.run_sync(district, kind=kind, trigger="schedule", entities=entities)


def district_today(district):
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(district.time_zone))


def pause_covering(district, day):
    return SyncPause.objects.filter(district=district, starts_on__lte=day, ends_on__gte=day).first()


def paused_run_record(district, kind, pause):
    """The skipped run that shows IT a scheduled sync did not happen, and why."""
    now = timezone.now()
    reason = f" ({pause.reason})" if pause.reason else ""
    return SyncRun.objects.create(
        district=district,
        kind=kind,
        trigger="schedule",
        status=SyncRun.Status.SKIPPED,
        started_at=now,
        finished_at=now,
        message=f"Scheduled syncs are paused from {pause.starts_on:%Y-%m-%d} to {pause.ends_on:%Y-%m-%d}{reason}.",
    )


def setup_sync_schedules():
    """Every district's sync schedules as its settings say; for `manage.py setup_schedules`."""
    settings_ensure_for_connected_districts()
    lines = []
    for district in District.objects.order_by("slug"):
        outcome = schedules_update(district)
        summary = ", ".join(f"{kind} {what}" for kind, what in outcome.items()) or "no scheduled syncs"
        lines.append(f"{district.slug}: {summary}")
    removed = orphan_schedules_remove()
    if removed:
        lines.append(f"Removed the schedules of deleted districts: {removed}.")
    return lines


# --- CSV drop folders --------------------------------------------------------------------------------

CSV_DROP_TASK = "sis_sync.csvimport.dropfolder.drop_folder_task"


def csv_drop_schedule_name(district_id):
    return f"{NAME_PREFIX} CSV drop folder of district {district_id}"


def csv_drop_schedule_update(district):
    """Bring the district's drop-folder schedule in line with its CSV drop folder; returns what happened."""
    drop = CsvDropFolder.objects.filter(district=district).first()
    name = csv_drop_schedule_name(district.pk)
    if drop is None or not drop.enabled:
        deleted, _ = Schedule.objects.filter(name=name).delete()
        return "removed" if deleted else ""
    wanted = {
        "func": CSV_DROP_TASK,
        "args": repr((district.pk,)),
        "schedule_type": Schedule.MINUTES,
        "minutes": drop.interval_minutes,
        "repeats": -1,
    }
    schedule, created = Schedule.objects.get_or_create(name=name, defaults={**wanted, "next_run": timezone.now()})
    if created:
        return "created"
    changes = {field: value for field, value in wanted.items() if getattr(schedule, field) != value}
    if changes:
        Schedule.objects.filter(pk=schedule.pk).update(**changes)
    return "updated" if changes else "unchanged"


def setup_csv_drop_schedules():
    """Every district's drop-folder schedule; for `manage.py setup_schedules`."""
    lines = []
    for district in District.objects.filter(csv_drop_folder__isnull=False).order_by("slug"):
        outcome = csv_drop_schedule_update(district)
        lines.append(f"{district.slug}: CSV drop folder {outcome or 'not scheduled'}")
    existing = [csv_drop_schedule_name(pk) for pk in District.objects.values_list("pk", flat=True)]
    orphans, _ = Schedule.objects.filter(func=CSV_DROP_TASK).exclude(name__in=existing).delete()
    if orphans:
        lines.append(f"Removed the CSV drop-folder schedules of deleted districts: {orphans}.")
    return lines
