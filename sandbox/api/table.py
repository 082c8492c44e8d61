"""The table API, `/ws/schema/table/{table}` (powerschool-api.md §6).

Reads work for every PowerSchool table, column by column as the plugin is granted them. Writes are limited
to what a real server lets a plugin change: ATTENDANCE_TIME rows, and deleting attendance; ATTENDANCE itself
is written through /ws/attendance, which runs PowerSchool's attendance rules.
"""

from sandbox import access, fiql, rows, schema
from sandbox.http import HttpError, Response

INSERTABLE = {"attendance_time"}
DELETABLE = {"attendance", "attendance_time"}
# Deleting a row needs FullAccess on the fields that make it up; keys are never granted more than ViewOnly.
DELETE_FIELDS = {
    "attendance": ("studentid", "schoolid", "yearid", "att_date", "att_mode_code", "attendance_codeid"),
    "attendance_time": ("attendanceid", "time_in", "time_out"),
}
TABLE = r"/ws/schema/table/(?P<table>[A-Za-z0-9_]+)"
KEY = r"(?P<key>(?!count$|metadata$)[^/]+)"


def list_rows(ctx, request, table):
    table = known_table(table)
    projection = projected_columns(ctx.store, table, request.query.get("projection"))
    where, params = readable_filter(ctx.store, table, request.query.get("q"))
    order = sort_order(ctx.store, table, request.query)
    limit, offset = page_window(request.query, ctx.plugin["max_table_page_size"])
    if request.query.get("sort"):
        found = ctx.store.query(
            f"SELECT * FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
        )
    else:
        found = rows_by_key_order(ctx, table, where, params, order, limit, offset)
    records = [rows.table_record(table, row, projection) for row in found]
    return Response.json({"name": rows.display_name(table), "record": records, "@extensions": ""})


def rows_by_key_order(ctx, table, where, params, order, limit, offset):
    """A page in primary-key order, continuing from where the previous page ended when that is known."""
    key = schema.primary_key(table)
    page = offset // limit + 1 if limit else 1
    query = (table, where, tuple(params), order, limit)
    token = ctx.store.change_token()
    after = ctx.app.page_cursors.start_after(query, page, token) if ctx.app else None
    if after is None:
        sql, values = f"SELECT * FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
    else:
        comparison = "<" if order.endswith("DESC") else ">"
        sql = f"SELECT * FROM {table} WHERE ({where}) AND {key} {comparison} ? ORDER BY {order} LIMIT ?"
        values = [*params, after, limit]
    found = ctx.store.query(sql, values)
    if found and ctx.app:
        ctx.app.page_cursors.remember(query, page, token, found[-1][key])
    return found


