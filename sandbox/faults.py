"""Fault injection: the ways a hosted PowerSchool misbehaves, on demand and reproducibly (a seeded rng).

A fault spec is a comma-separated list of `key=value` pairs, e.g.
`error_rate=0.2,latency_ms=300,timeout_rate=0.1,drop_after_write_rate=0.5,revoke_tokens=1,throttle_ms=1000`.

Keys (all optional; an empty spec means no faults):
- `error_rate` (0–1): share of requests answered 500, 502 or 503 before they are handled (nothing changes).
- `latency_ms` (≥0): delay added to every request.
- `timeout_rate` (0–1): share of requests never answered (nothing changes); the HTTP server holds the
  connection for `hold_ms` then closes it, the `responses` transport raises `requests.exceptions.ReadTimeout`.
- `hold_ms` (≥0, default 30000): how long an unanswered connection is held open.
- `drop_after_write_rate` (0–1): share of writes (POST/PUT/PATCH/DELETE under /ws/) whose change is committed
  but whose connection is then dropped without an answer (`requests.exceptions.ConnectionError`), the case
  that makes a client retry a write that already happened.
- `revoke_tokens` (0/1): when the spec is applied, every access token issued so far stops working.
- `throttle_ms` (≥0): a minimum interval between API calls, on top of the plugin's own setting.

Faults apply to `/ws/` and `/oauth/` only, never to the sandbox's own `/_sandbox/` routes.
"""

import random
import threading
import time
from dataclasses import asdict, dataclass, fields

from sandbox.http import Response

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_STATUSES = (500, 502, 503)
RATE_KEYS = {"error_rate", "timeout_rate", "drop_after_write_rate"}
FLAG_KEYS = {"revoke_tokens"}


class NoAnswer(Exception):
    """The transport must not answer: hold the connection for `hold_s` seconds, then close it."""

    def __init__(self, hold_s):
        super().__init__(f"no answer for {hold_s}s")
        self.hold_s = hold_s


class DroppedConnection(Exception):
    """The request was handled (and any write committed) but the transport must drop the connection."""


@dataclass(frozen=True)
class FaultSpec:
    error_rate: float = 0.0
    latency_ms: int = 0
    timeout_rate: float = 0.0
    hold_ms: int = 30000
    drop_after_write_rate: float = 0.0
    revoke_tokens: bool = False
    throttle_ms: int = 0

    @classmethod
    def parse(cls, text):
        """A spec from its text form; ValueError naming the offending part when it is malformed."""
        values = {}
        for part in (text or "").split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, raw = part.partition("=")
            if not sep:
                raise ValueError(f"Fault {part!r} needs a value, e.g. {part}=1")
            values[key.strip()] = raw.strip()
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values):
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"Unknown fault key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}")
        return cls(**{key: _convert(key, value) for key, value in values.items()})

    def as_dict(self):
        return asdict(self)

    def text(self):
        """The spec's text form, listing only the keys that differ from no-faults."""
        default = FaultSpec()
        parts = []
        for key, value in asdict(self).items():
            if value != getattr(default, key):
                parts.append(f"{key}={int(value) if isinstance(value, bool) else value}")
        return ",".join(parts)


def _convert(key, value):
    try:
        if key in FLAG_KEYS:
            number = int(value)
            if number not in (0, 1):
                raise ValueError
            return bool(number)
        if key in RATE_KEYS:
            number = float(value)
            if not 0 <= number <= 1:
                raise ValueError
            return number
        number = int(value)
        if number < 0:
            raise ValueError
        return number
    except (TypeError, ValueError):
        expected = (
            "0 or 1" if key in FLAG_KEYS else "a number from 0 to 1" if key in RATE_KEYS else "a whole number ≥ 0"
        )
        raise ValueError(f"Fault {key}={value!r} is invalid: expected {expected}") from None


class Faults:
    """The live fault settings of one sandbox, changeable while it serves."""

    def __init__(self, spec=None, rng_seed=0, sleep=time.sleep):
        self._spec = spec if isinstance(spec, FaultSpec) else FaultSpec.parse(spec or "")
        self._rng = random.Random(rng_seed)
        self._lock = threading.Lock()
        self._sleep = sleep

    @property
    def spec(self):
        return self._spec

    def replace(self, spec):
        self._spec = spec

    def before_handling(self, request):
        """Delay, then either raise NoAnswer, return a 5xx response, or return None to handle the request."""
        spec = self._spec
        if spec.latency_ms:
            self._sleep(spec.latency_ms / 1000)
        if self._roll(spec.timeout_rate):
            raise NoAnswer(spec.hold_ms / 1000)
        if self._roll(spec.error_rate):
            return _server_error(self._choose(ERROR_STATUSES))
        return None

    def after_handling(self, request, response):
        """Raise DroppedConnection for a share of successful writes, after they were committed."""
        is_write = request.method in WRITE_METHODS and request.path.startswith("/ws/")
        if is_write and response.status < 400 and self._roll(self._spec.drop_after_write_rate):
            raise DroppedConnection(f"{request.method} {request.path}")

    def _roll(self, rate):
        if not rate:
            return False
        with self._lock:
            return self._rng.random() < rate

    def _choose(self, options):
        with self._lock:
            return self._rng.choice(options)


def _server_error(status):
    if status == 500:
        return Response.message(500, "An unexpected error occurred. Please try again later.")
    # A load balancer in front of a hosted instance answers these, in HTML, not PowerSchool itself.
    reason = "Bad Gateway" if status == 502 else "Service Temporarily Unavailable"
    body = f"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>"
    return Response(status, body.encode(), {"Content-Type": "text/html"})
