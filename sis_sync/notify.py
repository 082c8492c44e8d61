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


# --- CSV drop folders --------------------------------------------------------------------------------

# Enough to see what is wrong without opening the log; the log lists every error.
FIRST_ERRORS = 5


def notify_drop_folder_outcome(district, deliveries):
    """After a pass over the drop folder: a failed file opens (and announces) an incident unless one is open; a
    pass whose files all imported closes it. A pass with nothing to import says nothing."""
    failed = [delivery for delivery in deliveries if delivery.failed]
    if failed:
        announce_drop_folder_failure(district, failed)
    elif any(delivery.imported for delivery in deliveries):
        announce_drop_folder_recovery(district, deliveries)


def announce_drop_folder_failure(district, failed):
    names = ", ".join(delivery.name for delivery in failed)
    if open_incident(district, Incident.Kind.CSV_IMPORT_FAILED, detail=f"Not imported: {names}") is None:
        return
    paragraphs = [
        "A file delivered to the district's CSV drop folder was not imported; nothing of it was imported, and "
        "RaptorLink's students, contacts and staff from CSV files are as they were before it.",
        *(failed_file_paragraph(delivery) for delivery in failed),
        "Correct the file and deliver it again. You will hear from RaptorLink again when a delivered file is "
        "imported, not for each file that fails until then.",
    ]
    email_contacts(district, "sync", Incident.Kind.CSV_IMPORT_FAILED.label, "\n\n".join(paragraphs))


def failed_file_paragraph(delivery):
    errors = delivery.errors[:FIRST_ERRORS]
    more = delivery.error_count - len(errors)
    lines = [f"File: {delivery.name}", *(f"- {error}" for error in errors)]
    if more:
        lines.append(f"- … and {more:,} more (see the log).")
    lines.append(f"Log: {delivery.log}")
    if delivery.run is not None and delivery.run.pk:
        lines.append(run_link(delivery.run))
    return "\n".join(lines)


def announce_drop_folder_recovery(district, deliveries):
    imported = ", ".join(delivery.name for delivery in deliveries if delivery.imported)
    for incident in close_incidents(district, [Incident.Kind.CSV_IMPORT_FAILED]):
        body = "\n\n".join(
            [
                f"Resolved: {incident.get_kind_display()} (since {local_time(incident.opened_at, district)}).",
                f"The latest files from the CSV drop folder were imported: {imported}.",
            ]
        )
        email_contacts(district, "sync", f"resolved — {incident.get_kind_display()}", body)
