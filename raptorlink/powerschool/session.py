"""The one HTTP seam to PowerSchool: OAuth, timeouts, bounded retries and typed errors.

Retry policy: reads, token requests and idempotent writes are retried on 5xx, timeouts and dropped
connections with exponential backoff and jitter; a 429 waits for PowerSchool's Retry-After (bounded);
a 401 renews the token once. A write that is not idempotent is never repeated after its answer was lost,
because PowerSchool may already have saved it: the caller gets `UnavailableError(may_have_been_applied=True)`
and must read back first. Daily attendance upserts by student and date, so those writes are idempotent.
"""

import contextlib
import logging
import random
import re
import time

import orjson
import requests
from django.conf import settings

from raptorlink.powerschool.errors import (
    AccessError,
    AuthError,
    ConflictError,
    NotFoundError,
    PowerSchoolError,
    RecordValidationError,
    ThrottledError,
    UnavailableError,
    UnexpectedResponseError,
    error_messages,
)
from raptorlink.powerschool.gate import CallGate, LockPerConnection, OpenGate
from raptorlink.powerschool.normalize import as_list

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/access_token"
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
# Longer waits are PowerSchool's way of saying "come back later": hand them to the caller's schedule.
MAX_THROTTLE_WAIT_SECONDS = 30.0
DEFAULT_THROTTLE_WAIT_SECONDS = 1.0
SAFE_METHODS = frozenset({"GET", "HEAD"})
DEFAULT_POOL_SIZE = 10
ACCESS_ERROR_CODES = re.compile(r"no access", re.IGNORECASE)
WAIT_SECONDS_IN_MESSAGE = re.compile(r"wait\s+(\d+(?:\.\d+)?)\s*second", re.IGNORECASE)
# How often a caller waiting for another's token renewal looks whether the new token is there.
TOKEN_LOOK_SECONDS = 0.05

# Held by the one thread of this process that renews (or waits for) the connection's token.
_renewal_lock = LockPerConnection()


