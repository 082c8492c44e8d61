"""Operations: maintenance windows announced to the district, and the audit log of configuration changes.

District admins post, change and cancel maintenance windows; building admins and IT viewers read them. The audit
log is read-only: district admins read their district's entries, building admins their buildings' entries.
"""

import zoneinfo
from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from raptorlink.admin.scoping import BuildingScopedAdmin, DistrictScopedAdmin
from raptorlink.audit import csv_lines
from raptorlink.maintenance import maintenance_cancel, maintenance_post, window_when
from raptorlink.models import AuditEntry, District, MaintenanceWindow
from raptorlink.permissions import Action, districts_for

# --- maintenance windows -----------------------------------------------------------------------------------------


class MaintenanceWindowForm(forms.ModelForm):
    """The times are entered and shown in the district's own zone, whatever the server's zone."""

    starts_at = forms.SplitDateTimeField(label="Starts", widget=AdminSplitDateTime, help_text="District time.")
    ends_at = forms.SplitDateTimeField(label="Ends", widget=AdminSplitDateTime, help_text="District time.")

    class Meta:
        model = MaintenanceWindow
        fields = ["district", "title", "message", "starts_at", "ends_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            zone = self.instance.district.time_zone
            for name in ("starts_at", "ends_at"):
                local = timezone.localtime(getattr(self.instance, name), timezone=as_zoneinfo(zone))
                self.initial[name] = local.replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        district = cleaned.get("district") or (self.instance.district if self.instance.district_id else None)
        if district is None:
            return cleaned
        for name in ("starts_at", "ends_at"):
            if isinstance(cleaned.get(name), datetime):
                cleaned[name] = in_zone(cleaned[name], district.time_zone)
        return cleaned


def as_zoneinfo(name):
    return zoneinfo.ZoneInfo(name)


def in_zone(moment, zone_name):
    """The same wall-clock time as `moment` (read in the server's zone by the form), in the district's zone."""
    wall = timezone.localtime(moment).replace(tzinfo=None)
    return timezone.make_aware(wall, as_zoneinfo(zone_name))


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(DistrictScopedAdmin):
    read_action = Action.READ_MAINTENANCE
    manage_action = Action.MANAGE_MAINTENANCE
    form = MaintenanceWindowForm
    list_display = ["title", "district", "when", "state", "emailed"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "message"]
    list_select_related = ["district"]
    actions = ["cancel_selected"]
    STATUS = ["state", "posted_by", "posted_at", "emailed", "cancelled_by"]

    @admin.display(description="When (district time)", ordering="starts_at")
    def when(self, window):
        return window_when(window)

    @admin.display(description="State")
    def state(self, window):
        now = timezone.now()
        if window.cancelled:
            return f"Cancelled {timezone.localtime(window.cancelled_at, as_zoneinfo(window.district.time_zone)):%m/%d/%Y %H:%M}"
        if window.is_over(now):
            return "Over"
        if window.is_under_way(now):
            return "Under way: shown on kiosks and front desks"
        if window.starts_at - MaintenanceWindow.NOTICE <= now:
            return "Starts within the hour: shown on kiosks and front desks"
        return "Upcoming"

    @admin.display(description="Contacts e-mailed")
    def emailed(self, window):
        if not window.emailed_at:
            return "not yet"
        return f"{timezone.localtime(window.emailed_at, as_zoneinfo(window.district.time_zone)):%m/%d/%Y %H:%M %Z}"

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ["district", "title", "message", "starts_at", "ends_at"]})
        if obj is None:
            return [main]
        return [main, ("Status", {"fields": self.STATUS})]

    def get_readonly_fields(self, request, obj=None):
        # The contacts told about a window are its district's; moving it would leave the new district untold.
        return [] if obj is None else ["district", *self.STATUS]

    def has_change_permission(self, request, obj=None):
        # A cancelled or finished window is kept as it was, as the record of what the district was told.
        if obj is not None and (obj.cancelled or obj.is_over()):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        maintenance_post(obj, posted_by=request.user)

    @admin.action(description="Cancel selected maintenance windows", permissions=["change"])
    def cancel_selected(self, request, queryset):
        managed = queryset.filter(
            district__in=districts_for(request.user, Action.MANAGE_MAINTENANCE), cancelled_at=None
        )
        cancelled = [window for window in managed if maintenance_cancel(window, cancelled_by=request.user)]
        if cancelled:
            names = ", ".join(f"“{window.title}”" for window in cancelled)
            self.message_user(request, f"Cancelled {names}; contacts who were told are told it is off.")
        else:
            self.message_user(request, "Nothing to cancel among the selected windows.", messages.WARNING)


# --- the audit log -------------------------------------------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(BuildingScopedAdmin):
    """Written by RaptorLink as changes happen; nobody adds, changes or removes an entry."""

    read_action = Action.READ_AUDIT

    change_list_template = "admin/raptorlink/auditentry/change_list.html"
    list_display = ["when", "actor_name", "action", "object_type", "object_label", "summary"]
    list_filter = [
        ("district", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        "action",
        "object_type",
        ("at", admin.DateFieldListFilter),
    ]
    search_fields = ["actor_name", "object_label", "object_id", "reason"]
    fields = ["when", "actor_name", "action", "object_type", "object_id", "object_label", "reason", "changes"]
    readonly_fields = fields

    @admin.display(description="When", ordering="at")
    def when(self, entry):
        # The district may be gone since (entries outlive what they name), so its zone is looked up, not followed.
        zone_name = District.objects.filter(pk=entry.district_id).values_list("time_zone", flat=True).first()
        zone = as_zoneinfo(zone_name) if zone_name else None
        return f"{timezone.localtime(entry.at, zone):%m/%d/%Y %H:%M:%S %Z}"

    @admin.display(description="Changes")
    def summary(self, entry):
        names = sorted(set(entry.before) | set(entry.after))
        return ", ".join(names) if entry.action in (AuditEntry.Action.CHANGED, AuditEntry.Action.EDITED) else ""

    @admin.display(description="Before and after")
    def changes(self, entry):
        names = sorted(set(entry.before) | set(entry.after))
        if not names:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((name, shown(entry.before.get(name)), shown(entry.after.get(name))) for name in names),
        )
        return format_html("<table><tr><th>Field</th><th>Before</th><th>After</th></tr>{}</table>", rows)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = path("export.csv", self.admin_site.admin_view(self.export_view), name="raptorlink_auditentry_export")
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The entries the list shows with the same filters and search, as CSV."""
        if not self.has_module_permission(request):
            raise PermissionDenied
        try:
            entries = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(
                "The filters in this address are not valid: open the audit log, filter it again and export from there."
            )
        response = StreamingHttpResponse(csv_lines(entries), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate():%Y-%m-%d}.csv"'
        return response


def shown(value):
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)
