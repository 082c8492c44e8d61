"""What district IT sees of the sync: runs and the records they could not take, the synced data, the settings.

PowerSchool owns the synced rows, so they are read-only here except the fields people set in RaptorLink.
Sync runs are a log: nobody adds, changes or deletes them by hand.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django_q.tasks import async_task

from raptorlink.admin.scoping import DistrictScopedAdmin, ScopedAdmin
from raptorlink.models import District
from raptorlink.numbers import plain_number
from raptorlink.permissions import Action, district_to_act_on, districts_for, districts_known_to, may
from sis_sync.csvimport.dropfolder import folder_path
from sis_sync.csvimport.uploads import UploadRefused, upload_apply, upload_cancel, upload_create
from sis_sync.forms import SyncPauseForm, SyncSettingsForm
from sis_sync.models import (
    ENTITIES,
    AttendanceCode,
    BellSchedule,
    BellScheduleItem,
    CalendarDay,
    Contact,
    CsvDropFolder,
    CsvImportMode,
    CsvUpload,
    Enrollment,
    Period,
    RosterSource,
    Section,
    SectionMeeting,
    Staff,
    StaffSchool,
    Student,
    StudentContact,
    SyncIssue,
    SyncPause,
    SyncRun,
    SyncSettings,
    Term,
    clock,
)
from sis_sync.rosters.csvfiles import RosterError
from sis_sync.schedules import csv_drop_schedule_update, schedules_update

COUNT_COLUMNS = ["created", "updated", "unchanged", "deactivated", "failed"]
RELATED_ONLY = admin.RelatedOnlyFieldListFilter


def sync_now_enqueue(district, user):
    """Queue an on-demand sync once the request's transaction has committed."""
    trigger = f"admin:{user.get_username()}"[: SyncRun._meta.get_field("trigger").max_length]
    transaction.on_commit(lambda: async_task("sis_sync.tasks.sync_now", district.pk, SyncRun.Kind.MANUAL, trigger))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        # Shown only on the parent's page, which has already checked that the user reads its district.
        return True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ScopedAdmin):
    """Synced rows and the sync log: read by those who may read them, changed here by no one. Rows of a school
    reach its building's admins; rows of no school (contacts, staff) only district-wide readers."""

    read_action = Action.READ_STUDENTS
    building_path = "school__building"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- sync runs --------------------------------------------------------------------------------------


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    read_action = Action.READ_SYNC
    building_path = None
    list_display = ["started_at", "district", "kind", "status", "trigger", "duration_display", "totals", "requests"]
    list_filter = [("district", RELATED_ONLY), "status", "kind", "started_at"]
    date_hierarchy = "started_at"
    search_fields = ["message", "trigger"]
    list_select_related = ["district"]
    fieldsets = [
        (None, {"fields": ["district", "status", "kind", "trigger", "source", "message", "error_category"]}),
        ("Timing", {"fields": ["started_at", "finished_at", "duration_display", "requests"]}),
        ("What was synced", {"fields": ["counts_table", "issues_link"]}),
    ]
    readonly_fields = ["duration_display", "counts_table", "issues_link"]

    @admin.display(description="Duration")
    def duration_display(self, run):
        if run.duration is None:
            return "—"
        seconds = round(run.duration.total_seconds())
        return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"

    @admin.display(description="Records")
    def totals(self, run):
        sums = {column: sum(entity.get(column, 0) for entity in run.counts.values()) for column in COUNT_COLUMNS}
        return ", ".join(f"{value} {column}" for column, value in sums.items() if value) or "—"

    @admin.display(description="Counts per entity")
    def counts_table(self, run):
        if not run.counts:
            return "Nothing was synced."
        ordered = [name for name in ENTITIES if name in run.counts] + sorted(set(run.counts) - set(ENTITIES))
        header = format_html_join("", "<th>{}</th>", ((column,) for column in ["entity", *COUNT_COLUMNS]))
        rows = format_html_join(
            "",
            "<tr><td>{}</td>{}</tr>",
            (
                (name, format_html_join("", "<td>{}</td>", ((run.counts[name].get(c, 0),) for c in COUNT_COLUMNS)))
                for name in ordered
            ),
        )
        return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", header, rows)

    @admin.display(description="Records that failed")
    def issues_link(self, run):
        count = run.issues.count()
        if not count:
            return "None."
        url = reverse("admin:sis_sync_syncissue_changelist") + f"?run__id__exact={run.pk}"
        return format_html('<a href="{}">{} record{} — see why</a>', url, count, "" if count == 1 else "s")

    def get_urls(self):
        view = self.admin_site.admin_view(self.sync_now_view)
        return [path("sync-now/<int:district_id>/", view, name="sis_sync_sync_now"), *super().get_urls()]

    def sync_now_view(self, request, district_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        district = district_to_act_on(request.user, Action.RUN_SYNC, district_id)
        sync_now_enqueue(district, request.user)
        self.message_user(request, f"Sync started for {district}. Refresh this page to follow it.", messages.SUCCESS)
        changelist = reverse("admin:sis_sync_syncrun_changelist")
        return HttpResponseRedirect(f"{changelist}?district__id__exact={district.pk}")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "sync_now_district": self.sync_now_district(request)}
        return super().changelist_view(request, extra_context)

    def sync_now_district(self, request):
        """The district a "Sync now" button on the list would sync: the one filtered on, or the only one managed."""
        managed = districts_for(request.user, Action.RUN_SYNC)
        filtered = request.GET.get("district__id__exact")
        if (number := plain_number(filtered)) is not None:
            return managed.filter(pk=number).first()
        return managed.first() if managed.count() == 1 else None


