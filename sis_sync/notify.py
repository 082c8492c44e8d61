"""Which sync outcomes the district hears about, and in what words."""

import zoneinfo

from django.urls import reverse
from django.utils import timezone

from raptorlink.models import Incident
from raptorlink.notifications import close_incidents, email_contacts, open_incident
from raptorlink.powerschool.errors import AuthError, UnavailableError
from sis_sync.models import SyncRun

INCIDENT_BY_CATEGORY = {
    "auth": Incident.Kind.CREDENTIALS_REFUSED,
    "unavailable": Incident.Kind.POWERSCHOOL_UNREACHABLE,
}
SYNC_INCIDENTS = [
    Incident.Kind.SYNC_FAILED,
    Incident.Kind.CREDENTIALS_REFUSED,
    Incident.Kind.POWERSCHOOL_UNREACHABLE,
]
# A one-student sync proves PowerSchool answers and accepts the credentials, not that a whole sync would pass.
CONNECTION_INCIDENTS = [Incident.Kind.CREDENTIALS_REFUSED, Incident.Kind.POWERSCHOOL_UNREACHABLE]

WHAT_HAPPENED = {
    Incident.Kind.SYNC_FAILED: "A sync from PowerSchool failed, so RaptorLink's copy of the district's data may be out of date.",
    Incident.Kind.CREDENTIALS_REFUSED: "PowerSchool refused RaptorLink's credentials, so nothing can be synced from it.",
    Incident.Kind.POWERSCHOOL_UNREACHABLE: "RaptorLink could not reach PowerSchool, so nothing can be synced from it.",
}
HINTS = {
    Incident.Kind.SYNC_FAILED: "Open the sync run below for the details. RaptorLink tries again at the next scheduled sync.",
    Incident.Kind.CREDENTIALS_REFUSED: AuthError.hint,
    Incident.Kind.POWERSCHOOL_UNREACHABLE: UnavailableError.hint,
}


def notify_sync_outcome(run):
    """Announce a new problem once, and its end once; skipped and running runs say nothing."""
    if run.status == SyncRun.Status.FAILED:
        announce_failure(run)
    elif run.status == SyncRun.Status.SUCCEEDED:
        announce_recoveries(run)


def incident_kind_for(run):
    return INCIDENT_BY_CATEGORY.get(run.error_category, Incident.Kind.SYNC_FAILED)


def announce_failure(run):
    kind = incident_kind_for(run)
    if open_incident(run.district, kind, detail=run.message) is None:
        return
    # The engine's message usually carries the hint already; say it once.
    hint = "" if HINTS[kind] in run.message else HINTS[kind]
    paragraphs = [WHAT_HAPPENED[kind], f"Details: {run.message or 'none recorded'}", hint, run_link(run)]
    body = "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
    email_contacts(run.district, "sync", Incident.Kind(kind).label, body)


def announce_recoveries(run):
    kinds = CONNECTION_INCIDENTS if run.kind == SyncRun.Kind.SPOT else SYNC_INCIDENTS
    for incident in close_incidents(run.district, kinds):
        body = "\n\n".join(
            [
                f"Resolved: {incident.get_kind_display()} (since {local_time(incident.opened_at, run.district)}).",
                "The latest sync from PowerSchool succeeded.",
                run_link(run),
            ]
        )
        email_contacts(run.district, "sync", f"resolved — {incident.get_kind_display()}", body)


def local_time(moment, district):
    return f"{timezone.localtime(moment, zoneinfo.ZoneInfo(district.time_zone)):%Y-%m-%d %H:%M %Z}"


def run_link(run):
    return f"The sync run in RaptorLink admin: {reverse('admin:sis_sync_syncrun_change', args=[run.pk])}"
