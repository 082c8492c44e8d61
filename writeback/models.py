"""The outbox: one self-contained attendance intent per event change, and every attempt to write it.

An intent carries everything PowerSchool needs to know about what happened (student, school, kind, time, code
text, comment, the event's reference), so the write-back engine and its log never need the kiosk app. Intents of
one student and day are applied in the order they were created.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from raptorlink.models import AttendanceMode, Building, District, School
from sis_sync.models import Student


class Intent(models.Model):
    class Kind(models.TextChoices):
        LATE_CHECK_IN = "late_check_in", "Late check-in"
        EARLY_CHECK_OUT = "early_check_out", "Early check-out"

    class Operation(models.TextChoices):
        WRITE = "write", "Write"  # the event as it now stands (created or edited): last one wins
        VOID = "void", "Void"  # the event was voided: restore what PowerSchool held before us

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CONFLICT = "conflict", "Conflict"
        SKIPPED = "skipped", "Skipped"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="writeback_intents")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="writeback_intents")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="writeback_intents")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="writeback_intents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    operation = models.CharField(max_length=10, choices=Operation.choices, default=Operation.WRITE)
    event_ref = models.CharField("event", max_length=40, help_text="The event's reference, e.g. RL-1042.")
    occurred_at = models.DateTimeField()
    att_date = models.DateField("attendance date", help_text="The date in the building's time zone.")
    seconds = models.IntegerField(help_text="The time of day in the building's zone, seconds since midnight.")
    reason = models.CharField(max_length=100)
    code_text = models.CharField(max_length=20, blank=True, help_text="The mapped attendance code's text.")
    comment = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=20)
    mode = models.CharField(max_length=10, choices=AttendanceMode.choices, blank=True, help_text="Set when sent.")
    idempotency_key = models.CharField(max_length=80, unique=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True, help_text="A worker holds the row until then.")
    leased_by = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=20, blank=True, help_text="Of the last failure (DESIGN.md categories).")
    hint = models.TextField(blank=True, help_text="What to do about the last failure, in plain words.")
    error = models.TextField(blank=True, help_text="PowerSchool's own words, when it gave any.")
    # What we wrote ({"records": [{"dcid": ..., "values": {...}}]}) and what PowerSchool held before our first
    # write for that student-day, so an edit can tell a teacher's change from ours and a void can restore.
    written = models.JSONField(default=dict, blank=True)
    prior = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "write-back"
        verbose_name_plural = "write-back log"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["student", "att_date", "id"]),
            models.Index(fields=["district", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.event_ref} for {self.student} ({self.get_status_display()})"


class Attempt(models.Model):
    """One call (or set of calls) to PowerSchool for an intent: what was sent and what came back."""

    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    request = models.JSONField(default=dict, blank=True, help_text="What was sent (never a token).")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Intent.Status.choices)
    category = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["intent", "started_at", "id"]

    def __str__(self):
        return f"Attempt on {self.intent.event_ref} at {timezone.localtime(self.started_at):%H:%M:%S}: {self.outcome}"
