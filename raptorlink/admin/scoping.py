"""The base of every console page over district-owned rows: what a user sees and changes follows
raptorlink.permissions, never Django's per-model permissions."""

from django.contrib import admin

from raptorlink.permissions import Action, districts_for, may, rows_q


class ScopedAdmin(admin.ModelAdmin):
    """Rows are listed where the user may take `read_action`; changed, added and deleted with `manage_action`.

    `district_path` leads from a row to its district; `building_path`, when set, to the building it belongs to, so
    building roles reach the rows of their buildings. Without it, only district-wide grants reach the rows."""

    district_path = "district"
    building_path = None
    read_action = Action.READ_SETTINGS
    manage_action = Action.MANAGE_DISTRICT
    add_action = None
    delete_action = None

    def rows(self, request, action):
        """This model's rows on which the request's user may take `action`."""
        scope = rows_q(request.user, action, district_path=self.district_path, building_path=self.building_path)
        return self.model._default_manager.filter(scope)

    def may_somewhere(self, request, action):
        """Whether the user may take `action` on some row of this model (a building grant reaches no district row)."""
        if self.building_path is None and not request.user.is_superuser:
            return districts_for(request.user, action).exists()
        return may(request.user, action)

    def may_on(self, request, action, obj=None):
        if obj is None:
            return self.may_somewhere(request, action)
        return self.rows(request, action).filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        user, paths = request.user, {"district_path": self.district_path, "building_path": self.building_path}
        return super().get_queryset(request).filter(rows_q(user, self.read_action, **paths))

    def has_module_permission(self, request):
        return self.may_somewhere(request, self.read_action)

    def has_view_permission(self, request, obj=None):
        return self.may_on(request, self.read_action, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_on(request, self.manage_action, obj)

    def has_add_permission(self, request):
        return self.may_somewhere(request, self.add_action or self.manage_action)

    def has_delete_permission(self, request, obj=None):
        return self.may_on(request, self.delete_action or self.manage_action, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "district" and "queryset" not in kwargs:
            kwargs["queryset"] = districts_for(request.user, self.add_action or self.manage_action)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BuildingScopedAdmin(ScopedAdmin):
    """Rows that belong to one building: reached district-wide, or through a membership of that building."""

    building_path = "building"


class DistrictScopedAdmin(ScopedAdmin):
    """Rows that belong to a whole district (its settings, connection, contacts): reached district-wide only."""
