from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    """Django's admin, served by RaptorLink's own site: membership-based access and the dashboard as its home."""

    default_site = "console.site.ConsoleSite"
