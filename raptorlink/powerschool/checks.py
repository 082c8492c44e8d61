"""Is this district's PowerSchool connection usable? Each check in plain words, with the fix.

Used by `manage.py check_powerschool` and reusable by an admin "Test connection" button. The checks run
in order and stop at the first one the rest depend on (no point testing field access without a token).
"""

from dataclasses import dataclass

from raptorlink.powerschool.access import FULL_ACCESS, grants, required_access
from raptorlink.powerschool.client import PowerSchoolClient
from raptorlink.powerschool.errors import PLUGIN_PAGE, AccessError, AuthError, PowerSchoolError, UnavailableError
from raptorlink.powerschool.records import BATCH_ATTENDANCE_SINCE, CONTACTS_API_SINCE, DATA_VERSION_SINCE
from raptorlink.validators import powerschool_url_problem

V1_ACCESS_LEVEL_SINCE = (25, 2)
REINSTALL = (
    "Download the plugin.xml from RaptorLink (manage.py plugin_xml --district SLUG), reinstall it in PowerSchool "
    "and approve the field access."
)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    message: str
    fix: str = ""


def check_connection(connection, **client_options):
    """Run every check against one PowerSchoolConnection; returns the list of CheckResults in order."""
    problem = powerschool_url_problem(connection.base_url)
    if problem:
        return [CheckResult("URL", False, f"The PowerSchool URL “{connection.base_url}” is not usable.", problem)]
    results = [CheckResult("URL", True, f"The PowerSchool URL {connection.base_url} is well formed.")]
    client = PowerSchoolClient(connection, **client_options)
    for check in (check_reachable, check_credentials):
        result = check(client)
        results.append(result)
        if not result.ok:
            return results
    results.append(check_field_access(client))
    version_result, metadata = check_version(client)
    results.append(version_result)
    if metadata is not None and metadata.version >= V1_ACCESS_LEVEL_SINCE:
        results.append(check_v1_access(client))
    return results


def check_reachable(client):
    """GET /ws/v1/time without a token: is there a PowerSchool at this address?"""
    name = "Reachable"
    try:
        answer = client.server_time()
    except UnavailableError as error:
        return CheckResult(
            name,
            False,
            f"PowerSchool did not answer: {error}.",
            "Check the server name in the URL, that the server is up, and that this server may reach "
            "it (firewall, proxy).",
        )
    except PowerSchoolError as error:
        return CheckResult(name, False, f"The address answered, but not like PowerSchool: {error}.", error.hint)
    if "timestamp" not in answer and "time" not in answer:
        return CheckResult(
            name,
            False,
            "The address answered, but not like PowerSchool.",
            "Use the address you log in to PowerSchool with, e.g. https://yourdistrict.powerschool.com.",
        )
    return CheckResult(name, True, f"PowerSchool answers (server time {answer.get('time', answer.get('timestamp'))}).")


def check_credentials(client):
    """POST /oauth/access_token: do the client ID and secret get a token?"""
    name = "Credentials"
    try:
        client.session.request_new_token()
    except AuthError:
        return CheckResult(
            name,
            False,
            "PowerSchool refused the client ID and secret: either they are wrong, or the plugin is disabled.",
            f"In PowerSchool open {PLUGIN_PAGE} → Data Provider Configuration: check that the plugin is enabled and "
            "copy its Client ID and Client Secret into PowerSchool Setup in RaptorLink.",
        )
    except PowerSchoolError as error:
        return CheckResult(name, False, f"Could not get a token: {error}.", error.hint)
    return CheckResult(name, True, "The client ID and secret are accepted.")


def check_field_access(client):
    """GET /ws/schema/table/{table}/metadata?expansions=access for every table RaptorLink uses."""
    name = "Plugin field access"
    missing = []
    for table, fields in required_access().items():
        try:
            granted = client.table_access(table)
        except AccessError:
            granted = {}
        missing += [
            _describe(table, field, needed)
            for field, needed in fields.items()
            if not grants(granted.get(field), needed)
        ]
    if missing:
        return CheckResult(
            name, False, f"The plugin lacks access to {len(missing)} field(s): {', '.join(missing)}.", REINSTALL
        )
    return CheckResult(name, True, "The plugin has access to every field RaptorLink reads and writes.")


def _describe(table, field, needed):
    suffix = " (Full Access)" if needed == FULL_ACCESS else ""
    return f"{table.upper()}.{field.upper()}{suffix}"


def check_version(client):
    """GET /ws/v1/metadata: the PowerSchool version and what it allows. Returns (result, metadata or None)."""
    name = "PowerSchool version"
    try:
        metadata = client.metadata()
    except PowerSchoolError as error:
        return CheckResult(name, False, f"Could not read the PowerSchool version: {error}.", error.hint), None
    features = [
        _feature("batch attendance write-back", metadata.has_batch_attendance, BATCH_ATTENDANCE_SINCE),
        _feature("Contacts API", metadata.has_contacts_api, CONTACTS_API_SINCE),
        _feature("delta sync", metadata.has_data_version, DATA_VERSION_SINCE),
    ]
    version = metadata.powerschool_version or "unknown"
    return CheckResult(name, True, f"PowerSchool {version}: {'; '.join(features)}."), metadata


def _feature(label, available, since):
    since_text = ".".join(str(part) for part in since)
    return f"{label} {'available' if available else f'not available (needs {since_text}+)'}"


def check_v1_access(client):
    """GET /ws/v1/district: on 25.2+ the plugin's "Access Level for v1 APIs" must be Full Access."""
    name = "v1 API access level"
    try:
        client.district()
    except AccessError:
        return CheckResult(
            name,
            False,
            "PowerSchool refuses the v1 API (students, schools) to the plugin.",
            f"Set Access Level for v1 APIs to Full Access in the plugin's Data Provider Configuration ({PLUGIN_PAGE}).",
        )
    except PowerSchoolError as error:
        return CheckResult(name, False, f"The v1 API failed: {error}.", error.hint)
    return CheckResult(name, True, "The v1 API answers with full access.")
