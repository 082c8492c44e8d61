"""The district's PowerSchool connection: URL, client id and the write-only secret."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from raptorlink.admin.scoping import DistrictScopedAdmin
from raptorlink.forms import PowerSchoolConnectionForm
from raptorlink.models import PowerSchoolConnection
from raptorlink.permissions import Action


@admin.register(PowerSchoolConnection)
class PowerSchoolConnectionAdmin(DistrictScopedAdmin):
    read_action = Action.READ_CONNECTION
    manage_action = Action.MANAGE_CONNECTION
    form = PowerSchoolConnectionForm
    list_display = ["district", "base_url", "client_id", "token_status", "updated_at", "setup_link"]
    readonly_fields = ["token_status", "updated_at"]
    fieldsets = [
        (None, {"fields": ["district", "base_url", "client_id", "client_secret"]}),
        ("Calling PowerSchool", {"fields": ["max_concurrent_calls", "min_call_interval_ms"]}),
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

    @admin.display(description="PowerSchool Setup")
    def setup_link(self, connection):
        url = reverse("admin:powerschool_setup", kwargs={"district_id": connection.district_id})
        return format_html('<a href="{}">Settings, plugin, schools and logs</a>', url)
