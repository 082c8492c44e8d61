"""Iterators that page through PowerSchool to the end while holding one page at a time.

Each asks for the count first and stops when that many items came back or a page is empty, whichever
comes first: PowerSchool caps `pagesize` at the plugin's maximum without saying so, so a short page does
not mean the last page. Table queries whose page size is known to be within that maximum skip the count
and stop at the first short page: a request less for each query, a third of a small delta sync's.
"""

import re

from raptorlink.powerschool.normalize import as_list, expansion_names, integer, row_typer, v1_object
from raptorlink.powerschool.tables import TABLE_COLUMNS

DEFAULT_PAGE_SIZE = 100


def v1_count(session, path, q=None):
    """GET {list path}/count → {"resource": {"count": N}}."""
    body = session.get(f"{path}/count", _without_none({"q": q})) or {}
    return integer((body.get("resource") or body).get("count")) or 0


def v1_items(session, path, plural, singular, params=None, page_size=DEFAULT_PAGE_SIZE):
    """Every item of a v1 list ({"students": {"student": [...]}}), normalised."""
    params = _without_none(params or {})
    total = v1_count(session, path, params.get("q"))
    seen, page = 0, 1
    while seen < total:
        body = session.get(path, {**params, "page": page, "pagesize": page_size}) or {}
        envelope = body.get(plural)
        envelope = envelope if isinstance(envelope, dict) else {}
        items = as_list(envelope.get(singular))
        if not items:
            return
        expansions = expansion_names(envelope)
        for item in items:
            yield v1_object(item, expansions)
        seen += len(items)
        page += 1


def table_count(session, table, q=None):
    """GET /ws/schema/table/{table}/count → {"count": N}."""
    body = session.get(f"/ws/schema/table/{table}/count", _without_none({"q": q})) or {}
    return integer(body.get("count")) or 0


def table_rows(session, table, q=None, page_size=DEFAULT_PAGE_SIZE, columns=None, sort=None, within_maximum=False):
    """Every row of a table query, projected to `columns` (default TABLE_COLUMNS[table]) and typed; with `sort`
    (a column) in ascending order of that column. `within_maximum` says `page_size` is known not to exceed the
    plugin's maximum page size for table queries, so every page but the last is full and no count is needed."""
    columns = columns or TABLE_COLUMNS[table]
    total = None if within_maximum else table_count(session, table, q)
    params = _without_none({"projection": ",".join(columns), "q": q, "sort": sort})
    typed = row_typer(columns)
    seen, page = 0, 1
    while total is None or seen < total:
        body = session.get(f"/ws/schema/table/{table}", {**params, "page": page, "pagesize": page_size}) or {}
        records = as_list(body.get("record"))
        if not records:
            return
        for record in records:
            yield typed(_table_of(record, table))
        if total is None and len(records) < page_size:
            return
        seen += len(records)
        page += 1


def table_values(record, table, columns=None):
    """A table-API record's typed columns: {"id": 2345, "tables": {"attendance": {...strings}}} → {...}."""
    return row_typer(columns or TABLE_COLUMNS[table])(_table_of(record, table))


def _table_of(record, table):
    tables = record.get("tables") or {}
    return tables.get(table) or next(iter(tables.values()), {})


def powerquery_rows(session, name, args=None, page_size=DEFAULT_PAGE_SIZE):
    """Every `record[]` of a PowerQuery as PowerSchool sends it (flattened dicts, or {"tables": {...}})."""
    seen, page, total = 0, 1, None
    while True:
        params = {"page": page, "pagesize": page_size}
        if total is None:
            params["count"] = "true"
        body = session.post(f"/ws/schema/query/{name}", args or {}, params, idempotent=True) or {}
        if total is None:
            total = integer(body.get("count"))
        records = as_list(body.get("record"))
        if not records:
            return
        yield from records
        seen += len(records)
        # Without a count, a short page is the only sign of the end PowerQueries give.
        finished = seen >= total if total is not None else len(records) < page_size
        if finished:
            return
        page += 1


def powerquery_values(record, table):
    """One table's columns from a PowerQuery row, whether the query is flattened or not."""
    tables = record.get("tables")
    if isinstance(tables, dict):
        return tables.get(table) or {}
    return record


# Bytes read at a time from an answer scanned as it arrives.
STREAM_CHUNK = 64 * 1024
# `"$dataversion": "16323283"` (or a number) at any depth of whitespace; the body around it is only DCIDs.
DATA_VERSION = re.compile(rb'"\$dataversion"\s*:\s*"?\s*(\d+)\s*"?\s*[,}]')
# What a chunk keeps of the one before it, so a version split between two chunks is still found.
DATA_VERSION_OVERLAP = 256


def data_version_in(chunks):
    """The `$dataversion` of a delta pull's answer, read from its bytes as they arrive (0 when it has none).
    The rest of the body is still read to its end, so the connection can serve the next request."""
    version, tail = None, b""
    for chunk in chunks:
        if version is None:
            window = tail + chunk
            found = DATA_VERSION.search(window)
            if found:
                version = int(found.group(1))
            tail = window[-DATA_VERSION_OVERLAP:]
    return version or 0


def _without_none(params):
    return {key: value for key, value in params.items() if value is not None}
