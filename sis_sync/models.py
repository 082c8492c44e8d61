"""RaptorLink's copy of the district's SIS data, and the record of every sync.

Every synced row carries its source's key (`key`: the PowerSchool DCID as text for PowerSchool, the sourcedId for
OneRoster, ...), an `active` flag (records that disappear are deactivated, never deleted, so history stays
readable), a `fingerprint` of the synced values (an unchanged record is never written again) and when it was last
seen. Values that PowerSchool's other tables point at are kept as `ps_id` (the table's ID column, which is not the
DCID); rows read from a roster file (OneRoster, Clever) have none. Fields a person sets in RaptorLink (a preferred name, a note) live beside the synced ones and no sync writes
them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from raptorlink.models import District, School

# What a sync can be limited to (`--only`), in the order they are pulled: each needs the ones before it.
ENTITIES = ["schools", "calendar", "staff", "students", "contacts", "sections", "enrollments", "attendance_codes"]


class Source(models.TextChoices):
    POWERSCHOOL = "powerschool", "PowerSchool"
    ONEROSTER = "oneroster", "OneRoster"
    CLEVER = "clever", "Clever"
    CSV = "csv", "CSV import"


def synced_reference(to, **options):
    """A foreign key from a synced row, kept by the sync rather than by a database constraint.

    A sync writes about ten rows per student in bulk, and PostgreSQL checks each constraint row by row (a
    lookup and a row lock in the referenced table: three per enrollment); at 5,000 students that was 60 % of
    PostgreSQL's work in a full sync. The references stay sound without it: the sync resolves each one to a
    stored row of the same district before it writes (the record fails on the run otherwise), synced rows are
    deactivated and never deleted, and deleting a district or a school still cascades or is refused here,
    by Django's `on_delete`. References from RaptorLink's own records (sign-ins, write-backs) to synced rows keep
    their constraints."""
    return models.ForeignKey(to, db_constraint=False, **options)


class SyncedModel(models.Model):
    # No index of its own: every synced table's key constraint (district, source, key) starts with the district,
    # and one index less is one less for each of a sync's hundreds of thousands of rows to update.
    district = synced_reference(District, on_delete=models.CASCADE, related_name="+", db_index=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.POWERSCHOOL)
    key = models.CharField(max_length=64, help_text="The source's identifier (PowerSchool: the DCID).")
    active = models.BooleanField(default=True)
    fingerprint = models.CharField(max_length=32, editable=False)
    synced_at = models.DateTimeField(editable=False)

    class Meta:
        abstract = True

    @classmethod
    def key_constraint(cls, name):
        return models.UniqueConstraint(fields=["district", "source", "key"], name=name)


# --- calendar ---------------------------------------------------------------------------------------


class Term(SyncedModel):
    school = synced_reference(School, on_delete=models.CASCADE, related_name="terms")
    ps_id = models.IntegerField("TERMS.ID", null=True, blank=True)
    year_id = models.IntegerField("year id", help_text="School year start − 1990: 2026-27 is 36.")
    name = models.CharField(max_length=100)
    abbreviation = models.CharField(max_length=20, blank=True)
    first_day = models.DateField()
    last_day = models.DateField()
    portion = models.IntegerField(help_text="1 = full year, 2 = semester, 4 = quarter.")
    is_year = models.BooleanField(help_text="The full-year term (TERMS.ISYEARREC).")

    class Meta:
        ordering = ["school", "first_day", "portion"]
        constraints = [SyncedModel.key_constraint("term_key")]
        indexes = [models.Index(fields=["school", "year_id"])]

    def __str__(self):
        return f"{self.name} ({self.school.number})"


class CycleDay(SyncedModel):
    school = synced_reference(School, on_delete=models.CASCADE, related_name="cycle_days")
    ps_id = models.IntegerField("CYCLE_DAY.ID")
    year_id = models.IntegerField()
    letter = models.CharField(max_length=10)
    day_number = models.IntegerField()
    name = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["school", "year_id", "day_number"]
        constraints = [SyncedModel.key_constraint("cycle_day_key")]

    def __str__(self):
        return f"Day {self.letter}"


class BellSchedule(SyncedModel):
    school = synced_reference(School, on_delete=models.CASCADE, related_name="bell_schedules")
    ps_id = models.IntegerField("BELL_SCHEDULE.ID")
    year_id = models.IntegerField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["school", "year_id", "name"]
        constraints = [SyncedModel.key_constraint("bell_schedule_key")]

    def __str__(self):
        return self.name


class Period(SyncedModel):
    school = synced_reference(School, on_delete=models.CASCADE, related_name="periods")
    ps_id = models.IntegerField("PERIOD.ID")
    year_id = models.IntegerField()
    number = models.IntegerField("period number")
    name = models.CharField(max_length=100, blank=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["school", "year_id", "sort_order", "number"]
        constraints = [SyncedModel.key_constraint("period_key")]

    def __str__(self):
        return self.name or f"Period {self.number}"


class BellScheduleItem(SyncedModel):
    bell_schedule = synced_reference(BellSchedule, on_delete=models.CASCADE, related_name="items")
    period = synced_reference(Period, on_delete=models.CASCADE, related_name="bell_schedule_items")
    start_seconds = models.IntegerField(help_text="Seconds since midnight.")
    end_seconds = models.IntegerField(help_text="Seconds since midnight.")

    class Meta:
        ordering = ["bell_schedule", "start_seconds"]
        constraints = [SyncedModel.key_constraint("bell_schedule_item_key")]

    def __str__(self):
        return f"{self.period} {clock(self.start_seconds)}–{clock(self.end_seconds)}"


class CalendarDay(SyncedModel):
    school = synced_reference(School, on_delete=models.CASCADE, related_name="calendar_days")
    ps_id = models.IntegerField("CALENDAR_DAY.ID")
    date = models.DateField()
    in_session = models.BooleanField()
    bell_schedule = synced_reference(BellSchedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cycle_day = synced_reference(CycleDay, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["school", "date"]
        constraints = [SyncedModel.key_constraint("calendar_day_key")]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self):
        return f"{self.school.number} {self.date}"


# --- people ------------------------------------------------------------------------------------------


class Staff(SyncedModel):
    """A person on staff (USERS); their place at each school is a StaffSchool (SCHOOLSTAFF)."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    teacher_number = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "staff"
        ordering = ["last_name", "first_name"]
        constraints = [SyncedModel.key_constraint("staff_key")]

    def __str__(self):
        return f"{self.last_name}, {self.first_name}"


