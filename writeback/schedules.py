"""The every-minute drain: a safety net for intents whose on-commit drain was lost (a worker down, a redeploy)
and for retries coming due."""

from django_q.models import Schedule

from writeback.outbox import DRAIN_TASK, DRAIN_TASK_OPTIONS

SCHEDULE_NAME = "writeback drain every minute"


def ensure_drain_schedule():
    """Create or correct the schedule; returns "created", "updated" or "unchanged". Safe to repeat."""
    wanted = {
        "func": DRAIN_TASK,
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
        "repeats": -1,
        # The outbox owns retries: django-q2 must not run a failed drain again.
        "kwargs": f"q_options={{'ack_failure': {DRAIN_TASK_OPTIONS['ack_failure']!r}}}",
    }
    schedule, created = Schedule.objects.get_or_create(name=SCHEDULE_NAME, defaults=wanted)
    if created:
        return "created"
    changes = {field: value for field, value in wanted.items() if getattr(schedule, field) != value}
    if not changes:
        return "unchanged"
    Schedule.objects.filter(pk=schedule.pk).update(**changes)
    return "updated"


def setup_drain_schedule():
    """For `manage.py setup_schedules`."""
    return [f"Write-back drain every minute: {ensure_drain_schedule()}"]
