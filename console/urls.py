"""Pages of the console beyond Django's model pages, served under /admin/ by the console site."""

from django.urls import path  # noqa: F401 — used by the entries below as they are added


def console_urls(site):
    """URL patterns the console site adds before Django's own; each view is wrapped by `site.admin_view`."""
    return []
