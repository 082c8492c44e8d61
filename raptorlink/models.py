"""The core: districts, their buildings, who may do what where, and each district's PowerSchool connection."""

import ipaddress
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from raptorlink.fields import EncryptedTextField
from raptorlink.validators import (
    parse_networks,
    validate_comment_template,
    validate_grade_levels,
    validate_name,
    validate_networks,
    validate_powerschool_url,
)


def validate_time_zone(name):
    if name not in zoneinfo.available_timezones():
        raise ValidationError(f"“{name}” is not a time zone name; use one like America/New_York.")


class AttendanceMode(models.TextChoices):
    DAILY = "daily", "Daily"
    TIME = "time", "Time"
    MEETING = "meeting", "Meeting"


DEFAULT_COMMENT_TEMPLATE = "{kind} {time} — {reason} ({source}) [{reference}]"


class VisibleStudentId(models.TextChoices):
    STUDENT_NUMBER = "student_number", "Student number"
    SIS_ID = "sis_id", "SIS id (STUDENTS.ID)"


class District(models.Model):
    name = models.CharField(max_length=200, validators=[validate_name])
    slug = models.SlugField(unique=True, help_text="Short name used on the command line, e.g. --district lincoln.")
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    last_sync_succeeded_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the last complete sync of this district finished."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Write-back defaults; a school may override them unless the district prevents it.
    default_attendance_mode = models.CharField(
        max_length=10,
        choices=AttendanceMode.choices,
        default=AttendanceMode.DAILY,
        help_text="Must match the attendance mode set for the school in PowerSchool.",
    )
    prevent_school_overrides = models.BooleanField(
        default=False,
        help_text="On: every school uses the district's write-back settings; building admins cannot change them.",
    )
    comment_template = models.CharField(
        max_length=300,
        default=DEFAULT_COMMENT_TEMPLATE,
        validators=[validate_comment_template],
        help_text="The attendance comment. Placeholders: {kind} {time} {date} {reason} {source} {reference} {note}.",
    )
    write_time_in_out = models.BooleanField(
        "write Time In / Time Out",
        default=False,
        help_text="Daily mode: also record the sign-in time as Time In and the sign-out time as Time Out.",
    )
    # The kiosk and the front desk.
    visible_student_id = models.CharField(
        "visible student id",
        max_length=20,
        choices=VisibleStudentId.choices,
        default=VisibleStudentId.STUDENT_NUMBER,
        help_text="The number students type or scan at a kiosk, and the one shown next to their names.",
    )
    pickup_requires_custodial = models.BooleanField(
        "pickup requires custody",
        default=False,
        help_text="On: only custodial contacts with the school-pickup flag may pick a student up without an override.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Building(models.Model):
    """A physical entrance with its own clock; one building may house several PowerSchool schools."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(max_length=200, validators=[validate_name])
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    day_start = models.TimeField(
        "school day starts", null=True, blank=True, help_text="When the first class begins, e.g. 08:00."
    )
    day_end = models.TimeField(
        "school day ends",
        null=True,
        blank=True,
        help_text="After this, kiosks offer no late check-in (the front desk can still enter a delayed entry).",
    )
    tardy_cutoff = models.TimeField(
        null=True,
        blank=True,
        help_text="Late check-in is offered from this time on; blank: from the start of the school day "
        "(or at any time when that is blank too).",
    )
    self_serve_check_out = models.BooleanField(
        "self-serve check-out at kiosks",
        default=False,
        help_text="Off: students check out at the front desk, where a guardian's pickup is recorded.",
    )
    self_serve_grades = models.JSONField(
        "grades allowed to self-serve",
        default=list,
        blank=True,
        validators=[validate_grade_levels],
        help_text="The grade levels that may sign in at kiosks; other students are sent to the front desk.",
    )
    kiosk_networks = models.TextField(
        "kiosk IP allowlist",
        blank=True,
        validators=[validate_networks],
        help_text="Kiosks work only from these addresses or networks (one per line, e.g. 10.20.0.0/16); blank: any.",
    )

    class Meta:
        ordering = ["district__name", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="building_name_unique_in_district")]

    def __str__(self):
        return self.name

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def clean(self):
        if self.day_start and self.day_end and self.day_end <= self.day_start:
            raise ValidationError({"day_end": "The school day must end after it starts."})
        if self.tardy_cutoff and self.day_start and self.tardy_cutoff < self.day_start:
            raise ValidationError({"tardy_cutoff": "The tardy cut-off must be within the school day, not before it."})
        if self.tardy_cutoff and self.day_end and self.tardy_cutoff >= self.day_end:
            raise ValidationError({"tardy_cutoff": "The tardy cut-off must be within the school day, before it ends."})

    @property
    def late_check_in_opens(self):
        """From when a kiosk offers late check-in: the tardy cut-off, else the start of the day (None: always)."""
        return self.tardy_cutoff or self.day_start

    def day_is_over(self, local_time):
        return self.day_end is not None and local_time >= self.day_end

    def self_serves(self, grade_level):
        """Whether a student of `grade_level` may sign in at this building's kiosks (no list: every grade)."""
        return not self.self_serve_grades or grade_level in self.self_serve_grades

    def admits_address(self, address):
        """Whether a kiosk at IP `address` may work for this building."""
        networks = parse_networks(self.kiosk_networks)
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "District admin"
    BUILDING_ADMIN = "building_admin", "Building admin"
    FRONT_DESK = "front_desk", "Front desk"
    IT_VIEWER = "it_viewer", "IT viewer"


BUILDING_ROLES = {Role.BUILDING_ADMIN, Role.FRONT_DESK}


class Membership(models.Model):
    """A user's role in one district; building roles are limited to the buildings listed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    buildings = models.ManyToManyField(Building, blank=True, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "district"], name="one_membership_per_district")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} in {self.district}"

    @property
    def is_building_role(self):
        return self.role in BUILDING_ROLES

    def clean_buildings(self, buildings):
        """Check a prospective set of buildings against the role (m2m values only exist after save)."""
        if self.is_building_role and not buildings:
            raise ValidationError({"buildings": f"Choose at least one building for a {self.get_role_display()}."})
        if not self.is_building_role and buildings:
            raise ValidationError(
                {"buildings": f"A {self.get_role_display()} covers the whole district; leave buildings empty."}
            )
        foreign = [building.name for building in buildings if building.district_id != self.district_id]
        if foreign:
            raise ValidationError({"buildings": f"Not in {self.district}: {', '.join(foreign)}."})

    def building_ids(self):
        if self.is_building_role:
            return set(self.buildings.values_list("id", flat=True))
        return set(self.district.buildings.values_list("id", flat=True))


MAX_CONCURRENT_CALLS_LIMIT = 200
MIN_CALL_INTERVAL_LIMIT_MS = 60_000


class PowerSchoolConnection(models.Model):
    """How RaptorLink reaches one district's PowerSchool. The secret and the token are encrypted at rest."""

    # Renew a little before PowerSchool would refuse the token, so a request never races the expiry.
    TOKEN_RENEWAL_MARGIN = timedelta(minutes=5)

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="powerschool")
    base_url = models.CharField(
        "PowerSchool URL",
        max_length=200,
        validators=[validate_powerschool_url],
        help_text="The address you log in to PowerSchool with, e.g. https://yourdistrict.powerschool.com — no trailing slash, no path.",
    )
    client_id = models.CharField(
        "client ID", max_length=200, help_text="From the plugin's Data Provider Configuration."
    )
    client_secret = EncryptedTextField("client secret", help_text="Stored encrypted; never shown again.")
    access_token = EncryptedTextField(blank=True, default="", editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Politeness, shared by every process that calls this PowerSchool (raptorlink/powerschool/gate.py).
    max_concurrent_calls = models.PositiveSmallIntegerField(
        "calls at once",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CONCURRENT_CALLS_LIMIT)],
        help_text="The most API calls RaptorLink has in flight to this PowerSchool at one time, across all its "
        "servers. Blank: the installation's default.",
    )
    min_call_interval_ms = models.PositiveIntegerField(
        "minimum interval between calls (ms)",
        default=0,
        validators=[MaxValueValidator(MIN_CALL_INTERVAL_LIMIT_MS)],
        help_text="Match PowerSchool's “Minimum time interval (ms) between API requests per plugin” (System "
        "Settings → Global Event Services and SIF). 0 when it is blank or 0 there.",
    )
    paused_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Spacing between calls learned from PowerSchool's 429s (microseconds): doubled at each, eased at each call.
    learned_spacing_us = models.PositiveIntegerField(default=0, editable=False)
    next_call_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_renewal_until = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "PowerSchool connection"

    def __str__(self):
        return f"{self.district} → {self.base_url}"

    def __repr__(self):
        # Never let a secret reach a log line or a traceback through repr().
        return f"<PowerSchoolConnection district={self.district_id} base_url={self.base_url!r}>"

    def save(self, *args, **kwargs):
        self.base_url = self.base_url.strip()
        super().save(*args, **kwargs)

    def usable_token(self, now=None):
        """The cached token if it is still good for a while, else None."""
        now = now or timezone.now()
        if self.access_token and self.token_expires_at and self.token_expires_at - self.TOKEN_RENEWAL_MARGIN > now:
            return self.access_token
        return None

    def store_token(self, token, expires_in_seconds, now=None):
        """Cache a new token for every process (the database is the shared cache)."""
        now = now or timezone.now()
        self.access_token = token
        self.token_expires_at = now + timedelta(seconds=expires_in_seconds)
        PowerSchoolConnection.objects.filter(pk=self.pk).update(
            access_token=self.access_token, token_expires_at=self.token_expires_at
        )

    def forget_token(self):
        self.access_token = ""
        self.token_expires_at = None
        PowerSchoolConnection.objects.filter(pk=self.pk).update(access_token="", token_expires_at=None)

    def reload_token(self):
        """Pick up a token another process cached since this object was loaded."""
        fresh = PowerSchoolConnection.objects.filter(pk=self.pk).only("access_token", "token_expires_at").first()
        if fresh is not None:
            self.access_token, self.token_expires_at = fresh.access_token, fresh.token_expires_at

    def token_renewal_take(self, seconds, now=None):
        """Become the one caller, of every process, that asks PowerSchool for the next token; False while
        another holds the turn (it lapses after `seconds`, should its holder die)."""
        now = now or timezone.now()
        free = models.Q(token_renewal_until__isnull=True) | models.Q(token_renewal_until__lt=now)
        taken = PowerSchoolConnection.objects.filter(free, pk=self.pk).update(
            token_renewal_until=now + timedelta(seconds=seconds)
        )
        return bool(taken)

    def token_renewal_end(self):
        PowerSchoolConnection.objects.filter(pk=self.pk).update(token_renewal_until=None)

    @property
    def call_limit(self):
        return self.max_concurrent_calls or settings.POWERSCHOOL_MAX_CONCURRENT_CALLS


