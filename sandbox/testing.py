"""The sandbox as a `responses` mock: the same handler as the HTTP server, without sockets.

    with mock_powerschool(SandboxApp(store)) as calls:
        requests.get("https://sandbox.powerschool.test/ws/v1/time")

Injected faults surface as the exceptions `requests` raises against a real server: an unanswered request as
`requests.exceptions.ReadTimeout`, a connection dropped after a write as `requests.exceptions.ConnectionError`.
"""

import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
import responses

from sandbox.faults import DroppedConnection, NoAnswer
from sandbox.http import Request

DEFAULT_BASE_URL = "https://sandbox.powerschool.test"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


@contextmanager
def mock_powerschool(app, base_url=DEFAULT_BASE_URL):
    """Route every `requests` call to `base_url` through `app`; yields the RequestsMock (its `.calls`)."""
    base_url = base_url.rstrip("/")
    pattern = re.compile(re.escape(base_url) + r"(/.*)?")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in METHODS:
            mock.add_callback(method, pattern, callback=lambda prepared: _answer(app, prepared))
        yield mock


def _answer(app, prepared):
    url = urlsplit(prepared.url)
    headers = {"Host": url.netloc, "X-Forwarded-Proto": url.scheme, **dict(prepared.headers)}
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    request = Request.build(prepared.method, url.path or "/", url.query, headers, body)
    try:
        response = app.handle(request)
    except NoAnswer:
        raise requests.exceptions.ReadTimeout(f"The sandbox did not answer {prepared.method} {url.path}") from None
    except DroppedConnection:
        raise requests.exceptions.ConnectionError(
            f"Connection aborted: the sandbox closed the connection after {prepared.method} {url.path}"
        ) from None
    return response.status, response.headers, response.body


def bearer_session(store, base_url=DEFAULT_BASE_URL):
    """A `requests.Session` holding a fresh access token for the store's plugin (either transport)."""
    credentials = store.query_one("SELECT client_id, client_secret FROM sandbox_plugin LIMIT 1")
    session = requests.Session()
    answer = session.post(
        f"{base_url.rstrip('/')}/oauth/access_token",
        auth=(credentials["client_id"], credentials["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=30,
    )
    answer.raise_for_status()
    session.headers.update({"Authorization": f"Bearer {answer.json()['access_token']}", "Accept": "application/json"})
    return session


class ManualClock:
    """A clock for `SandboxApp(clock=...)` that only moves when a test moves it (`clock.now += 60`)."""

    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now
