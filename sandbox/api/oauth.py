"""OAuth 2.0 client credentials (powerschool-api.md §2): issuing access tokens and checking bearer tokens."""

import base64
import binascii
import uuid
from urllib.parse import parse_qs

from sandbox.http import Response

EXPIRED = "The access token has expired"
INVALID = "The access token is invalid"


def access_token(ctx, request):
    client_id, client_secret = _client_credentials(request)
    plugin = ctx.plugin
    authenticated = (
        plugin is not None
        and plugin["enabled"]
        and client_id == plugin["client_id"]
        and client_secret == plugin["client_secret"]
    )
    if not authenticated:
        return Response.json({"error": "invalid_client", "error_description": "Client authentication failed"}, 401)
    if _form(request).get("grant_type") != "client_credentials":
        return Response.json({"error": "unsupported_grant_type"}, 400)
    token, expires_at = token_issue(ctx.store, plugin, ctx.clock())
    expires_in = max(0, int(expires_at - ctx.clock()))
    return Response.json(
        {"access_token": token, "token_type": "Bearer", "expires_in": str(expires_in)},
        headers={"Cache-Control": "no-store"},
    )


def token_issue(store, plugin, now):
    """A token and its expiry: the live one when the plugin reuses tokens, else a new one."""
    with store.transaction() as conn:
        if plugin["reuse_token"]:
            live = conn.execute(
                "SELECT token, expires_at FROM sandbox_token WHERE revoked = 0 AND expires_at > ? "
                "ORDER BY expires_at DESC LIMIT 1",
                (now + 1,),
            ).fetchone()
            if live:
                return live["token"], live["expires_at"]
        token = str(uuid.uuid4())
        expires_at = now + plugin["token_lifetime_s"]
        conn.execute("INSERT INTO sandbox_token (token, expires_at) VALUES (?, ?)", (token, expires_at))
    return token, expires_at


def tokens_revoke(store):
    """Every token issued so far stops working (what regenerating the client secret does)."""
    with store.transaction() as conn:
        conn.execute("UPDATE sandbox_token SET revoked = 1")


def bearer_problem(ctx, request):
    """None when the request carries a usable bearer token, else the description of what is wrong."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return INVALID
    row = ctx.store.query_one("SELECT expires_at, revoked FROM sandbox_token WHERE token = ?", (token.strip(),))
    plugin = ctx.plugin
    if row is None or row["revoked"] or plugin is None or not plugin["enabled"]:
        return INVALID
    if row["expires_at"] <= ctx.clock():
        return EXPIRED
    return None


def unauthorized(description):
    challenge = f'Bearer error="invalid_token",realm="PowerSchool",error_description="{description}"'
    return Response.json(
        {"error": "invalid_token", "error_description": description}, 401, {"WWW-Authenticate": challenge}
    )


def _client_credentials(request):
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    form = _form(request)
    return form.get("client_id"), form.get("client_secret")


def _form(request):
    try:
        text = request.body.decode()
    except UnicodeDecodeError:
        return {}
    return {name: values[-1] for name, values in parse_qs(text).items()}


ROUTES = [
    ("POST", r"/oauth/access_token/?", access_token),
]