class PowerSchoolCallSlot(models.Model):
    """One of a PowerSchool's `call_limit` places for a call in flight: a call holds one while it waits for its
    answer, so every process together never has more calls out at once. A holder that dies frees its place when
    `held_until` passes."""

    connection = models.ForeignKey(PowerSchoolConnection, on_delete=models.CASCADE, related_name="call_slots")
    number = models.PositiveSmallIntegerField()
    holder = models.CharField(max_length=100, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "number"], name="call_slot_unique_number")]

    def __str__(self):
        return f"Call slot {self.number} of {self.connection_id}"


class School(models.Model):
    """A PowerSchool school, kept in step by the sync; several schools may share one building's entrance."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="schools")
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schools",
        help_text="The entrance this school's students use. A middle and a high school may share one.",
    )
    dcid = models.BigIntegerField(
        "SCHOOLS.DCID", null=True, blank=True, help_text="PowerSchool's key for the school (the v1 `id`)."
    )
    number = models.IntegerField("school number", help_text="SCHOOLS.SCHOOL_NUMBER: the `schoolid` of every table.")
    # A school read from a roster file (OneRoster, Clever) is found again by that source's id; PowerSchool's by DCID.
    source = models.CharField(max_length=20, default="powerschool", editable=False)
    key = models.CharField(max_length=64, blank=True, editable=False, help_text="The roster source's id.")
    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=20, blank=True)
    low_grade = models.IntegerField(null=True, blank=True)
    high_grade = models.IntegerField(null=True, blank=True)
    active = models.BooleanField(default=True, help_text="Off when the school is gone from PowerSchool.")
    fingerprint = models.CharField(max_length=32, blank=True, editable=False)
    synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Write-back settings (set in RaptorLink, never by a sync).
    writeback_enabled = models.BooleanField("write-back", default=True)
    attendance_mode = models.CharField(
        max_length=10,
        choices=AttendanceMode.choices,
        blank=True,
        help_text="Blank: the district's default. Must match the school's attendance mode in PowerSchool.",
    )
    checkout_policy = models.CharField(
        "Meeting mode early check-out",
        max_length=20,
        choices=[("current", "Current period only"), ("remaining", "Current and remaining periods")],
        default="remaining",
    )

    class Meta:
        ordering = ["district__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["district", "dcid"], name="school_dcid_unique_in_district"),
            models.UniqueConstraint(fields=["district", "number"], name="school_number_unique_in_district"),
        ]

    def __str__(self):
        return f"{self.name} ({self.number})"

    def clean(self):
        if self.building_id and self.building.district_id != self.district_id:
            raise ValidationError({"building": "Choose a building of the school's own district."})

    @property
    def effective_attendance_mode(self):
        if self.district.prevent_school_overrides or not self.attendance_mode:
            return self.district.default_attendance_mode
        return self.attendance_mode

    @property
    def effective_writeback_enabled(self):
        return True if self.district.prevent_school_overrides else self.writeback_enabled

    @property
    def grades(self):
        if self.low_grade is None or self.high_grade is None:
            return ""
        return f"{grade_label(self.low_grade)}–{grade_label(self.high_grade)}"


def grade_label(grade):
    return {0: "K", -1: "PK", -2: "PK3"}.get(grade, str(grade))


class NotificationContact(models.Model):
    """Someone at the district who is e-mailed about problems and maintenance."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="notification_contacts")
    name = models.CharField(max_length=200, validators=[validate_name])
    email = models.EmailField()
    active = models.BooleanField(default=True)
    about_sync = models.BooleanField("sync problems", default=True)
    about_writeback = models.BooleanField("write-back problems", default=True)
    about_maintenance = models.BooleanField("maintenance announcements", default=True)

    class Meta:
        ordering = ["district__name", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "email"], name="notification_email_unique")]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class Incident(models.Model):
    """A problem the district was told about. One open incident per kind: it is announced once and its end once."""

    class Kind(models.TextChoices):
        SYNC_FAILED = "sync_failed", "Sync failed"
        CREDENTIALS_REFUSED = "credentials_refused", "PowerSchool refused the credentials"
        POWERSCHOOL_UNREACHABLE = "powerschool_unreachable", "PowerSchool unreachable"
        WRITEBACK_FAILURES = "writeback_failures", "Write-back failures"
        CSV_IMPORT_FAILED = "csv_import_failed", "CSV drop-folder import failed"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    detail = models.TextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_incident_per_kind",
            )
        ]

    def __str__(self):
        state = "open" if self.closed_at is None else "closed"
        return f"{self.get_kind_display()} in {self.district} ({state})"