class StaffSchool(SyncedModel):
    staff = synced_reference(Staff, on_delete=models.CASCADE, related_name="schools")
    school = synced_reference(School, on_delete=models.CASCADE, related_name="staff")
    ps_id = models.IntegerField("SCHOOLSTAFF.ID", null=True, blank=True, help_text="What SECTIONS.TEACHER points at.")

    class Meta:
        constraints = [SyncedModel.key_constraint("staff_school_key")]

    def __str__(self):
        return f"{self.staff} at {self.school}"


class Student(SyncedModel):
    class EnrollStatus(models.IntegerChoices):
        PRE_REGISTERED = -1, "Pre-registered"
        ACTIVE = 0, "Active"
        TRANSFERRED_OUT = 2, "Transferred out"
        GRADUATED = 3, "Graduated"
        HISTORICAL = 4, "Historical"
        INACTIVE = 9, "Inactive"

    dcid = models.BigIntegerField("STUDENTS.DCID", null=True, blank=True)
    ps_id = models.BigIntegerField("STUDENTS.ID", null=True, blank=True, help_text="What attendance records carry.")
    student_number = models.CharField(max_length=50, help_text="What people type or scan.")
    state_number = models.CharField(max_length=50, blank=True)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    grade_level = models.IntegerField(null=True, blank=True)
    school = synced_reference(School, on_delete=models.PROTECT, related_name="students", null=True, blank=True)
    enroll_status = models.IntegerField(choices=EnrollStatus.choices, default=EnrollStatus.ACTIVE)
    entry_date = models.DateField(null=True, blank=True)
    exit_date = models.DateField(null=True, blank=True, help_text="The day after the last day attended.")
    phone = models.CharField(max_length=50, blank=True)
    # Accent-free, lower-case "first middle last preferred": what the kiosk's name search matches.
    search_name = models.CharField(max_length=400, editable=False, db_index=True)
    # Set by people in RaptorLink; never written by a sync.
    preferred_name = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [SyncedModel.key_constraint("student_key")]
        indexes = [
            models.Index(fields=["district", "student_number"]),
            models.Index(fields=["district", "dcid"]),
            models.Index(fields=["district", "ps_id"]),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name} ({self.student_number})"

    @property
    def display_name(self):
        return f"{self.preferred_name or self.first_name} {self.last_name}"


