"""Sign-in reasons and student events (late check-ins and early check-outs).

Events are created, edited and voided only through `kiosk.services`, which hand every change to the write-back
outbox in the same transaction.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from raptorlink.models import Building, District, School
from sis_sync.models import Student


class EventKind(models.TextChoices):
    LATE_CHECK_IN = "late_check_in", "Late check-in"
    EARLY_CHECK_OUT = "early_check_out", "Early check-out"


class EventSource(models.TextChoices):
    KIOSK = "kiosk", "Kiosk"
    FRONT_DESK = "front_desk", "Front desk"
    DELAYED_ENTRY = "delayed_entry", "Delayed entry"


class Reason(models.Model):
    """A reason a student gives at sign-in or sign-out, for the whole district or one building."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="reasons")
    building = models.ForeignKey(
        Building,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reasons",
        help_text="Blank: offered in every building of the district.",
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    label = models.CharField(
        max_length=100, help_text="What the student or the front desk sees, e.g. Doctor appointment."
    )
    excused = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["district", "kind", "sort_order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["district", "building", "kind", "label"], name="reason_label_unique")
        ]

    def __str__(self):
        return f"{self.label} ({self.get_kind_display()})"

    def clean(self):
        if self.building_id and self.building.district_id != self.district_id:
            raise ValidationError({"building": "Choose a building of the reason's own district."})


class ReasonCode(models.Model):
    """Which PowerSchool attendance code a reason writes at one school — by the code's text, so it survives rollover.

    The code's id differs every school year; it is looked up for the school and the year of each event.
    """

    reason = models.ForeignKey(Reason, on_delete=models.CASCADE, related_name="codes")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="reason_codes")
    code = models.CharField("attendance code", max_length=20, help_text="The code's text in PowerSchool, e.g. T or TE.")

    class Meta:
        ordering = ["reason", "school"]
        constraints = [models.UniqueConstraint(fields=["reason", "school"], name="one_code_per_reason_and_school")]

    def __str__(self):
        return f"{self.reason.label} → {self.code} at {self.school}"

    def clean(self):
        if self.school_id and self.reason_id and self.school.district_id != self.reason.district_id:
            raise ValidationError({"school": "Choose a school of the reason's own district."})


class StudentEvent(models.Model):
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="student_events")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="events")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="student_events")
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="student_events", help_text="The student's school at the time."
    )
    occurred_at = models.DateTimeField(help_text="When it happened (stored in UTC, shown in the building's zone).")
    reason = models.ForeignKey(Reason, on_delete=models.PROTECT, related_name="events")
    note = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=EventSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    excused = models.BooleanField(default=False)
    active = models.BooleanField(default=True, help_text="Off once voided.")
    kiosk = models.ForeignKey(
        "KioskDevice", on_delete=models.SET_NULL, null=True, blank=True, related_name="events", editable=False
    )
    # An early check-out at the front desk: who picked the student up, kept as text should the contact go.
    pickup_contact = models.ForeignKey(
        "sis_sync.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    picked_up_by = models.CharField(max_length=200, blank=True)
    pickup_override = models.CharField(
        max_length=300, blank=True, help_text="Why a person not authorised to pick the student up was allowed to."
    )
    # The caller's key for one attempt (a kiosk tap, a form), so a double submit records one event.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["building", "occurred_at"]),
            models.Index(fields=["student", "occurred_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.student} at {self.local_time:%Y-%m-%d %H:%M}"

    @property
    def reference(self):
        """How the event is named in PowerSchool comments and in the log."""
        return f"RL-{self.pk}"

    @property
    def local_time(self):
        return self.occurred_at.astimezone(self.building.zone)


class StudentEventChange(models.Model):
    """One step in an event's history: created, edited or voided, by whom, and the values before and after."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        VOIDED = "voided", "Voided"

    event = models.ForeignKey(StudentEvent, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was edited or voided.")

    class Meta:
        ordering = ["event", "changed_at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.event.reference}"


class KioskDevice(models.Model):
    """A browser at a building's entrance, enrolled once through a link and known afterwards by its cookie.

    Both secrets (the enrolment link's and the cookie's) are random tokens stored only as their SHA-256 hashes.
    """

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="kiosks")
    name = models.CharField(max_length=100, help_text="Where it stands, e.g. Main entrance.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enrolment_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    enrolment_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    enrolled_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_seen_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["building", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="kiosk_name_unique_in_building")]

    def __str__(self):
        return f"{self.name} ({self.building})"

    @property
    def revoked(self):
        return self.revoked_at is not None

    @property
    def enrolment_open(self):
        return (
            not self.revoked
            and self.enrolment_token_hash is not None
            and self.enrolment_expires_at is not None
            and self.enrolment_expires_at > timezone.now()
        )


class UnrecordedSignIn(models.Model):
    """A sign-in a kiosk kept while offline that the server refused when it arrived (e.g. the student was
    withdrawn meanwhile): kept for the front desk, so nothing a student did at the door is lost."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="unrecorded_sign_ins")
    kiosk = models.ForeignKey(KioskDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    student_id_typed = models.CharField("student id entered", max_length=50)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    reason_label = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    problem = models.TextField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self):
        return f"Unrecorded {self.get_kind_display().lower()} of {self.student_id_typed}"