@admin.register(SyncIssue)
class SyncIssueAdmin(ReadOnlyAdmin):
    read_action = Action.READ_SYNC
    district_path = "run__district"
    building_path = None
    list_display = ["entity", "record_key", "message", "run"]
    list_filter = ["entity", ("run__district", RELATED_ONLY)]
    search_fields = ["record_key", "message"]
    list_select_related = ["run__district"]
    readonly_fields = ["data_display", "data_redacted"]

    def get_fields(self, request, obj=None):
        # A failed record holds a student's or a contact's details: only who may read those sees them.
        shown = (
            "data_display"
            if obj is not None and may(request.user, Action.READ_STUDENTS, obj.run.district)
            else "data_redacted"
        )
        return ["run", "entity", "record_key", "message", shown]

    @admin.display(description="Record as received")
    def data_display(self, issue):
        return format_html("<pre>{}</pre>", json.dumps(issue.data, indent=2, sort_keys=True, ensure_ascii=False))

    @admin.display(description="Record as received")
    def data_redacted(self, issue):
        names = ", ".join(sorted(issue.data)) if isinstance(issue.data, dict) else ""
        return format_html(
            "Its values are shown only to those who may read students' and contacts' details. Fields: {}",
            names or "none",
        )


# --- settings ---------------------------------------------------------------------------------------


