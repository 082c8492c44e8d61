"""The district console: Django's admin site with RaptorLink's access rule and home page.

Who may enter is decided by memberships (raptorlink.permissions), not by the is_staff flag, so a front-desk
account can never wander into the admin by having the flag set by mistake. The home page is the district's
dashboard (console.dashboard), with Django's list of models below it.
"""

from django.contrib.admin import AdminSite

from console.dashboard import dashboard_context
from console.urls import console_urls
from raptorlink.permissions import may_use_console


class ConsoleSite(AdminSite):
    site_header = "RaptorLink administration"
    site_title = "RaptorLink"
    index_title = "District console"

    def has_permission(self, request):
        return may_use_console(request.user)

    def get_urls(self):
        return [*console_urls(self), *super().get_urls()]

    def index(self, request, extra_context=None):
        dashboard = dashboard_context(request.user, request.GET.get("district"))
        return super().index(request, {**dashboard, **(extra_context or {})})