class PowerSchoolSession:
    """Authenticated JSON requests to one district's PowerSchool, sharing the token cached on the connection."""

    def __init__(self, connection, *, sleep=time.sleep, jitter=random.random, http=None, shared_limits=False):
        self.connection = connection
        self.base_url = connection.base_url.rstrip("/")
        self.timeout = settings.POWERSCHOOL_TIMEOUT
        self.max_retries = settings.POWERSCHOOL_MAX_RETRIES
        self.sleep = sleep
        self.jitter = jitter
        self.http = http or environment_session(self.base_url, pool_size=connection.call_limit)
        # Callers that run many at once (the write-back's drainers) share the district's limits through the database.
        self.gate = CallGate(connection, timeout=self.timeout, sleep=sleep) if shared_limits else OpenGate()
        self.http.headers.update({"Accept": "application/json", "User-Agent": "RaptorLink"})

    def __repr__(self):
        return f"<PowerSchoolSession {self.base_url}>"

    def get(self, path, params=None, *, authenticated=True):
        return self.request("GET", path, params=params, authenticated=authenticated)

    def get_streamed(self, path, params=None, *, timeout=None):
        """The successful answer to a GET, its body not yet read (the caller closes it): for answers too large to
        hold and decode whole. `timeout` (seconds) replaces POWERSCHOOL_TIMEOUT for answers known to be slow."""
        return self.request("GET", path, params=params, stream=True, timeout=timeout)

    def post(self, path, body, params=None, *, idempotent=False):
        return self.request("POST", path, params=params, body=body, idempotent=idempotent)

    def delete(self, path, *, idempotent=False):
        return self.request("DELETE", path, idempotent=idempotent)

    def request(
        self, method, path, *, params=None, body=None, idempotent=None, authenticated=True, stream=False, timeout=None
    ):
        """Send one request and return its JSON (None for an empty answer), or with `stream` the response itself,
        or raise a PowerSchoolError."""
        idempotent = method in SAFE_METHODS if idempotent is None else idempotent
        renewed = False
        attempt = 0
        while True:
            token = self.token() if authenticated else None
            try:
                response = self._send(method, path, params, body, token, stream, timeout)
            except requests.RequestException as error:
                failure = self._transport_error(method, path, error, idempotent)
            else:
                if response.status_code == 401 and authenticated and not renewed:
                    response.close()
                    self._renew_token(rejected=token)
                    renewed = True
                    continue
                if response.status_code < 400:
                    return response if stream else _json_of(response, method, path)
                failure = error_for_response(response, method, path)
                if not idempotent and isinstance(failure, UnavailableError):
                    failure.may_have_been_applied = True
            if not failure.retryable or attempt >= self.max_retries or getattr(failure, "may_have_been_applied", False):
                raise failure
            self._wait_before_retry(failure, attempt)
            attempt += 1

    # --- one HTTP exchange ------------------------------------------------------------------------
    def _send(self, method, path, params, body, token, stream=False, timeout=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        with self.gate.call():
            started = time.monotonic()
            response = self.http.request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                headers=headers,
                timeout=timeout or self.timeout,
                stream=stream,
            )
        logger.debug("PowerSchool %s %s → %s in %.2fs", method, path, response.status_code, time.monotonic() - started)
        return response

    @staticmethod
    def _transport_error(method, path, error, idempotent):
        kind = "timed out" if isinstance(error, requests.Timeout) else "could not connect"
        logger.info("PowerSchool %s %s %s: %s", method, path, kind, type(error).__name__)
        return UnavailableError(f"PowerSchool {kind}", method=method, path=path, may_have_been_applied=not idempotent)

    def _wait_before_retry(self, failure, attempt):
        if isinstance(failure, ThrottledError):
            self._pause_everyone(failure)
            return
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
        # Half fixed, half random: spreads out the processes that all failed at the same moment.
        wait = ceiling / 2 + self.jitter() * ceiling / 2
        logger.info("PowerSchool %s %s: retrying in %.1fs (%s)", failure.method, failure.path, wait, failure.category)
        self.sleep(wait)

    def _pause_everyone(self, failure):
        """PowerSchool's wait holds back every caller of every process; the next call (this one's retry
        included) waits it out. A long wait goes back to the caller's schedule."""
        wait = failure.retry_after if failure.retry_after is not None else DEFAULT_THROTTLE_WAIT_SECONDS
        shared = self.gate.pause(wait)
        if wait > MAX_THROTTLE_WAIT_SECONDS:
            raise failure
        logger.info("PowerSchool %s %s: throttled, everyone waits %.1fs", failure.method, failure.path, wait)
        if not shared:
            self.sleep(wait)

    # --- the token, shared through the database ----------------------------------------------------
    def token(self):
        """A usable bearer token: the cached one, one another process cached meanwhile, or a new one."""
        return self.connection.usable_token() or self._renew_token(rejected=None)

    def _renew_token(self, rejected):
        """A usable token other than `rejected`. One caller of all threads and processes asks PowerSchool for it
        at a time; the others wait for the token it stores, so a hundred calls that find the token expired
        (or refused) make one token request, not a hundred."""
        hold = self.timeout * (self.max_retries + 1)
        waited = 0.0
        with _renewal_lock(self.connection.pk):
            while True:
                self.connection.reload_token()
                fresh = self.connection.usable_token()
                if fresh and fresh != rejected:
                    return fresh
                # A renewal whose holder died lapses after `hold`.
                if waited >= hold or self.gate.renewal_take(hold):
                    try:
                        return self.request_new_token()
                    finally:
                        self.gate.renewal_end()
                self.sleep(TOKEN_LOOK_SECONDS)
                waited += TOKEN_LOOK_SECONDS

    def request_new_token(self):
        """A fresh token from the client ID and secret (also proves they work), cached for every process."""
        attempt = 0
        while True:
            try:
                return self._token_exchange()
            except (UnavailableError, ThrottledError) as failure:
                if attempt >= self.max_retries:
                    raise
                self._wait_before_retry(failure, attempt)
                attempt += 1

    def _token_exchange(self):
        try:
            with self.gate.call():
                response = self.http.post(
                    self.base_url + TOKEN_PATH,
                    data={"grant_type": "client_credentials"},
                    auth=(self.connection.client_id, self.connection.client_secret),
                    headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
                    timeout=self.timeout,
                )
        except requests.RequestException as error:
            raise self._transport_error("POST", TOKEN_PATH, error, idempotent=True) from None
        if response.status_code in (400, 401, 403):
            raise AuthError(
                "PowerSchool refused the client ID and secret",
                method="POST",
                path=TOKEN_PATH,
                status=response.status_code,
            )
        if response.status_code >= 400:
            raise error_for_response(response, "POST", TOKEN_PATH)
        payload = _json_of(response, "POST", TOKEN_PATH) or {}
        token, lifetime = payload.get("access_token"), _seconds(payload.get("expires_in"))
        if not token or lifetime is None:
            raise UnexpectedResponseError(
                "The token answer has no access_token or expires_in",
                method="POST",
                path=TOKEN_PATH,
                status=response.status_code,
            )
        self.connection.store_token(token, lifetime)
        return token


