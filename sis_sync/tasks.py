"""django-q2 tasks: they take ids, sync, and tell the district how it went."""

from raptorlink.models import District
from sis_sync import services
from sis_sync.notify import notify_sync_outcome
from sis_sync.schedules import scheduled_sync_run


def scheduled_sync(district_id, kind):
    run = scheduled_sync_run(District.objects.get(pk=district_id), kind)
    notify_sync_outcome(run)
    return run.pk


def sync_now(district_id, kind, trigger):
    """An on-demand sync: it runs even inside a pause window."""
    run = services.run_sync(District.objects.get(pk=district_id), kind=kind, trigger=trigger)
    notify_sync_outcome(run)
    return run.pk
