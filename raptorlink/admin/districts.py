"""Districts and who holds which role in them."""

from django.contrib import admin

from raptorlink.admin.scoping import DistrictScopedAdmin
from raptorlink.forms import MembershipForm
from raptorlink.models import Building, District, Membership
from raptorlink.permissions import MANAGE_ROLES, READ_ROLES, districts_for


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