def environment_session(base_url, pool_size=DEFAULT_POOL_SIZE):
    """A requests session that honours the proxy and CA-bundle variables of the environment, read once, and
    keeps up to `pool_size` connections open (one per call the district allows at once).

    requests reads them (and ~/.netrc) again on every request; for a write-back that is a few milliseconds per
    intent. One district's PowerSchool is one host, so what applies to its URL now applies to every request."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    environment = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies.update(environment["proxies"])
    session.verify = environment["verify"]
    session.trust_env = False
    return session


def _seconds(value):
    """`expires_in` arrives as a string ("2504956") from real servers and as a number from some others."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def decoded(content):
    """A JSON answer's value: orjson decodes PowerSchool's pages in half the time json takes."""
    return orjson.loads(content)


def _json_of(response, method, path):
    if response.status_code == 204 or not response.content:
        return None
    try:
        return decoded(response.content)
    except ValueError:
        raise UnexpectedResponseError(
            "The answer is not JSON", method=method, path=path, status=response.status_code
        ) from None


def error_for_response(response, method, path):
    """The typed error for an HTTP error answer."""
    status = response.status_code
    body = _error_body(response)
    where = {"method": method, "path": path, "status": status}
    access_fields = _fields_without_access(body)
    if access_fields or status == 403:
        return AccessError(body.get("message") or "The plugin has no access", fields=access_fields, **where)
    if status == 400:
        return RecordValidationError(error_messages(body), body=body, **where)
    if status == 401:
        return AuthError("PowerSchool refused the token", **where)
    if status == 404:
        return NotFoundError(body.get("message") or "Not found", **where)
    if status == 409:
        return ConflictError(body.get("message") or "Conflict", **where)
    if status == 429:
        return ThrottledError("PowerSchool asked to slow down", retry_after=_retry_after(response, body), **where)
    if status >= 500:
        return UnavailableError("PowerSchool answered with a server error", **where)
    return PowerSchoolError(body.get("message") or "Unexpected answer", **where)


def _error_body(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _fields_without_access(body):
    return [
        error["field"]
        for error in as_list(body.get("errors"))
        if isinstance(error, dict) and error.get("field") and ACCESS_ERROR_CODES.search(str(error.get("code", "")))
    ]


def _retry_after(response, body):
    header = response.headers.get("Retry-After")
    if header:
        # An HTTP-date instead of seconds is legal too; then the message's "wait N seconds" is the best guide.
        with contextlib.suppress(ValueError):
            return max(0.0, float(header))
    found = WAIT_SECONDS_IN_MESSAGE.search(str(body.get("message", "")))
    return float(found.group(1)) if found else None