@admin.register(SyncSettings)
class SyncSettingsAdmin(DistrictScopedAdmin):
    read_action = manage_action = Action.MANAGE_SYNC
    form = SyncSettingsForm
    list_display = ["district", "enabled", "full_interval_hours", "delta_interval_minutes", "entity_names"]
    actions = ["sync_now"]

    @admin.display(description="Syncs")
    def entity_names(self, sync_settings):
        return ", ".join(sync_settings.entities) or "everything"

    def has_delete_permission(self, request, obj=None):
        # Turning "scheduled syncs" off is the way to stop them; the settings row also holds the delta position.
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["district"] if obj else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        schedules_update(obj.district)

    @admin.action(description="Sync now", permissions=["change"])
    def sync_now(self, request, queryset):
        districts = districts_for(request.user, Action.RUN_SYNC).filter(sync_settings__in=queryset)
        for district in districts:
            sync_now_enqueue(district, request.user)
        names = ", ".join(district.name for district in districts)
        self.message_user(request, f"Sync started for {names}.", messages.SUCCESS)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["sync_now_district"] = (
            obj.district if obj and may(request.user, Action.RUN_SYNC, obj.district) else None
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(SyncPause)
class SyncPauseAdmin(DistrictScopedAdmin):
    read_action = manage_action = Action.MANAGE_SYNC
    form = SyncPauseForm
    list_display = ["district", "starts_on", "ends_on", "reason"]
    list_filter = [("district", RELATED_ONLY)]


# --- synced data ------------------------------------------------------------------------------------


class StudentContactInline(ReadOnlyInline):
    model = StudentContact
    fk_name = "student"
    fields = ["contact", "relationship", "priority", "custodial", "emergency", "lives_with", "school_pickup"]


class EnrollmentInline(ReadOnlyInline):
    model = Enrollment
    fields = ["section", "entry_date", "exit_date", "dropped"]


@admin.register(Student)
class StudentAdmin(ScopedAdmin):
    read_action = Action.READ_STUDENTS
    manage_action = Action.EDIT_STUDENTS
    building_path = "school__building"
    list_display = ["student_number", "last_name", "first_name", "preferred_name", "grade_level", "school", "active"]
    list_filter = ["active", "enroll_status", "grade_level", ("school", RELATED_ONLY)]
    search_fields = ["student_number", "last_name", "first_name", "preferred_name", "search_name"]
    list_select_related = ["school"]
    inlines = [StudentContactInline, EnrollmentInline]
    editable_fields = ["preferred_name", "note"]
    fieldsets = [
        ("Set in RaptorLink", {"fields": ["preferred_name", "note"]}),
        (
            "From PowerSchool",
            {
                "fields": [
                    "district",
                    ("student_number", "state_number"),
                    ("first_name", "middle_name", "last_name"),
                    ("school", "grade_level"),
                    ("enroll_status", "entry_date", "exit_date"),
                    "phone",
                    ("dcid", "ps_id", "key"),
                    ("active", "synced_at"),
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Student._meta.fields if field.name not in self.editable_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    building_path = None

    class StudentLinkInline(ReadOnlyInline):
        model = StudentContact
        fk_name = "contact"
        verbose_name = "student"
        verbose_name_plural = "students and how this contact relates to them"
        fields = ["student", "relationship", "priority", "custodial", "emergency", "lives_with", "school_pickup"]

    list_display = ["last_name", "first_name", "phone_numbers", "email_addresses", "active"]
    list_filter = ["active"]
    search_fields = ["last_name", "first_name", "students__student__last_name", "students__student__student_number"]
    inlines = [StudentLinkInline]
    exclude = ["phones", "emails"]
    readonly_fields = ["phone_numbers", "email_addresses"]

    @admin.display(description="Phones")
    def phone_numbers(self, contact):
        return ", ".join(f"{phone.get('number', '')} ({phone.get('type', '')})" for phone in contact.phones)

    @admin.display(description="E-mails")
    def email_addresses(self, contact):
        return ", ".join(email.get("address", "") for email in contact.emails)


@admin.register(Staff)
class StaffAdmin(ReadOnlyAdmin):
    building_path = None

    class SchoolInline(ReadOnlyInline):
        model = StaffSchool
        fields = ["school", "ps_id", "active"]

    list_display = ["last_name", "first_name", "email", "teacher_number", "title", "active"]
    list_filter = ["active"]
    search_fields = ["last_name", "first_name", "email", "teacher_number"]
    inlines = [SchoolInline]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    class MeetingInline(ReadOnlyInline):
        model = SectionMeeting
        fields = ["cycle_day_letter", "period_number"]

    list_display = ["course_number", "course_name", "section_number", "expression", "term", "teacher", "school"]
    list_filter = ["active", ("school", RELATED_ONLY)]
    search_fields = ["course_number", "course_name", "section_number", "teacher__staff__last_name"]
    list_select_related = ["school", "term__school", "teacher__staff", "teacher__school"]
    inlines = [MeetingInline]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    building_path = "section__school__building"
    list_display = ["student", "section", "entry_date", "exit_date", "dropped"]
    list_filter = ["dropped", ("section__school", RELATED_ONLY)]
    search_fields = ["student__student_number", "student__last_name", "section__course_number", "section__course_name"]
    list_select_related = ["student", "section"]


@admin.register(Term)
class TermAdmin(ReadOnlyAdmin):
    list_display = ["name", "abbreviation", "school", "year_id", "first_day", "last_day", "portion"]
    list_filter = ["year_id", ("school", RELATED_ONLY)]
    search_fields = ["name", "abbreviation"]
    list_select_related = ["school"]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "school", "in_session", "bell_schedule", "cycle_day"]
    list_filter = ["in_session", ("school", RELATED_ONLY)]
    date_hierarchy = "date"
    search_fields = ["school__name", "bell_schedule__name"]
    list_select_related = ["school", "bell_schedule", "cycle_day"]


@admin.register(BellSchedule)
class BellScheduleAdmin(ReadOnlyAdmin):
    class ItemInline(ReadOnlyInline):
        model = BellScheduleItem
        fields = ["period", "starts", "ends"]
        readonly_fields = ["starts", "ends"]

        @admin.display(description="Starts")
        def starts(self, item):
            return clock(item.start_seconds)

        @admin.display(description="Ends")
        def ends(self, item):
            return clock(item.end_seconds)

    list_display = ["name", "school", "year_id"]
    list_filter = ["year_id", ("school", RELATED_ONLY)]
    search_fields = ["name"]
    list_select_related = ["school"]
    inlines = [ItemInline]


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "abbreviation", "school", "year_id"]
    list_filter = ["year_id", ("school", RELATED_ONLY)]
    search_fields = ["name", "abbreviation"]
    list_select_related = ["school"]


@admin.register(AttendanceCode)
class AttendanceCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "description", "presence_status", "school", "year_id"]
    list_filter = ["year_id", "presence_status", ("school", RELATED_ONLY)]
    search_fields = ["code", "description"]
    list_select_related = ["school"]


# --- roster source ----------------------------------------------------------------------------------


@admin.register(RosterSource)
class RosterSourceAdmin(ScopedAdmin):
    """Which source owns a district's roster and where PowerSchool's student identifier is in its files: district
    admins only, as it decides what every later import and write-back does."""

    read_action = manage_action = Action.MANAGE_SYNC
    list_display = ["district", "owner", "identifier_field", "identifier_rule"]
    fields = ["district", "owner", "identifier_field", "identifier_rule"]

    def has_delete_permission(self, request, obj=None):
        # Every district has one; choosing PowerSchool is how a district stops importing roster files.
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["district"] if obj else []


# --- CSV import -------------------------------------------------------------------------------------


class CsvUploadForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none())
    kind = forms.ChoiceField(choices=CsvUpload._meta.get_field("kind").choices, help_text="What the file holds.")
    mode = forms.ChoiceField(choices=CsvImportMode.choices, initial=CsvImportMode.ADD)
    take_over = forms.BooleanField(
        required=False,
        label="Take over SIS records",
        help_text="Let the file change records that came from PowerSchool, OneRoster or Clever (they become the "
        "CSV's). Without it, such rows are left alone and listed in the preview.",
    )
    file = forms.FileField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = districts_for(user, Action.RUN_SYNC)
        self.fields["district"].queryset = districts
        if len(districts) == 1:
            self.fields["district"].initial = districts[0]
        limit = settings.CSV_UPLOAD_MAX_MB
        self.fields["file"].help_text = f"A CSV file as docs/csv-import.md describes, saved as UTF-8, up to {limit} MB."

    def clean_file(self):
        # The preview runs within the request, so a file past the limit is refused before it is read.
        file = self.cleaned_data["file"]
        limit = settings.CSV_UPLOAD_MAX_MB
        if file.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"{file.name} is {file.size / (1024 * 1024):.1f} MB; the console takes files up to {limit} MB. "
                "Deliver a larger file to the district's CSV drop folder instead."
            )
        return file


