"""Buildings (entrances) and the PowerSchool schools behind them, with each school's write-back settings."""

from django.contrib import admin

from raptorlink.admin.scoping import DistrictScopedAdmin
from raptorlink.models import AttendanceMode, Building, School
from raptorlink.permissions import MANAGE_ROLES, districts_for


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
