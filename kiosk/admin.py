"""Reasons and their code mappings, the write-back pre-flight check, and the events' read-only history.

District admins manage every reason of their district; building admins manage their own buildings' reasons and
read the district-wide ones. Events change only through kiosk.services, so their admin is read-only.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from kiosk.forms import DatalistInput, ReasonCodeForm, ReasonCodeFormSet, ReasonForm, code_suggestions
from kiosk.models import Reason, ReasonCode, StudentEvent, StudentEventChange
from kiosk.preflight import next_year_id, rollover_report, writeback_problems, year_label
from raptorlink.models import Building, District, Membership, Role, School
from raptorlink.permissions import MANAGE_ROLES, READ_ROLES, can_manage, districts_for
from sis_sync.models import SyncRun
from sis_sync.services import run_sync

DISTRICT_WIDE_READERS = {Role.DISTRICT_ADMIN, Role.IT_VIEWER}


def admin_building_ids(user):
    """The buildings `user` administers as a building admin."""
    memberships = Membership.objects.filter(user=user, role=Role.BUILDING_ADMIN)
    return set(memberships.exclude(buildings=None).values_list("buildings", flat=True))


def reasons_readable_by(user):
    if user.is_superuser:
        return Q()
    building_admin_districts = districts_for(user, {Role.BUILDING_ADMIN})
    return (
        Q(district__in=districts_for(user, DISTRICT_WIDE_READERS))
        | Q(district__in=building_admin_districts, building=None)
        | Q(building__in=admin_building_ids(user))
    )


def reasons_managed_by(user):
    if user.is_superuser:
        return Q()
    return Q(district__in=districts_for(user, MANAGE_ROLES)) | Q(building__in=admin_building_ids(user))


def may_change_reason(user, reason):
    if reason is None:
        return may_manage_some_reasons(user)
    return Reason.objects.filter(reasons_managed_by(user), pk=reason.pk).exists()


def may_manage_some_reasons(user):
    return user.is_superuser or districts_for(user, MANAGE_ROLES).exists() or bool(admin_building_ids(user))


class ReasonCodeInline(admin.TabularInline):
    model = ReasonCode
    form = ReasonCodeForm
    formset = ReasonCodeFormSet
    extra = 1
    verbose_name = "attendance code at a school"
    verbose_name_plural = "attendance codes (by their text, per PowerSchool school)"

    # Mappings are part of their reason: whoever may change the reason may change them (`obj` is the reason).
    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return may_change_reason(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return may_change_reason(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return may_change_reason(request.user, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "code":
            kwargs["widget"] = DatalistInput(code_suggestions(schools_for(request.user)))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "school":
            kwargs["queryset"] = schools_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def schools_for(user):
    """The schools whose codes `user` may map: their districts' as a district admin, their buildings' otherwise."""
    schools = School.objects.filter(active=True).select_related("district")
    if user.is_superuser:
        return schools
    return schools.filter(Q(district__in=districts_for(user, MANAGE_ROLES)) | Q(building__in=admin_building_ids(user)))


@admin.register(Reason)
class ReasonAdmin(admin.ModelAdmin):
    form = ReasonForm
    inlines = [ReasonCodeInline]
    list_display = ["label", "kind", "district", "where", "excused", "enabled", "codes_mapped"]
    list_filter = ["kind", "enabled", ("district", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label"]
    list_select_related = ["district", "building"]

    @admin.display(description="Offered in")
    def where(self, reason):
        return reason.building or "every building"

    @admin.display(description="Codes")
    def codes_mapped(self, reason):
        return ", ".join(f"{mapping.school.name}: {mapping.code}" for mapping in reason.codes.all()) or "none"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("codes__school")
        return queryset.filter(reasons_readable_by(request.user))

    def has_module_permission(self, request):
        return districts_for(request.user, READ_ROLES).exists()

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return Reason.objects.filter(reasons_readable_by(request.user), pk=obj.pk).exists()

    def has_add_permission(self, request):
        return may_manage_some_reasons(request.user)

    def has_change_permission(self, request, obj=None):
        return may_change_reason(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        user = request.user
        whole = District.objects.all() if user.is_superuser else districts_for(user, MANAGE_ROLES)
        scope = {"whole_district_ids": frozenset(whole.values_list("pk", flat=True))}
        return type(form.__name__, (form,), {**scope, "building_ids": frozenset(admin_building_ids(user))})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if db_field.name == "district":
            kwargs["queryset"] = districts_for(user, {Role.DISTRICT_ADMIN, Role.BUILDING_ADMIN})
        if db_field.name == "building":
            kwargs["queryset"] = Building.objects.filter(
                Q(district__in=districts_for(user, MANAGE_ROLES)) | Q(pk__in=admin_building_ids(user))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path("preflight/", self.admin_site.admin_view(self.preflight_view), name="kiosk_reason_preflight"),
            path(
                "import-codes/<int:district_id>/",
                self.admin_site.admin_view(self.import_codes_view),
                name="kiosk_reason_import_codes",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        importable = District.objects.all() if request.user.is_superuser else districts_for(request.user, MANAGE_ROLES)
        return super().changelist_view(request, {**(extra_context or {}), "import_districts": importable})

    def preflight_view(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied
        districts = District.objects.all() if request.user.is_superuser else districts_for(request.user, READ_ROLES)
        context = {
            **self.admin_site.each_context(request),
            "title": "Write-back setup check",
            "opts": self.model._meta,
            "reports": [district_report(district, request.user) for district in districts],
        }
        return render(request, "admin/kiosk/reason/preflight.html", context)

    def import_codes_view(self, request, district_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        district = get_object_or_404(District, pk=district_id)
        if not can_manage(request.user, district):
            raise PermissionDenied
        run = attendance_codes_import(district, request.user)
        level = messages.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else messages.ERROR
        self.message_user(request, import_outcome(run), level)
        return HttpResponseRedirect(reverse("admin:kiosk_reason_changelist"))


def attendance_codes_import(district, user):
    trigger = f"admin:{user.get_username()}"[: SyncRun._meta.get_field("trigger").max_length]
    return run_sync(district, kind="manual", trigger=trigger, entities=["attendance_codes"])


def import_outcome(run):
    if run.status == SyncRun.Status.SUCCEEDED:
        counts = run.counts.get("attendance_codes", {})
        new = counts.get("created", 0)
        return f"Attendance codes of {run.district} imported: {new} new, {counts.get('updated', 0)} changed."
    return f"Attendance codes of {run.district} were not imported: {run.message}"


def district_report(district, user):
    """The district's problems that `user` is concerned with: all of them, or their buildings' schools'."""
    next_year = next_year_id(district)
    problems = writeback_problems(district)
    upcoming = rollover_report(district, next_year)
    if not (user.is_superuser or districts_for(user, DISTRICT_WIDE_READERS).filter(pk=district.pk).exists()):
        buildings = admin_building_ids(user)
        problems = [problem for problem in problems if problem.school.building_id in buildings]
        upcoming = [problem for problem in upcoming if problem.school.building_id in buildings]
    return {"district": district, "problems": problems, "next_year": year_label(next_year), "upcoming": upcoming}


class StudentEventChangeInline(admin.TabularInline):
    model = StudentEventChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "action", "changed_by", "reason", "before", "after"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def events_readable_by(user):
    if user.is_superuser:
        return Q()
    return Q(district__in=districts_for(user, DISTRICT_WIDE_READERS)) | Q(building__in=admin_building_ids(user))


@admin.register(StudentEvent)
class StudentEventAdmin(admin.ModelAdmin):
    """Events as they stand and their history; they change through the front-desk pages, never here."""

    inlines = [StudentEventChangeInline]
    list_display = ["reference", "kind", "student", "building", "local_time_display", "reason", "source", "active"]
    list_filter = ["kind", "source", "active", ("building", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["student__first_name", "student__last_name", "student__student_number"]
    list_select_related = ["student", "building", "reason"]
    fields = [
        "reference",
        "kind",
        "student",
        "school",
        "building",
        "local_time_display",
        "reason",
        "excused",
        "note",
        "source",
        "recorded_by",
        "active",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="When (building time)", ordering="occurred_at")
    def local_time_display(self, event):
        return f"{event.local_time:%m/%d/%Y %H:%M %Z}"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(events_readable_by(request.user))

    def has_module_permission(self, request):
        return districts_for(request.user, READ_ROLES).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