class Contact(SyncedModel):
    """A guardian or emergency contact; one person even when several siblings share them."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    # [{"number": "...", "type": "Mobile", "preferred": true, "sms": false}, ...] in PowerSchool's order.
    phones = models.JSONField(default=list, blank=True)
    # [{"address": "...", "type": "Home", "primary": true}, ...]
    emails = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [SyncedModel.key_constraint("contact_key")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip() or self.key


class StudentContact(SyncedModel):
    """How a contact relates to one student, with the flags the front desk checks at pickup."""

    student = synced_reference(Student, on_delete=models.CASCADE, related_name="contacts")
    contact = synced_reference(Contact, on_delete=models.CASCADE, related_name="students")
    relationship = models.CharField(max_length=100, blank=True)
    priority = models.IntegerField(default=1)
    custodial = models.BooleanField(default=False)
    emergency = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)
    school_pickup = models.BooleanField("may pick up", default=False)
    receives_mail = models.BooleanField(default=False)

    class Meta:
        ordering = ["student", "priority"]
        constraints = [SyncedModel.key_constraint("student_contact_key")]

    def __str__(self):
        return f"{self.contact} — {self.relationship or 'contact'} of {self.student}"


# --- schedules ---------------------------------------------------------------------------------------


class Section(SyncedModel):
    school = synced_reference(School, on_delete=models.CASCADE, related_name="sections")
    ps_id = models.IntegerField("SECTIONS.ID", null=True, blank=True)
    term = synced_reference(Term, on_delete=models.SET_NULL, null=True, blank=True, related_name="sections")
    course_number = models.CharField(max_length=50)
    course_name = models.CharField(max_length=200, blank=True)
    section_number = models.CharField(max_length=50, blank=True)
    expression = models.CharField(max_length=100, blank=True, help_text="Periods and days, e.g. 1(A-B).")
    teacher = synced_reference(StaffSchool, on_delete=models.SET_NULL, null=True, blank=True, related_name="sections")

    class Meta:
        ordering = ["school", "course_number", "section_number"]
        constraints = [SyncedModel.key_constraint("section_key")]

    def __str__(self):
        return f"{self.course_name or self.course_number} {self.section_number}".strip()


class SectionMeeting(SyncedModel):
    """One period on one cycle day when a section meets (SECTION_MEETING)."""

    section = synced_reference(Section, on_delete=models.CASCADE, related_name="meetings")
    period_number = models.IntegerField()
    cycle_day_letter = models.CharField(max_length=10)

    class Meta:
        ordering = ["section", "cycle_day_letter", "period_number"]
        constraints = [SyncedModel.key_constraint("section_meeting_key")]
        indexes = [models.Index(fields=["section", "period_number", "cycle_day_letter"])]

    def __str__(self):
        return f"{self.section} P{self.period_number}({self.cycle_day_letter})"


class Enrollment(SyncedModel):
    """A student's place in a section (CC); a dropped one is kept, flagged."""

    # Found through the (student, entry_date, exit_date) index below, which makes an index of its own redundant.
    student = synced_reference(Student, on_delete=models.CASCADE, related_name="enrollments", db_index=False)
    section = synced_reference(Section, on_delete=models.CASCADE, related_name="enrollments")
    ps_id = models.BigIntegerField("CC.ID", null=True, blank=True)
    entry_date = models.DateField()
    exit_date = models.DateField()
    dropped = models.BooleanField(default=False)

    class Meta:
        ordering = ["student", "entry_date"]
        constraints = [SyncedModel.key_constraint("enrollment_key")]
        indexes = [models.Index(fields=["student", "entry_date", "exit_date"])]

    def __str__(self):
        return f"{self.student} in {self.section}"


