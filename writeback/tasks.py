"""django-q2 tasks of the write-back: thin, the work is in writeback.engine."""

from django.conf import settings

from writeback.engine.drainer import drain as drain_outbox


def drain():
    """Started on commit of every new intent and every minute by a schedule; returns how many were processed."""
    return drain_outbox(linger=settings.WRITEBACK_DRAIN_LINGER_SECONDS)
