"""PowerSchool's "Minimum time interval (ms) between API requests per plugin".

A call inside the window is rejected and does not move the window, so a client that keeps hammering still
gets through once the interval since its last accepted call has passed.
"""

import math
import threading

from sandbox.http import Response


class Throttle:
    def __init__(self):
        self._last_accepted = None
        self._lock = threading.Lock()

    def check(self, interval_ms, now):
        """None when the call may proceed (and it is recorded), else the 429 response to send."""
        with self._lock:
            if interval_ms and self._last_accepted is not None:
                remaining = self._last_accepted + interval_ms / 1000 - now
                if remaining > 0:
                    return too_many_requests(remaining)
            self._last_accepted = now
            return None


def too_many_requests(remaining_s):
    wait = max(1, math.ceil(remaining_s))
    text = f"Too many requests. Please wait {wait} seconds before making another request."
    return Response.message(429, text, {"Retry-After": str(wait)})
