"""`GET/PUT /_sandbox/faults`: read or replace the injected faults while the sandbox serves.

PUT takes either a JSON object of fault keys (`{"error_rate": 0.2, "latency_ms": 300}`) or the spec text
(`error_rate=0.2,latency_ms=300`); it replaces the whole spec, so `{}` or an empty body clears every fault.
"""

import json

from sandbox.api import oauth
from sandbox.faults import FaultSpec
from sandbox.http import Response


def faults_view(ctx, request):
    return _describe(ctx.faults.spec)


def faults_replace_view(ctx, request):
    spec = _spec_from_body(request.body)
    ctx.faults.replace(spec)
    if spec.revoke_tokens:
        oauth.tokens_revoke(ctx.store)
    return _describe(spec)


def _spec_from_body(body):
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"The faults body is not valid JSON: {error}") from error
        return FaultSpec.from_mapping(values)
    return FaultSpec.parse(text)


def _describe(spec):
    return Response.json({"spec": spec.text(), **spec.as_dict()})


ROUTES = [
    ("GET", r"/_sandbox/faults", faults_view),
    ("PUT", r"/_sandbox/faults", faults_replace_view),
]
