"""The district console: one module per area, registered on import."""

from django.contrib import admin

from raptorlink.admin import buildings, connection, districts, notifications  # noqa: F401 — registers
from raptorlink.admin.scoping import DistrictScopedAdmin

admin.site.site_header = "RaptorLink administration"
admin.site.site_title = "RaptorLink"
admin.site.index_title = "District console"

__all__ = ["DistrictScopedAdmin"]
