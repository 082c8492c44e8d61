"""Field-level plugin access, as PowerSchool enforces a plugin.xml's <access_request>.

Reading a column needs ViewOnly or FullAccess; writing needs FullAccess. A refusal is the "Validation Failed"
body a real server sends (powerschool-api.md §3.1), listing every field that is missing, so a client can show
a district administrator the whole list at once instead of one field per attempt.
"""

from sandbox import schema
from sandbox.http import HttpError, Response

VIEW_ONLY = "ViewOnly"
FULL_ACCESS = "FullAccess"
NO_ACCESS = "NoAccess"
READABLE = (VIEW_ONLY, FULL_ACCESS)


def column_access(store, table):
    """Every column of the table with its access level, NoAccess for those the plugin never requested."""
    granted = granted_fields(store, table)
    return {column: granted.get(column, NO_ACCESS) for column in schema.columns(table)}


def readable_columns(store, table):
    return [column for column, access in column_access(store, table).items() if access in READABLE]


def require_read(store, resource, fields):
    """Refuse unless every `(table, column)` pair is at least ViewOnly."""
    _require(store, resource, fields, READABLE)


def require_write(store, resource, fields):
    """Refuse unless every `(table, column)` pair is FullAccess."""
    _require(store, resource, fields, (FULL_ACCESS,))


def missing_fields(store, fields, levels):
    """The `(table, column)` pairs whose granted access is not one of `levels`, in the order given."""
    grants, missing = {}, []
    for table, column in fields:
        if table not in grants:
            grants[table] = granted_fields(store, table)
        if grants[table].get(column) not in levels and (table, column) not in missing:
            missing.append((table, column))
    return missing


def validation_failed(resource, missing):
    errors = [
        {"resource": resource, "field": f"{table}.{column}", "code": "No access to the field"}
        for table, column in missing
    ]
    return Response.json({"message": "Validation Failed", "errors": errors}, 403)


def _require(store, resource, fields, levels):
    missing = missing_fields(store, fields, levels)
    if missing:
        raise HttpError(validation_failed(resource, missing))


def granted_fields(store, table):
    """The plugin's grants for one table: {column: access}, names lower-case as plugin.xml is case-insensitive."""
    rows = store.query("SELECT field_name, access FROM sandbox_field_access WHERE lower(table_name) = ?", (table,))
    return {row["field_name"].lower(): row["access"] for row in rows}
