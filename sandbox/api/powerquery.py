"""PowerQueries, `POST /ws/schema/query/{name}` and `/count` (powerschool-api.md §7).

The query's own SELECT runs as a CTE with positional column names, so the ad-hoc `$q` filter, the `order`
parameter and a `$dataversion` delta are applied around it without touching its text.
"""

from sandbox import access, fiql, rows
from sandbox.api.table import whole_number
from sandbox.http import HttpError, Response
from sandbox.powerqueries import QUERIES, parse_args

QUERY = r"/ws/schema/query/(?P<name>[A-Za-z0-9_.\-]+)"


def run_query(ctx, request, name):
    query = known_query(name)
    sql, params = query_sql(ctx, request, query)
    order = order_clause(query, request.query.get("order"))
    page = paging(ctx, request.query)
    found = ctx.store.query(f"SELECT * FROM ({sql}) ORDER BY {order}{page}", params)
    payload = {"name": query.display_name, "record": [record(query, row) for row in found], "@extensions": ""}
    if request.query.get("count", "").lower() == "true":
        payload["count"] = ctx.store.query_one(f"SELECT COUNT(*) AS n FROM ({sql})", params)["n"]
    if "$dataversion" in request.json():
        payload["$dataversion"] = str(ctx.store.current_dataversion())
    return Response.json(payload)


def count_query(ctx, request, name):
    query = known_query(name)
    sql, params = query_sql(ctx, request, query)
    return Response.json({"count": ctx.store.query_one(f"SELECT COUNT(*) AS n FROM ({sql})", params)["n"]})


def known_query(name):
    query = QUERIES.get(name)
    if query is None:
        raise HttpError(Response.message(404, f"PowerQuery {name} not found"))
    return query


def query_sql(ctx, request, query):
    """The filtered query as one SELECT over `pq` plus its named parameters, after the access check."""
    body = request.json()
    params = parse_args(query, body)
    access.require_read(ctx.store, query.name, query.sources())
    where, filter_params = fiql.named_where_clause(request.query.get("$q"), output_columns(query), "q_")
    since = delta_since(ctx, body)
    if since is not None:
        where += " AND record_id IN (SELECT dcid FROM sandbox_dataversion WHERE table_name = :dv_table AND version > :dv_since)"
        filter_params.update(dv_table=query.core_table, dv_since=since)
    names = ", ".join(["record_id", *(f"c{index}" for index in range(len(query.columns)))])
    # Numbering the rows as the query returns them keeps its own order as the tie-breaker under `order`.
    sql = (
        f"WITH pq({names}) AS ({query.sql}), "
        f"numbered AS (SELECT ROW_NUMBER() OVER () AS rowid_order, * FROM pq) "
        f"SELECT * FROM numbered WHERE {where}"
    )
    return sql, {**params, **filter_params}


def output_columns(query):
    """`$q`/`order` names: `table.label` always, the bare label too when only one column has it."""
    names = {column.key.lower(): f"c{index}" for index, column in enumerate(query.columns)}
    labels = [column.label.lower() for column in query.columns]
    for index, column in enumerate(query.columns):
        if labels.count(column.label.lower()) == 1:
            names.setdefault(column.label.lower(), f"c{index}")
    return names


def order_clause(query, order):
    """`order=students.last_name,students.first_name;desc`: columns, then an optional `;asc`/`;desc`."""
    if not order or not order.strip():
        return "rowid_order"
    names, _, direction = order.partition(";")
    direction = direction.strip().lower() or "asc"
    if direction not in ("asc", "desc"):
        raise ValueError(f"Invalid order '{order}': the direction after ';' must be asc or desc")
    columns = output_columns(query)
    expressions = []
    for name in names.split(","):
        expression = columns.get(name.strip().lower())
        if expression is None:
            raise ValueError(f"Invalid order '{order}': unknown column '{name.strip()}' in {query.name}")
        expressions.append(f"{expression} {direction.upper()}")
    return ", ".join([*expressions, "rowid_order"])


def paging(ctx, query):
    """` LIMIT … OFFSET …`, or nothing for `pagesize=0` (PowerQueries return everything then)."""
    page = whole_number(query, "page", 1)
    size = whole_number(query, "pagesize", ctx.plugin["max_page_size"])
    if page < 1 or size < 0:
        raise ValueError("page must be 1 or more and pagesize 0 or more")
    if size == 0:
        return ""
    return f" LIMIT {size} OFFSET {(page - 1) * size}"


def delta_since(ctx, body):
    """The `$dataversion` a caller asks changes since, checked against the plugin's application name."""
    if "$dataversion" not in body:
        return None
    if not ctx.profile.has_dataversion:
        raise ValueError(f"$dataversion is not supported by PowerSchool {ctx.profile.version}")
    application = body.get("$dataversion_applicationname")
    if application != ctx.plugin["dataversion_app"]:
        raise ValueError(
            f"$dataversion_applicationname '{application}' is not a data version application of this plugin"
        )
    try:
        return int(str(body["$dataversion"]))
    except ValueError:
        raise ValueError(f"$dataversion must be a whole number, got '{body['$dataversion']}'") from None


def record(query, row):
    values = [row[f"c{index}"] for index in range(len(query.columns))]
    if query.flattened:
        return {
            column.label: rows.string_value(value) for column, value in zip(query.columns, values) if value is not None
        }
    tables = {}
    for column, value in zip(query.columns, values):
        tables.setdefault(column.group, {})[column.label] = None if value is None else rows.string_value(value)
    return {"id": row["record_id"], "name": query.display_name, "tables": tables}


ROUTES = [
    ("POST", QUERY, run_query),
    ("POST", QUERY + "/count", count_query),
]
