"""Maintenance windows: posted by a district admin, announced to the district's contacts, shown as a banner.

The e-mail goes out after the posting transaction commits, so a rolled-back save announces nothing. Each window
remembers the times it last announced; an announcement claims the change of those times with a conditional
update, so the same times are never e-mailed twice, even when two processes try at once. A change of the times
sends an update; a cancellation of an announced window that has not ended sends a cancellation.

Kiosks and front desks show a window from an hour before it starts (as upcoming) until it ends, with its times
in the building's own zone.
"""

import zoneinfo

from django.db import transaction
from django.utils import timezone

from raptorlink.models import MaintenanceWindow
from raptorlink.notifications import email_contacts

# --- posting, changing, cancelling -----------------------------------------------------------------------------


def maintenance_post(window, *, posted_by):
    """Save a new or changed window; its contacts are told after commit when its times are new to them."""
    with transaction.atomic():
        if window.pk is None:
            window.posted_by = posted_by
        window.save()
        window_id = window.pk
        transaction.on_commit(lambda: maintenance_announce(window_id))
    return window


def maintenance_announce(window_id):
    """E-mail the window's times unless they were announced already; returns how many contacts were e-mailed."""
    window = MaintenanceWindow.objects.select_related("district").filter(pk=window_id, cancelled_at=None).first()
    if window is None or window.is_over():
        return 0
    announced = (window.announced_starts_at, window.announced_ends_at)
    if announced == (window.starts_at, window.ends_at):
        return 0
    claimed = MaintenanceWindow.objects.filter(
        pk=window.pk, announced_starts_at=announced[0], announced_ends_at=announced[1]
    ).update(announced_starts_at=window.starts_at, announced_ends_at=window.ends_at, emailed_at=timezone.now())
    if not claimed:
        return 0
    if announced[0] is None:
        return email_contacts(window.district, "maintenance", f"Maintenance {window_when(window)}", body(window))
    earlier = window_when(window, *announced)
    return email_contacts(
        window.district,
        "maintenance",
        f"Maintenance moved to {window_when(window)}",
        body(window, f"The times have changed: it was announced for {earlier}."),
    )


def maintenance_cancel(window, *, cancelled_by):
    """Cancel a window; contacts who were told about it are told it is off. Returns whether this call cancelled."""
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().select_related("district").get(pk=window.pk)
        if window.cancelled:
            return False
        window.cancelled_at = timezone.now()
        window.cancelled_by = cancelled_by
        window.save(update_fields=["cancelled_at", "cancelled_by"])
        if window.announced_starts_at is not None and not window.is_over():
            transaction.on_commit(lambda: cancellation_email(window))
    return True


def cancellation_email(window):
    when = window_when(window, window.announced_starts_at, window.announced_ends_at)
    text = f"The maintenance announced for {when} is cancelled: RaptorLink works as usual.\n\n{window.title}\n"
    return email_contacts(window.district, "maintenance", f"Cancelled: maintenance {when}", text)


def body(window, preface=""):
    lines = [preface, ""] if preface else []
    lines += [
        window.title,
        f"When: {window_when(window)}",
        "",
        window.message,
        "",
        "Kiosks and front desks show this notice from an hour before it starts until it ends.",
    ]
    return "\n".join(lines) + "\n"


# --- times as people read them --------------------------------------------------------------------------------


def window_when(window, starts_at=None, ends_at=None, zone=None):
    """e.g. "Saturday 11/21/2026 18:00–20:00 CST", or both dates when it spans midnight."""
    zone = zone or window.district.time_zone
    start = timezone.localtime(starts_at or window.starts_at, timezone=as_zone(zone))
    end = timezone.localtime(ends_at or window.ends_at, timezone=as_zone(zone))
    if start.date() == end.date():
        return f"{start:%A %m/%d/%Y %H:%M}–{end:%H:%M %Z}"
    return f"{start:%A %m/%d/%Y %H:%M} – {end:%A %m/%d/%Y %H:%M %Z}"


def as_zone(zone):
    return zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone


# --- banners ----------------------------------------------------------------------------------------------------


def windows_shown(district_ids, now=None):
    """The windows to show now: not cancelled, starting within the hour or under way."""
    now = now or timezone.now()
    return (
        MaintenanceWindow.objects.filter(
            district_id__in=district_ids,
            cancelled_at=None,
            starts_at__lte=now + MaintenanceWindow.NOTICE,
            ends_at__gt=now,
        )
        .select_related("district")
        .order_by("starts_at", "pk")
    )


def banner(window, zone, now=None):
    """What a kiosk or front desk shows of `window`, its times in `zone` (the building's)."""
    under_way = window.is_under_way(now)
    return {
        "title": window.title,
        "message": window.message,
        "when": window_when(window, zone=zone),
        "state": "now" if under_way else "upcoming",
        "heading": f"Maintenance under way: {window.title}" if under_way else f"Maintenance soon: {window.title}",
    }


def building_banners(building, now=None):
    return [banner(window, building.zone, now) for window in windows_shown([building.district_id], now)]


def district_banners(districts, now=None):
    """Banners for a page covering several districts' buildings, each in its district's zone."""
    return [banner(window, window.district.time_zone, now) for window in windows_shown([d.pk for d in districts], now)]