# --- attendance codes --------------------------------------------------------------------------------


class AttendanceCode(SyncedModel):
    """ATTENDANCE_CODE: per school and year, so the same text has a new id every year."""

    school = synced_reference(School, on_delete=models.CASCADE, related_name="attendance_codes")
    ps_id = models.IntegerField("ATTENDANCE_CODE.ID")
    year_id = models.IntegerField()
    code = models.CharField(max_length=20, blank=True, help_text="The code's text; empty means Present.")
    description = models.CharField(max_length=200, blank=True)
    presence_status = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["school", "year_id", "code"]
        constraints = [SyncedModel.key_constraint("attendance_code_key")]
        indexes = [models.Index(fields=["school", "year_id", "code"])]

    def __str__(self):
        return f"{self.code or '(present)'} — {self.description}"


# --- sync runs ---------------------------------------------------------------------------------------


class SyncSettings(models.Model):
    """How often and what each district syncs; also where the delta pull left off."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="sync_settings")
    enabled = models.BooleanField("scheduled syncs", default=True)
    full_interval_hours = models.PositiveSmallIntegerField(
        default=8, help_text="A full sync (which also notices deletions) every this many hours, 1–24."
    )
    delta_interval_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="A sync of what changed, every this many minutes."
    )
    entities = models.JSONField(default=list, blank=True, help_text="What to sync; empty means everything.")
    data_version = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = "sync settings"
        verbose_name_plural = "sync settings"

    def __str__(self):
        return f"Sync settings of {self.district}"


class SyncPause(models.Model):
    """A window in which scheduled syncs are skipped (e.g. while next year's schedules are built)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="sync_pauses")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self):
        return f"{self.district}: paused {self.starts_on} – {self.ends_on}"


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", "Full"
        DELTA = "delta", "Changes only"
        MANUAL = "manual", "Manual"
        SPOT = "spot", "One student"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    trigger = models.CharField(max_length=40, help_text="schedule, command, admin:<user>, front desk, ...")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.POWERSCHOOL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"students": {"created": 3, "updated": 1, "unchanged": 1996, "deactivated": 0, "failed": 0}, ...}
    counts = models.JSONField(default=dict, blank=True)
    requests = models.IntegerField(default=0, help_text="Calls made to the source.")
    message = models.TextField(blank=True, help_text="Why the run failed or was skipped, in plain words.")
    error_category = models.CharField(
        max_length=20, blank=True, help_text="For a failed run: auth, access, unavailable, throttled or unknown."
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["district", "status", "-started_at"])]

    def __str__(self):
        return (
            f"{self.get_kind_display()} sync of {self.district} at {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"
        )

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class SyncIssue(models.Model):
    """A record the run could not take, and why; the run went on without it."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="issues")
    entity = models.CharField(max_length=40)
    record_key = models.CharField("source id", max_length=64, blank=True)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True, help_text="The record as received (an excerpt).")

    class Meta:
        ordering = ["run", "entity", "id"]

    def __str__(self):
        return f"{self.entity} {self.record_key}: {self.message}"


def clock(seconds):
    """Seconds since midnight as HH:MM."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


# --- roster sources ----------------------------------------------------------------------------------


