"""When write-backs keep failing, the district's contacts hear it once, and once more when they work again.

"Keep failing" is a threshold (WRITEBACK_ALERT_FAILURES failures or conflicts within WRITEBACK_ALERT_WINDOW_MINUTES,
both settings), so one bad student record does not page anyone. Recovery needs a success since the
incident opened: failures merely ageing out of the window (nothing being tried) are not a recovery.
"""

import zoneinfo
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from raptorlink.models import District, Incident
from raptorlink.notifications import close_incidents, email_contacts, open_incident
from writeback.models import Intent

KIND = Incident.Kind.WRITEBACK_FAILURES


def notify_after_drain(district_ids):
    """Called by the drainer after each batch with the districts whose intents it processed."""
    for district in District.objects.filter(pk__in=set(district_ids)):
        check_writeback_failures(district)


def check_writeback_failures(district, now=None):
    """Open (and announce) or close (and announce) the district's write-back incident; returns what was done."""
    now = now or timezone.now()
    failures = recent_failures(district, now)
    if len(failures) >= alert_threshold():
        return announce_failures(district, failures)
    open_since = (
        Incident.objects.filter(district=district, kind=KIND, closed_at__isnull=True)
        .values_list("opened_at", flat=True)
        .first()
    )
    if open_since and succeeded_since(district, open_since):
        return announce_recovery(district)
    return None


def recent_failures(district, now):
    """Failures and conflicts that finished within the window and nobody has dealt with since."""
    window_start = now - timedelta(minutes=alert_window_minutes())
    unresolved = Q(resolved_at__isnull=True) | Q(resolved_at__lt=F("finished_at"))
    return list(
        Intent.objects.filter(
            unresolved,
            district=district,
            status__in=[Intent.Status.FAILED, Intent.Status.CONFLICT],
            finished_at__gte=window_start,
        )
        .select_related("student")
        .order_by("-finished_at")
    )


def alert_threshold():
    return settings.WRITEBACK_ALERT_FAILURES


def alert_window_minutes():
    return settings.WRITEBACK_ALERT_WINDOW_MINUTES


def succeeded_since(district, moment):
    return Intent.objects.filter(district=district, status=Intent.Status.SUCCEEDED, finished_at__gte=moment).exists()


def announce_failures(district, failures):
    detail = failure_summary(failures)
    if open_incident(district, KIND, detail=detail) is None:
        return None
    body = "\n\n".join(
        [
            f"{len(failures)} attendance write-backs to PowerSchool failed or conflicted in the last "
            f"{alert_window_minutes()} minutes.",
            detail,
            "Open the write-back log for each error and its fix; retry the rows once the cause is fixed.",
            log_link(),
        ]
    )
    email_contacts(district, "writeback", KIND.label, body)
    return "opened"


def announce_recovery(district):
    closed = close_incidents(district, [KIND])
    for incident in closed:
        body = "\n\n".join(
            [
                f"Resolved: {incident.get_kind_display()} (since {district_time(incident.opened_at, district)}).",
                "Attendance write-backs to PowerSchool succeed again.",
                log_link(),
            ]
        )
        email_contacts(district, "writeback", f"resolved — {incident.get_kind_display()}", body)
    return "closed" if closed else None


def failure_summary(failures):
    counts = Counter(intent.category or "unknown" for intent in failures)
    lines = [f"{category}: {count}" for category, count in counts.most_common()]
    latest = failures[0]
    lines.append(f"Latest: {latest.event_ref} for {latest.student.display_name} — {latest.error or latest.hint}")
    return "\n".join(lines)


def district_time(moment, district):
    return f"{timezone.localtime(moment, zoneinfo.ZoneInfo(district.time_zone)):%Y-%m-%d %H:%M %Z}"


def log_link():
    return f"The write-back log in RaptorLink admin: {reverse('admin:writeback_log')}?status=failed"
