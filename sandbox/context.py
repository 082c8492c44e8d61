"""What every view needs to know about the sandbox for one request.

Built afresh per request from the store, so a setting changed through `/_sandbox/...` (profile, quirk, plugin
options) applies to the very next call without restarting the server.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.profiles import DEFAULT_PROFILE, profile_named

DEFAULT_TIMEZONE = "America/New_York"


class Context:
    def __init__(self, store, request, *, faults=None, clock=time.time, app=None):
        self.store = store
        self.faults = faults
        self.clock = clock
        self.app = app
        # Set by the app once the bearer token is checked; public paths answer less without one.
        self.authenticated = False
        self.profile = profile_named(store.get_setting("profile", DEFAULT_PROFILE))
        self.single_element_quirk = bool(store.get_setting("single_element_quirk", True))
        self.timezone = _zone(store.get_setting("district_timezone", DEFAULT_TIMEZONE))
        self.base_url = _base_url(request)
        self._plugin = None

    @property
    def plugin(self):
        """The installed plugin's row as a dict, or None when no plugin is installed."""
        if self._plugin is None:
            row = self.store.query_one("SELECT * FROM sandbox_plugin ORDER BY plugin_id LIMIT 1")
            self._plugin = dict(row) if row else {}
        return self._plugin or None

    def now(self):
        """The current time in the district's time zone (what PowerSchool's "today" means)."""
        return datetime.fromtimestamp(self.clock(), self.timezone)


def _zone(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _base_url(request):
    host = request.headers.get("host", "localhost")
    scheme = request.headers.get("x-forwarded-proto", "http")
    return f"{scheme}://{host}"