def count_rows(ctx, request, table):
    table = known_table(table)
    where, params = readable_filter(ctx.store, table, request.query.get("q"))
    found = ctx.store.query_one(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", params)
    return Response.json({"count": found["n"]})


def metadata(ctx, request, table):
    table = known_table(table)
    with_access = "access" in [item.strip() for item in request.query.get("expansions", "").split(",")]
    levels = access.column_access(ctx.store, table)
    columns = []
    for column, column_type in rows.column_types(table).items():
        entry = {"name": column, "type": column_type}
        if with_access:
            entry["access"] = levels[column]
        columns.append(entry)
    return Response.json(
        {"name": rows.display_name(table), "table": table, "primary_key": schema.primary_key(table), "columns": columns}
    )


def get_row(ctx, request, table, key):
    table = known_table(table)
    projection = projected_columns(ctx.store, table, request.query.get("projection"))
    row = existing_row(ctx.store, table, key)
    return Response.json(rows.table_record(table, row, projection))


def insert_row(ctx, request, table):
    table = known_table(table)
    refuse_unless_insertable(table)
    values = rows.coerce_values(table, body_values(request, table))
    if schema.primary_key(table) in values:
        _refuse_existing_key(ctx.store, table, values.pop(schema.primary_key(table)))
    values.pop("dcid", None)
    values.pop("id", None)
    access.require_write(ctx.store, table, [(table, column) for column in values])
    check_references(ctx.store, table, values)
    with ctx.store.transaction() as conn:
        key = rows.insert_row(conn, table, values)
    return Response.json(rows.write_result("INSERT", key, record_ref(ctx, table, key)))


def insert_with_key(ctx, request, table, key):
    known_table(table)
    raise HttpError(
        Response.message(
            404,
            f"A record id in the path means an existing record. Use PUT to update existing records: PUT /ws/schema/table/{table}/{key}",
        )
    )


def update_row(ctx, request, table, key):
    table = known_table(table)
    refuse_unless_insertable(table)
    row = _row_for_update(ctx.store, table, key)
    values = rows.coerce_values(table, body_values(request, table))
    for column in (schema.primary_key(table), "dcid", "id"):
        values.pop(column, None)
    access.require_write(ctx.store, table, [(table, column) for column in values])
    check_references(ctx.store, table, values)
    record_key = row[schema.primary_key(table)]
    with ctx.store.transaction() as conn:
        rows.update_row(conn, table, record_key, values)
    return Response.json(rows.write_result("UPDATE", record_key, record_ref(ctx, table, record_key)))


def update_without_key(ctx, request, table):
    known_table(table)
    raise HttpError(
        Response.message(
            404, f"No record id in the path. Use POST to insert a new record: POST /ws/schema/table/{table}"
        )
    )


def delete_row(ctx, request, table, key):
    table = known_table(table)
    if table not in DELETABLE:
        raise HttpError(Response.message(403, f"Records of {table} cannot be deleted through the table API"))
    row = existing_row(ctx.store, table, key)
    access.require_write(ctx.store, table, [(table, column) for column in DELETE_FIELDS[table]])
    if table == "attendance" and row["att_mode_code"] == "ATT_ModeTime":
        raise HttpError(
            Response.message(403, "Time attendance records cannot be deleted, only zeroed: set total_minutes to 0")
        )
    with ctx.store.transaction() as conn:
        if table == "attendance":
            _delete_attendance_times(conn, row["id"])
        rows.delete_row(conn, table, row[schema.primary_key(table)])
    return Response.empty(204)


# --- request parts ---------------------------------------------------------------------------------


def known_table(table):
    name = table.lower()
    if name not in schema.POWERSCHOOL_TABLES:
        raise HttpError(Response.message(404, f"Table {table} not found"))
    return name


def projected_columns(store, table, projection):
    """The columns to return: `*` means every granted column; naming an ungranted one is refused."""
    if projection is None or not projection.strip():
        raise ValueError("The projection parameter is required: a comma-separated list of columns, or *")
    if projection.strip() == "*":
        granted = access.readable_columns(store, table)
        if not granted:
            raise HttpError(access.validation_failed(table, [(table, column) for column in schema.columns(table)]))
        return granted
    names = [name.strip().lower() for name in projection.split(",")]
    unknown = [name for name in names if name not in rows.column_types(table)]
    if unknown:
        raise ValueError(f"Unknown column(s) in projection for table {table}: {', '.join(unknown)}")
    access.require_read(store, table, [(table, name) for name in names])
    return list(dict.fromkeys(names))


def readable_filter(store, table, q):
    """`q` as SQL; filtering on a column the plugin cannot read would leak it, so that is refused too."""
    where, params = fiql.where_clause(q, {column: column for column in schema.columns(table)})
    access.require_read(store, table, [(table, column) for column in fiql.referenced_columns(q)])
    return where, params


def sort_order(store, table, query):
    direction = "DESC" if query.get("sortdescending", "false").lower() == "true" else "ASC"
    key = schema.primary_key(table)
    sort = query.get("sort", "").strip()
    if not sort:
        return f"{key} {direction}"
    names = [name.strip().lower() for name in sort.split(",")]
    unknown = [name for name in names if name not in rows.column_types(table)]
    if unknown:
        raise ValueError(f"Unknown column(s) in sort for table {table}: {', '.join(unknown)}")
    access.require_read(store, table, [(table, name) for name in names])
    return ", ".join(f"{name} {direction}" for name in [*names, key])


def page_window(query, max_page_size):
    """(limit, offset) from 1-based `page` and `pagesize`, the size capped at the plugin's maximum."""
    page = whole_number(query, "page", 1)
    size = whole_number(query, "pagesize", max_page_size)
    if page < 1:
        raise ValueError("page must be 1 or more")
    if size < 0:
        raise ValueError("pagesize must not be negative")
    size = min(size or max_page_size, max_page_size)
    return size, (page - 1) * size


def whole_number(query, name, default):
    value = query.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got '{value}'") from None


def body_values(request, table):
    body = request.json()
    tables = body.get("tables") if isinstance(body, dict) else None
    if not isinstance(tables, dict) or table not in {name.lower() for name in tables}:
        raise ValueError(f'The body must be {{"tables":{{"{table}":{{"column":"value", ...}}}}}}')
    return next(values for name, values in tables.items() if name.lower() == table)


def existing_row(store, table, key):
    row = _find(store, table, key)
    if row is None:
        raise HttpError(Response.message(404, f"No {table} record with {schema.primary_key(table)} {key}"))
    return row


def record_ref(ctx, table, key):
    return f"{ctx.base_url}/ws/schema/table/{table}/{key}"


# --- write rules -----------------------------------------------------------------------------------


def refuse_unless_insertable(table):
    if table == "attendance":
        raise HttpError(
            Response.message(
                403,
                "ATTENDANCE records are written through /ws/attendance/daily_time, "
                "/ws/attendance/meeting_interval or /ws/attendance/batch_daily_time",
            )
        )
    if table not in INSERTABLE:
        raise HttpError(Response.message(403, f"The core table {table} cannot be written through the table API"))


def check_references(store, table, values):
    if table == "attendance_time" and "attendanceid" in values:
        if store.query_one("SELECT 1 FROM attendance WHERE id = ?", (values["attendanceid"],)) is None:
            raise ValueError(
                f"attendance_time.attendanceid {values['attendanceid']} is not the ID of an ATTENDANCE record"
            )


def _refuse_existing_key(store, table, key):
    if _find(store, table, key) is not None:
        raise HttpError(
            Response.message(404, f"{table} record {key} already exists. Use PUT to update existing records")
        )
    raise ValueError(f"{schema.primary_key(table)} is assigned by PowerSchool on insert; leave it out")


def _row_for_update(store, table, key):
    row = _find(store, table, key)
    if row is None:
        raise HttpError(
            Response.message(
                404, f"No {table} record with {schema.primary_key(table)} {key}. Use POST to insert a new record"
            )
        )
    return row


def _find(store, table, key):
    try:
        number = int(key)
    except (TypeError, ValueError):
        return None
    return store.query_one(f"SELECT * FROM {table} WHERE {schema.primary_key(table)} = ?", (number,))


def _delete_attendance_times(conn, attendance_id):
    linked = conn.execute("SELECT dcid FROM attendance_time WHERE attendanceid = ?", (attendance_id,)).fetchall()
    for row in linked:
        rows.delete_row(conn, "attendance_time", row["dcid"])


ROUTES = [
    ("GET", TABLE, list_rows),
    ("GET", TABLE + "/count", count_rows),
    ("GET", TABLE + "/metadata", metadata),
    ("GET", TABLE + "/" + KEY, get_row),
    ("POST", TABLE, insert_row),
    ("POST", TABLE + "/" + KEY, insert_with_key),
    ("PUT", TABLE + "/" + KEY, update_row),
    ("PUT", TABLE, update_without_key),
    ("DELETE", TABLE + "/" + KEY, delete_row),
]
