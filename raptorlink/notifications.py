"""Telling a district's contacts about problems: once when an incident opens, once when it ends.

An incident stays open until the next success closes it, so a problem that repeats every fifteen minutes is
announced once, not every fifteen minutes. The database's one-open-incident-per-kind constraint decides who
announces when two workers fail at the same moment.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from raptorlink.models import Incident, NotificationContact
from raptorlink.validators import one_line

SUBJECT_PREFIX = "[RaptorLink]"
TOPICS = {"sync": "about_sync", "writeback": "about_writeback", "maintenance": "about_maintenance"}


def open_incident(district, kind, detail=""):
    """The newly opened incident, or None when one of this kind is already open (already announced)."""
    if Incident.objects.filter(district=district, kind=kind, closed_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            return Incident.objects.create(district=district, kind=kind, detail=detail)
    except IntegrityError:
        return None


def close_incidents(district, kinds):
    """Close the open incidents of these kinds; returns those that were open, to announce their end."""
    open_ones = list(Incident.objects.filter(district=district, kind__in=kinds, closed_at__isnull=True))
    now = timezone.now()
    closed = []
    for incident in open_ones:
        # Only the process whose update lands announces the recovery.
        if Incident.objects.filter(pk=incident.pk, closed_at__isnull=True).update(closed_at=now):
            incident.closed_at = now
            closed.append(incident)
    return closed


def contact_addresses(district, topic):
    flag = TOPICS[topic]
    contacts = NotificationContact.objects.filter(district=district, active=True, **{flag: True})
    return list(contacts.order_by("email").values_list("email", flat=True))


def email_contacts(district, topic, subject, body):
    """Send one plain-text e-mail to the district's active contacts for `topic`; returns how many got it."""
    recipients = contact_addresses(district, topic)
    if not recipients:
        return 0
    # The subject carries names (the district's, a school's from PowerSchool): a line break there would make
    # Django refuse the message, and every alert of the district with it.
    subject = one_line(f"{SUBJECT_PREFIX} {district.name}: {subject}")
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
