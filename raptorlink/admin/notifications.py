"""Who at the district is told about problems, and the incidents they were told about."""

from django.contrib import admin

from raptorlink.admin.scoping import DistrictScopedAdmin
from raptorlink.models import Incident, NotificationContact
from raptorlink.permissions import Action


@admin.register(NotificationContact)
class NotificationContactAdmin(DistrictScopedAdmin):
    read_action = manage_action = Action.MANAGE_CONTACTS
    list_display = ["name", "email", "district", "active", "about_sync", "about_writeback", "about_maintenance"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter), "active"]
    search_fields = ["name", "email"]


@admin.register(Incident)
class IncidentAdmin(DistrictScopedAdmin):
    """What the district was told about; opened and closed by RaptorLink, never by hand."""

    read_action = Action.READ_INCIDENTS

    list_display = ["kind", "district", "opened_at", "closed_at"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter), "kind", ("closed_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "opened_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
