"""The write-back log in the admin console: the intents' list is the log page, with filters, actions and CSV."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from raptorlink.permissions import Action, may
from writeback.filters import visible_intents
from writeback.models import Intent
from writeback.views import writeback_log, writeback_log_csv


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin):
    """Intents are written by the kiosk's services and the drainer, never by hand; people read them in the log."""

    def get_urls(self):
        return [
            path("log/", self.admin_site.admin_view(self.log_view), name="writeback_log"),
            path("log/export.csv", self.admin_site.admin_view(writeback_log_csv), name="writeback_log_export"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        # The admin's own object pages (history, delete) find only what the user may read: another district's
        # intent is as unknown as one that does not exist.
        return visible_intents(request.user)

    def log_view(self, request):
        return writeback_log(request, self.admin_site.each_context(request))

    def changelist_view(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("admin:writeback_log"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:writeback_log"))

    def has_module_permission(self, request):
        return may(request.user, Action.READ_LOG)

    def has_view_permission(self, request, obj=None):
        return obj is None and self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
