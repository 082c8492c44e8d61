"""The PowerSchool client a district's write-backs go through, kept for the life of the worker process.

What it holds in memory is what is worth keeping: the plugin's page sizes, read once (so reading a student's day
is one request, without a count first), and open HTTPS connections. Its token and its limits live in the
database, shared with every other process (raptorlink/powerschool/gate.py). A client is made anew as soon as the
district's connection settings change, and after CLIENT_MAX_AGE_SECONDS, so an upgraded PowerSchool is asked
for its metadata again.
"""

import threading
import time
from dataclasses import dataclass, field

from raptorlink.models import PowerSchoolConnection
from raptorlink.powerschool import PowerSchoolClient
from raptorlink.powerschool.errors import AuthError

CLIENT_MAX_AGE_SECONDS = 600.0

_clients = {}
_clients_guard = threading.Lock()


@dataclass
class KeptClient:
    settings_version: tuple
    client: PowerSchoolClient
    made_at: float = field(default_factory=time.monotonic)
    pages_known: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fresh_for(self, settings_version):
        return self.settings_version == settings_version and time.monotonic() - self.made_at < CLIENT_MAX_AGE_SECONDS


def shared_client(district):
    """The district's write-back client, sharing its limits with every other process."""
    connection = district_connection(district)
    version = (
        connection.pk,
        connection.updated_at,
        connection.base_url,
        connection.client_id,
        connection.call_limit,
        connection.min_call_interval_ms,
    )
    with _clients_guard:
        kept = _clients.get(district.pk)
        if kept is None or not kept.fresh_for(version):
            kept = _clients[district.pk] = KeptClient(version, PowerSchoolClient(connection, shared_limits=True))
    with kept.lock:
        if not kept.pages_known:
            kept.client.use_largest_pages()
            kept.pages_known = True
    return kept.client


def district_connection(district):
    try:
        return district.powerschool
    except PowerSchoolConnection.DoesNotExist:
        raise AuthError(
            "RaptorLink has no PowerSchool connection for this district",
            hint="Enter the PowerSchool URL, client ID and client secret in PowerSchool Setup.",
        ) from None


def forget_clients():
    """Drop every kept client (tests start each from nothing)."""
    with _clients_guard:
        _clients.clear()
