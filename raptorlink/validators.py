"""Rules for what districts type in: the PowerSchool URL (as PowerSchool's own setup pages check it) and the
attendance comment template, with one plain message per mistake."""

import ipaddress
from string import Formatter
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
EXAMPLE = "https://yourdistrict.powerschool.com"


def powerschool_url_problem(url):
    """Why `url` is not a usable PowerSchool base URL, or None when it is."""
    url = (url or "").strip()
    if not url:
        return "Enter the PowerSchool URL, e.g. " + EXAMPLE + "."
    if any(char.isspace() for char in url):
        return "The PowerSchool URL must not contain spaces."
    if "://" not in url:
        return f"Start the URL with https:// — e.g. https://{url.rstrip('/')}."
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    is_local = host in LOCAL_HOSTS or parts.netloc.split(":")[0].lower() in LOCAL_HOSTS
    if parts.scheme not in ("https", "http"):
        return "The PowerSchool URL must start with https://."
    if parts.scheme == "http" and not is_local:
        return "Use https:// — PowerSchool only accepts secure connections (http:// is allowed for localhost only)."
    if not host:
        return "The PowerSchool URL has no server name, e.g. " + EXAMPLE + "."
    if parts.username or parts.password:
        return "Remove the user name and password from the URL; enter the client ID and secret in their own fields."
    if parts.query or parts.fragment:
        return "Remove everything after the server name (the part starting with ? or #)."
    if parts.path == "/":
        return f"Remove the trailing slash: use {parts.scheme}://{parts.netloc}"
    if parts.path:
        return f"Use only the server address, without a path such as “{parts.path}”: {parts.scheme}://{parts.netloc}"
    if not _port_is_valid(parts):
        return "The port in the PowerSchool URL is not a number."
    if not is_local and "." not in host:
        return "The server name looks incomplete, e.g. " + EXAMPLE + "."
    return None


def _port_is_valid(parts):
    try:
        return parts.port is None or parts.port > 0
    except ValueError:
        return False


def validate_powerschool_url(url):
    problem = powerschool_url_problem(url)
    if problem:
        raise ValidationError(problem, code="invalid_powerschool_url")


COMMENT_PLACEHOLDERS = ("kind", "time", "date", "reason", "source", "reference", "note")


def comment_template_problem(template):
    """Why `template` cannot render an attendance comment, or None when it can."""
    try:
        fields = [field for _, field, _, _ in Formatter().parse(template) if field is not None]
    except ValueError:
        return "A { or } is not closed; write {{ or }} for a literal brace."
    unknown = [field for field in fields if field not in COMMENT_PLACEHOLDERS]
    if unknown:
        allowed = " ".join(f"{{{name}}}" for name in COMMENT_PLACEHOLDERS)
        return f"Unknown placeholder {{{unknown[0]}}}; use only {allowed}."
    return None


def validate_comment_template(template):
    problem = comment_template_problem(template)
    if problem:
        raise ValidationError(problem, code="invalid_comment_template")


def _network_entries(text):
    return [entry.strip() for line in (text or "").splitlines() for entry in line.split(",") if entry.strip()]


def parse_networks(text):
    """The IP networks of an allowlist, one per line or separated by commas; a single address is a /32 (or /128)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in _network_entries(text)]


def validate_networks(text):
    problems = []
    for entry in _network_entries(text):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            problems.append(f"“{entry}” is not an IP address or network such as 10.20.0.0/16.")
    if problems:
        raise ValidationError(problems)
