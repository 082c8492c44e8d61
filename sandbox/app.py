"""The sandbox's one request handler, shared by the HTTP server and the `responses` transport.

Order of work for a request: route it (404/405), then for PowerSchool paths (`/ws/`, `/oauth/`) apply the
injected faults, check the bearer token (`/ws/` only), apply the plugin's throttle, and call the view.
`/_sandbox/` paths skip faults, auth and throttling: they are how a test or a trainer looks behind the curtain.
"""

import logging
import re
import time

from sandbox.api import attendance, contacts, control, dataversion, oauth, powerquery, table, v1
from sandbox.api import faults as faults_api
from sandbox.context import Context
from sandbox.faults import DroppedConnection, Faults, NoAnswer
from sandbox.http import HttpError, Response
from sandbox.paging import PageCursors
from sandbox.throttle import Throttle

logger = logging.getLogger(__name__)

API_MODULES = (oauth, v1, contacts, faults_api, control, table, powerquery, attendance, dataversion)
# Reachable without a token (powerschool-api.md §2.5); metadata then answers with less.
PUBLIC_PATHS = {"/ws/v1/time", "/ws/v1/metadata"}


def load_routes():
    return [(method, re.compile(pattern), view) for module in API_MODULES for method, pattern, view in module.ROUTES]


class SandboxApp:
    def __init__(self, store, faults=None, rng_seed=0, clock=time.time):
        self.store = store
        self.faults = faults if isinstance(faults, Faults) else Faults(faults, rng_seed=rng_seed)
        self.clock = clock
        self.started_at = clock()
        self.throttle = Throttle()
        self.page_cursors = PageCursors()
        self.routes = load_routes()
        if self.faults.spec.revoke_tokens:
            oauth.tokens_revoke(store)

    def handle(self, request):
        """The response to a request; may raise faults.NoAnswer or faults.DroppedConnection for the transport."""
        try:
            return self._handle(request)
        except (NoAnswer, DroppedConnection):
            raise
        except Exception:
            logger.exception("Sandbox failed on %s %s", request.method, request.path)
            return Response.message(500, "An unexpected error occurred. Please try again later.")

    def _handle(self, request):
        try:
            view, groups = self._route(request)
        except HttpError as error:
            return error.response
        ctx = Context(self.store, request, faults=self.faults, clock=self.clock, app=self)
        if request.path.startswith("/_sandbox/"):
            return _call(view, ctx, request, groups)
        fault = self.faults.before_handling(request)
        if fault is not None:
            return fault
        response = self._checked(ctx, request) or _call(view, ctx, request, groups)
        self.faults.after_handling(request, response)
        return response

    def _checked(self, ctx, request):
        """The 401 or 429 response when the token or the throttle refuses the call, else None."""
        if not request.path.startswith("/ws/"):
            return None
        problem = oauth.bearer_problem(ctx, request)
        ctx.authenticated = problem is None
        if problem:
            return None if request.path in PUBLIC_PATHS else oauth.unauthorized(problem)
        return self.throttle.check(self._throttle_ms(ctx), self.clock())

    def _route(self, request):
        allowed = []
        for method, pattern, view in self.routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if method == request.method:
                return view, match.groupdict()
            allowed.append(method)
        if allowed:
            raise HttpError(
                Response.message(405, f"Method {request.method} is not allowed", {"Allow": ", ".join(allowed)})
            )
        raise HttpError(Response.message(404, f"The resource {request.path} was not found"))

    def _throttle_ms(self, ctx):
        plugin_ms = (ctx.plugin or {}).get("min_request_interval_ms") or 0
        return max(plugin_ms, self.faults.spec.throttle_ms)


def _call(view, ctx, request, groups):
    try:
        return view(ctx, request, **groups)
    except HttpError as error:
        return error.response
    except ValueError as error:
        return Response.message(400, str(error))
