from django.contrib import admin
from django.utils import timezone

from raptorlink.forms import MembershipForm, PowerSchoolConnectionForm
from raptorlink.models import (
    AttendanceMode,
    Building,
    District,
    Incident,
    Membership,
    NotificationContact,
    PowerSchoolConnection,
    School,
)
from raptorlink.permissions import MANAGE_ROLES, READ_ROLES, districts_for

admin.site.site_header = "RaptorLink administration"
admin.site.site_title = "RaptorLink"
admin.site.index_title = "District console"


class DistrictScopedAdmin(admin.ModelAdmin):
    """Rows are visible in the districts where the user reads, and editable where the user manages."""

    district_path = "district"

    def _scope(self, request, roles):
        return {f"{self.district_path}__in": districts_for(request.user, roles)}

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**self._scope(request, READ_ROLES))

    def has_module_permission(self, request):
        return request.user.is_superuser or districts_for(request.user, READ_ROLES).exists()

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj, READ_ROLES)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj, MANAGE_ROLES)

    def has_add_permission(self, request):
        return self._allowed(request, None, MANAGE_ROLES)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj, MANAGE_ROLES)

    def _allowed(self, request, obj, roles):
        districts = districts_for(request.user, roles)
        if obj is None:
            return districts.exists()
        return self.model.objects.filter(pk=obj.pk, **{f"{self.district_path}__in": districts}).exists()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "district":
            kwargs["queryset"] = districts_for(request.user, MANAGE_ROLES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(District)
class DistrictAdmin(DistrictScopedAdmin):
    district_path = "id"
    list_display = ["name", "slug", "time_zone", "last_sync_succeeded_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["last_sync_succeeded_at", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "time_zone"]}),
        (
            "Write-back defaults",
            {
                "fields": [
                    "default_attendance_mode",
                    "prevent_school_overrides",
                    "comment_template",
                    "write_time_in_out",
                ]
            },
        ),
        ("Kiosks and front desk", {"fields": ["visible_student_id", "pickup_requires_custodial"]}),
        ("Status", {"fields": ["last_sync_succeeded_at", "created_at"]}),
    ]

    def get_queryset(self, request):
        return District.objects.filter(pk__in=districts_for(request.user, READ_ROLES))

    def _allowed(self, request, obj, roles):
        districts = districts_for(request.user, roles)
        return districts.filter(pk=obj.pk).exists() if obj else districts.exists()

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Building)
class BuildingAdmin(DistrictScopedAdmin):
    list_display = ["name", "district", "time_zone"]
    list_filter = ["district"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["district", "name", "time_zone"]}),
        (
            "Kiosks and front desk",
            {
                "fields": ["tardy_cutoff", "self_serve_check_out", "kiosk_networks"],
                "description": "The building's kiosks are listed under Kiosk devices.",
            },
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(DistrictScopedAdmin):
    form = MembershipForm
    list_display = ["user", "district", "role", "building_names"]
    list_filter = ["district", "role"]
    search_fields = ["user__username", "user__email"]
    filter_horizontal = ["buildings"]

    @admin.display(description="Buildings")
    def building_names(self, membership):
        return ", ".join(building.name for building in membership.buildings.all()) or "whole district"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "district").prefetch_related("buildings")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "buildings":
            kwargs["queryset"] = Building.objects.filter(district__in=districts_for(request.user, MANAGE_ROLES))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(PowerSchoolConnection)
class PowerSchoolConnectionAdmin(DistrictScopedAdmin):
    form = PowerSchoolConnectionForm
    list_display = ["district", "base_url", "client_id", "token_status", "updated_at"]
    readonly_fields = ["token_status", "updated_at"]
    fieldsets = [
        (None, {"fields": ["district", "base_url", "client_id", "client_secret"]}),
        ("Status", {"fields": ["token_status", "updated_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        # Read-only views render every field's value; the secret must never be one of them.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "client_secret"]})
            for name, options in fieldsets
        ]

    @admin.display(description="Access token")
    def token_status(self, connection):
        if connection.usable_token():
            return f"cached, valid until {timezone.localtime(connection.token_expires_at):%Y-%m-%d %H:%M %Z}"
        return "none cached (a new one is requested on the next call)"


@admin.register(School)
class SchoolAdmin(DistrictScopedAdmin):
    """PowerSchool owns the schools; the district decides which building's entrance each one uses."""

    list_display = ["number", "name", "grades", "building", "writeback", "mode", "active", "district"]
    list_filter = [
        ("district", admin.RelatedOnlyFieldListFilter),
        ("building", admin.RelatedOnlyFieldListFilter),
        "writeback_enabled",
        "active",
    ]
    search_fields = ["name", "abbreviation"]
    list_select_related = ["district", "building"]
    SYNCED = ["district", "name", "number", "dcid", "abbreviation", "grades", "active", "synced_at"]
    WRITEBACK = ["writeback_enabled", "attendance_mode", "checkout_policy"]
    fieldsets = [
        (None, {"fields": [*SYNCED, "building"]}),
        (
            "Write-back",
            {
                "fields": [*WRITEBACK, "effective_settings"],
                "description": "The attendance mode must match the one set for this school in PowerSchool "
                "(Attendance Preferences); a blank mode uses the district's default.",
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*self.SYNCED, "effective_settings"]
        if obj is not None and obj.district.prevent_school_overrides:
            # The district decides for every school; showing editable fields that do nothing would mislead.
            readonly += self.WRITEBACK
        return readonly

    @admin.display(description="Write-back", boolean=True)
    def writeback(self, school):
        return school.effective_writeback_enabled

    @admin.display(description="Mode")
    def mode(self, school):
        return AttendanceMode(school.effective_attendance_mode).label

    @admin.display(description="In effect")
    def effective_settings(self, school):
        state = "on" if school.effective_writeback_enabled else "off"
        source = "the district's settings (overrides prevented)" if school.district.prevent_school_overrides else ""
        mode = AttendanceMode(school.effective_attendance_mode).label
        return f"Write-back {state}, {mode} mode" + (f", from {source}" if source else "")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            kwargs["queryset"] = Building.objects.filter(district__in=districts_for(request.user, MANAGE_ROLES))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(NotificationContact)
class NotificationContactAdmin(DistrictScopedAdmin):
    list_display = ["name", "email", "district", "active", "about_sync", "about_writeback", "about_maintenance"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter), "active"]
    search_fields = ["name", "email"]


@admin.register(Incident)
class IncidentAdmin(DistrictScopedAdmin):
    """What the district was told about; opened and closed by RaptorLink, never by hand."""

    list_display = ["kind", "district", "opened_at", "closed_at"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter), "kind", ("closed_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "opened_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
