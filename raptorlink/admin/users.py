"""User accounts: the platform operator's full page, and a district admin's page for their own district's accounts.

A district admin adds an account with its role in one step (so a new front-desk secretary needs nobody else),
edits names, e-mail and whether the account is active, and sets passwords through Django's password form. They
never see superuser, staff, group or permission fields, nor accounts that also belong to another district.
"""

import django.contrib.auth.admin  # noqa: F401 — registers Django's UserAdmin, replaced below
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError

from raptorlink.models import Building, District, Membership, Role
from raptorlink.permissions import Action, buildings_for, districts_for, may, users_for

User = get_user_model()


class DistrictUserCreationForm(AdminUserCreationForm):
    """A new account and its membership: the district, the role and, for building roles, the buildings."""

    district = forms.ModelChoiceField(queryset=District.objects.none())
    role = forms.ChoiceField(choices=Role.choices)
    buildings = forms.ModelMultipleChoiceField(
        queryset=Building.objects.none(),
        required=False,
        widget=FilteredSelectMultiple("buildings", is_stacked=False),
        help_text="For building admins and front-desk staff: the buildings they work in.",
    )
    manager = None  # the signed-in district admin, set by the admin page

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts_for(self.manager, Action.MANAGE_USERS)
        self.fields["buildings"].queryset = buildings_for(self.manager, Action.MANAGE_USERS)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("district") and cleaned.get("role"):
            membership = Membership(district=cleaned["district"], role=cleaned["role"])
            try:
                membership.clean_buildings(list(cleaned.get("buildings") or []))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        data = self.cleaned_data
        membership = Membership.objects.create(user=self.instance, district=data["district"], role=data["role"])
        membership.buildings.set(data["buildings"])


class RaptorLinkUserAdmin(UserAdmin):
    """Superusers get Django's own page; district admins a page limited to their districts' accounts."""

    district_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        (
            "Access",
            {
                "fields": ["is_active"],
                "description": "Roles are given and changed under Memberships. Turn an account off instead of "
                "deleting it: events keep the name of whoever recorded them.",
            },
        ),
    ]
    district_add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["district", "role", "buildings"]}),
    ]
    list_display = ["username", "email", "first_name", "last_name", "roles", "is_active"]

    @admin.display(description="Roles")
    def roles(self, user):
        return "; ".join(f"{m.get_role_display()} in {m.district}" for m in user.memberships.all()) or "—"

    def get_queryset(self, request):
        users = super().get_queryset(request).prefetch_related("memberships__district")
        return users.filter(pk__in=users_for(request.user).values("pk"))

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ["is_active"]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.district_fieldsets if obj else self.district_add_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = type("DistrictUserCreationForm", (DistrictUserCreationForm,), {"manager": request.user})
        return super().get_form(request, obj, **kwargs)

    def has_module_permission(self, request):
        return request.user.is_superuser or may(request.user, Action.MANAGE_USERS)

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is None:
            return self.has_module_permission(request)
        return users_for(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(User)
admin.site.register(User, RaptorLinkUserAdmin)
