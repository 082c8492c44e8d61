"""The base of every district-owned admin page: rows visible where the user reads, editable where they manage."""

from django.contrib import admin

from raptorlink.permissions import MANAGE_ROLES, READ_ROLES, districts_for


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
