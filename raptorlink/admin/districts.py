"""Districts and who holds which role in them."""

from django.contrib import admin

from raptorlink.admin.scoping import DistrictScopedAdmin
from raptorlink.forms import MembershipForm
from raptorlink.models import District, Membership
from raptorlink.permissions import Action, assignable_users, buildings_for


@admin.register(District)
class DistrictAdmin(DistrictScopedAdmin):
    district_path = "pk"
    read_action = Action.READ_SETTINGS
    manage_action = Action.MANAGE_DISTRICT
    add_action = delete_action = Action.ADD_OR_REMOVE_DISTRICTS
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


@admin.register(Membership)
class MembershipAdmin(DistrictScopedAdmin):
    read_action = manage_action = Action.MANAGE_MEMBERSHIPS
    form = MembershipForm
    list_display = ["user", "district", "role", "building_names"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__username", "user__email"]
    filter_horizontal = ["buildings"]

    @admin.display(description="Buildings")
    def building_names(self, membership):
        return ", ".join(building.name for building in membership.buildings.all()) or "whole district"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "district").prefetch_related("buildings")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Never to an account another district holds: its admins would then share its password with them.
            kwargs["queryset"] = assignable_users(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "buildings":
            kwargs["queryset"] = buildings_for(request.user, Action.MANAGE_MEMBERSHIPS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
