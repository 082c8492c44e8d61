"""The district console: one module per area, registered on import."""

from raptorlink.admin import buildings, connection, districts, notifications, operations, users  # noqa: F401 — registers
from raptorlink.admin.scoping import BuildingScopedAdmin, DistrictScopedAdmin

__all__ = ["BuildingScopedAdmin", "DistrictScopedAdmin"]