class RosterSource(models.Model):
    """Where a district's roster comes from, and where the PowerSchool student identifier hides in it.

    A district that shares PowerSchool with Clever or ClassLink can have RaptorLink read those files instead of
    syncing; write-backs still need PowerSchool's STUDENTS.ID, so the district says which field of the file
    carries which PowerSchool identifier.
    """

    class IdentifierField(models.TextChoices):
        RECORD_ID = "record_id", "The record's id (Clever Student_id, OneRoster sourcedId)"
        STUDENT_NUMBER = "student_number", "The student number (Clever Student_number, OneRoster identifier)"

    class IdentifierRule(models.TextChoices):
        DCID = "dcid", "It holds STUDENTS.DCID (converted to STUDENTS.ID at write-back)"
        ID = "id", "It holds STUDENTS.ID"
        STUDENT_NUMBER = "student_number", "It holds nothing of PowerSchool's: find students by student number"

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="roster_source")
    owner = models.CharField(
        "roster comes from",
        max_length=20,
        choices=Source.choices,
        default=Source.POWERSCHOOL,
        help_text="Only this source's imports or syncs may change students, staff and schedules.",
    )
    identifier_field = models.CharField(
        "field with PowerSchool's identifier",
        max_length=20,
        choices=IdentifierField.choices,
        default=IdentifierField.RECORD_ID,
    )
    identifier_rule = models.CharField(
        "what that field holds",
        max_length=20,
        choices=IdentifierRule.choices,
        default=IdentifierRule.DCID,
        help_text="Navigate360 and most districts map the DCID into Clever's Student_id or ClassLink's sourcedId.",
    )

    class Meta:
        verbose_name = "roster source"

    def __str__(self):
        return f"Roster source of {self.district}: {self.get_owner_display()}"

    @classmethod
    def owner_of(cls, district):
        """The source of `district`'s students, staff and schedules: PowerSchool unless a roster says otherwise."""
        return cls.objects.filter(district=district).values_list("owner", flat=True).first() or Source.POWERSCHOOL


# --- CSV import --------------------------------------------------------------------------------------


class CsvImportMode(models.TextChoices):
    ADD = "add", "Add and update what the file lists"
    FULL = "full", "The file lists everyone: deactivate CSV records it leaves out"


class CsvDropFolder(models.Model):
    """Whether and how a district's CSV files of people not in the SIS, delivered over SFTP, are imported.

    The folder is the district's own, named by its slug inside the server's drop root (the CSV_DROP_ROOT setting):
    derived on the server, never typed in, so no district can point its import at another's files (or the
    server's). Files named students*.csv, contacts*.csv and staff*.csv are imported, then moved to processed/ or
    failed/ with a .log."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="csv_drop_folder")
    enabled = models.BooleanField("scheduled import", default=True)
    mode = models.CharField(max_length=10, choices=CsvImportMode.choices, default=CsvImportMode.ADD)
    interval_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Look for new files every this many minutes."
    )

    class Meta:
        verbose_name = "CSV drop folder"

    def __str__(self):
        return f"CSV drop folder of {self.district}: {self.folder}"

    @property
    def folder(self):
        """The folder's name inside the drop root: the district's slug, unique and a single path component."""
        return self.district.slug


class CsvUpload(models.Model):
    """A CSV file uploaded in the console and previewed. The file is kept on the server under its SHA-256 until it
    is applied or cancelled, so Apply imports the very file that was previewed, never one posted again."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"
        CANCELLED = "cancelled", "Cancelled"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="csv_uploads")
    kind = models.CharField(
        max_length=10, choices=[("students", "Students"), ("contacts", "Contacts"), ("staff", "Staff")]
    )
    mode = models.CharField(max_length=10, choices=CsvImportMode.choices, default=CsvImportMode.ADD)
    take_over = models.BooleanField("take over SIS records", default=False)
    name = models.CharField("file name", max_length=255)
    digest = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    # What the preview found: counts, errors, rows that touch SIS records, samples of the changes.
    preview = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "CSV import"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.name} ({self.kind}) for {self.district}"