class MaintenanceWindow(models.Model):
    """A time when RaptorLink or PowerSchool will be unavailable, announced to the district's contacts and shown
    on its kiosks and front desks from an hour before until it ends."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="maintenance_windows")
    title = models.CharField(max_length=150, help_text="A short headline, e.g. PowerSchool upgrade.")
    message = models.TextField(
        help_text="What people at the kiosks and front desks should know, e.g. sign-ins are kept and sent later."
    )
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    posted_at = models.DateTimeField(auto_now_add=True)
    # The times last e-mailed to the contacts: a change of either sends an update, the same times never twice.
    announced_starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    announced_ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    # The banner appears this long before the window starts.
    NOTICE = timedelta(hours=1)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["district", "ends_at"])]

    def __str__(self):
        return f"{self.title} ({self.district})"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The window must end after it starts."})
        if self.ends_at and self.ends_at <= timezone.now():
            raise ValidationError({"ends_at": "This window would be over already; choose an end in the future."})

    @property
    def cancelled(self):
        return self.cancelled_at is not None

    def is_over(self, now=None):
        return self.ends_at <= (now or timezone.now())

    def is_under_way(self, now=None):
        return self.starts_at <= (now or timezone.now()) < self.ends_at


class AuditEntry(models.Model):
    """One change to the district's configuration, or an edit or void of a student event: who, what, when, and
    the changed fields' values before and after (secrets appear as changed, never with their values).

    The district, building and actor are kept as plain ids without database constraints, so an entry outlives
    what it names: deleting a building must not delete, or be blocked by, the record of its deletion."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        REVOKED = "revoked", "Revoked"
        CANCELLED = "cancelled", "Cancelled"
        EDITED = "edited", "Edited"
        VOIDED = "voided", "Voided"

    at = models.DateTimeField(default=timezone.now)
    district = models.ForeignKey(
        District, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        Building, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField("who", max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField("type", max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField("what", max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, when the person said (edits and voids).")

    class Meta:
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["district", "-at"]), models.Index(fields=["-at"])]

    def __str__(self):
        return f"{self.actor_name} {self.get_action_display().lower()} {self.object_type} {self.object_label}"
