"""Delta pulls, `GET /ws/dataversion/{application}/{version}` (powerschool-api.md §15).

Lists the DCIDs changed after `version` in the tables the plugin can read, and the version to ask with next.
Deleted rows are not listed (a real delta pull does not report deletions either); version 0 lists every
current row of those tables, one integer per row, which stays small even for a large district.
"""

from sandbox import access, schema
from sandbox.http import HttpError, Response


def changes_since(ctx, request, application, version):
    if not ctx.profile.has_dataversion:
        raise HttpError(Response.message(404, f"The resource {request.path} was not found"))
    if application != ctx.plugin["dataversion_app"]:
        raise HttpError(Response.message(404, f"No data version application named {application} for this plugin"))
    since = _version(version)
    current = ctx.store.current_dataversion()
    tables = readable_tables(ctx.store)
    changed = every_row(ctx.store, tables) if since == 0 else changed_rows(ctx.store, tables, since)
    return Response.json({"$dataversion": str(current), "tables": changed})


def readable_tables(store):
    return [table for table in schema.POWERSCHOOL_TABLES if access.readable_columns(store, table)]


def every_row(store, tables):
    found = {}
    for table in tables:
        dcids = [row["dcid"] for row in store.query(f"SELECT dcid FROM {table} ORDER BY dcid")]
        if dcids:
            found[table] = dcids
    return found


def changed_rows(store, tables, since):
    """DCIDs whose latest change after `since` was not a delete, in the order they last changed."""
    latest = store.query(
        "SELECT table_name, dcid, operation, MAX(version) AS version FROM sandbox_dataversion "
        "WHERE version > ? GROUP BY table_name, dcid ORDER BY version",
        (since,),
    )
    found = {}
    for row in latest:
        if row["table_name"] in tables and row["operation"] != "DELETE":
            found.setdefault(row["table_name"], []).append(row["dcid"])
    return found


def _version(version):
    try:
        since = int(version)
    except ValueError:
        raise ValueError(f"The data version must be a whole number, got '{version}'") from None
    if since < 0:
        raise ValueError("The data version must not be negative")
    return since


ROUTES = [
    ("GET", r"/ws/dataversion/(?P<application>[^/]+)/(?P<version>[^/]+)", changes_since),
]
