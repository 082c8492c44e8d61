"""The district console: one module per area, registered on import."""

from raptorlink.admin import buildings, connection, districts, notifications, operations  # noqa: F401 — registers
from raptorlink.admin.scoping import DistrictScopedAdmin

__all__ = ["DistrictScopedAdmin"]