@admin.register(CsvUpload)
class CsvUploadAdmin(ScopedAdmin):
    """Upload a CSV file of people not in the SIS, see what it would do, then apply or cancel it: district admins
    only, as a file can add people to the kiosk and contacts to the front desk's pickup list."""

    read_action = manage_action = Action.RUN_SYNC
    list_display = ["uploaded_at", "district", "name", "kind", "mode_name", "take_over", "status", "uploaded_by"]
    list_filter = [("district", RELATED_ONLY), "kind", "status"]
    list_select_related = ["district", "uploaded_by"]

    def get_urls(self):
        return [
            path("<int:pk>/apply/", self.admin_site.admin_view(self.apply_view), name="sis_sync_csvupload_apply"),
            path("<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view), name="sis_sync_csvupload_cancel"),
            *super().get_urls(),
        ]

    def has_delete_permission(self, request, obj=None):
        # The uploads are the record of who imported what.
        return False

    @admin.display(description="Mode", ordering="mode")
    def mode_name(self, upload):
        return upload.mode

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CsvUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = upload_create(
                data["district"], data["kind"], data["mode"], data["take_over"], data["file"], request.user
            )
            return HttpResponseRedirect(reverse("admin:sis_sync_csvupload_change", args=[upload.pk]))
        context = {**self.admin_site.each_context(request), "title": "Import a CSV file", "opts": self.model._meta,
                   "form": form}  # fmt: skip
        return render(request, "admin/sis_sync/csvimport/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        upload = self._upload(request, object_id, self.read_action)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview of {upload.name}",
            "opts": self.model._meta,
            "upload": upload,
            "preview": upload.preview,
            "may_apply": upload.status == CsvUpload.Status.PREVIEWED and not upload.preview.get("error_count"),
        }
        return render(request, "admin/sis_sync/csvimport/preview.html", context)

    def apply_view(self, request, pk):
        upload = self._posted_upload(request, pk)
        try:
            result = upload_apply(upload, request.user)
        except UploadRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:sis_sync_csvupload_change", args=[upload.pk]))
        totals = ", ".join(f"{count} {outcome}" for outcome, count in result.summary().items())
        self.message_user(request, f"Imported {upload.name} into {upload.district}: {totals}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:sis_sync_csvupload_changelist"))

    def cancel_view(self, request, pk):
        upload = self._posted_upload(request, pk)
        upload_cancel(upload)
        self.message_user(request, f"Cancelled {upload.name}: nothing was imported.", messages.INFO)
        return HttpResponseRedirect(reverse("admin:sis_sync_csvupload_changelist"))

    def _posted_upload(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied("Apply and Cancel are buttons on the preview page.")
        upload = self._upload(request, pk, self.manage_action)
        if request.POST.get("digest") != upload.digest:
            raise PermissionDenied("This is not the file that was previewed.")
        return upload

    def _upload(self, request, pk, action):
        uploads = CsvUpload.objects.filter(district__in=districts_known_to(request.user))
        upload = get_object_or_404(uploads.select_related("district", "run"), pk=pk)
        if not may(request.user, action, upload.district):
            raise PermissionDenied
        return upload


class CsvDropFolderForm(forms.ModelForm):
    class Meta:
        model = CsvDropFolder
        fields = ["district", "enabled", "mode", "interval_minutes"]

    def clean_interval_minutes(self):
        minutes = self.cleaned_data["interval_minutes"]
        if not 1 <= minutes <= 1440:
            raise forms.ValidationError("Between 1 and 1440 minutes (a day).")
        return minutes


@admin.register(CsvDropFolder)
class CsvDropFolderAdmin(ScopedAdmin):
    """The folder a district's CSV files arrive in, imported on a schedule: district admins only."""

    read_action = manage_action = Action.MANAGE_SYNC
    form = CsvDropFolderForm
    list_display = ["district", "folder", "enabled", "mode", "interval_minutes"]

    def get_readonly_fields(self, request, obj=None):
        return ["district", "delivered_to"] if obj else []

    @admin.display(description="Deliver files to")
    def delivered_to(self, drop):
        """Where the district's SFTP account must put its files: the server's own choice, named by the slug."""
        try:
            return str(folder_path(drop.folder))
        except RosterError as error:
            return str(error)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: csv_drop_schedule_update(obj.district))

    def delete_model(self, request, obj):
        district = obj.district
        super().delete_model(request, obj)
        transaction.on_commit(lambda: csv_drop_schedule_update(district))
