"""Rows of PowerSchool tables as the schema APIs show and change them.

Shared by the table API, the PowerQueries and the attendance endpoints so that all of them serialise values
the same way (every column value a string) and every write lands in the data-version log.
"""

import sqlite3
from functools import cache

from sandbox import schema
from sandbox.store import Store

# New rows get an ID this far above their DCID, so a client that mixes the two up fails on the first write
# instead of working by accident.
ID_OFFSET = 100000


def string_value(value):
    """A column value as PowerSchool's schema APIs print it: "25", "0.8", "" never "25.0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def display_name(table):
    return table.title()


def table_record(table, row, projection):
    """One `record[]` item of the table API: a numeric id plus the projected columns as strings; nulls left out."""
    values = {column: string_value(row[column]) for column in projection if row[column] is not None}
    return {"id": row[schema.primary_key(table)], "name": display_name(table), "tables": {table: values}}


@cache
def column_types(table):
    """{column: "INTEGER" | "REAL" | "TEXT"} from the DDL, for checking values before they are written."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(f"CREATE TABLE scratch ({schema.POWERSCHOOL_TABLES[table]})")
        return {row[1]: row[2].upper() or "TEXT" for row in scratch.execute("PRAGMA table_info(scratch)")}
    finally:
        scratch.close()


def coerce_values(table, values):
    """Check and convert written values (strings, as clients send them) to the column types; ValueError if wrong."""
    if not isinstance(values, dict):
        raise ValueError(f"tables.{table} must be an object of column values")
    types = column_types(table)
    converted = {}
    for name, value in values.items():
        column = name.lower()
        if column not in types:
            raise ValueError(f"Unknown column '{name}' in table {table}")
        converted[column] = _coerce(table, column, types[column], value)
    return converted


def _coerce(table, column, column_type, value):
    if value is None or isinstance(value, (dict, list, bool)):
        raise ValueError(f"{table}.{column} must be a string or a number, got {value!r}")
    text = str(value).strip()
    if column_type == "TEXT":
        return str(value)
    try:
        return int(text) if column_type == "INTEGER" else float(text)
    except ValueError:
        kind = "a whole number" if column_type == "INTEGER" else "a number"
        raise ValueError(f"{table}.{column} must be {kind}, got '{value}'") from None


def has_legacy_id(table):
    return "id" in column_types(table) and schema.primary_key(table) == "dcid"


def insert_row(conn, table, values):
    """Insert with fresh keys and log the change; returns the new row's primary key (the record id)."""
    values = dict(values)
    key_column = schema.primary_key(table)
    key = Store.next_key(conn, table, key_column)
    values[key_column] = key
    if key_column != "dcid" and "dcid" in column_types(table):
        values["dcid"] = Store.next_key(conn, table, "dcid")
    if has_legacy_id(table):
        values["id"] = max(Store.next_key(conn, table, "id"), key + ID_OFFSET)
    names = list(values)
    conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [values[name] for name in names],
    )
    Store.record_change(conn, table, values.get("dcid", key), "INSERT")
    return key


def update_row(conn, table, key, values):
    """Update one row by primary key and log the change."""
    key_column = schema.primary_key(table)
    if values:
        assignments = ", ".join(f"{name} = ?" for name in values)
        conn.execute(f"UPDATE {table} SET {assignments} WHERE {key_column} = ?", [*values.values(), key])
    Store.record_change(conn, table, _dcid(conn, table, key), "UPDATE")


def delete_row(conn, table, key):
    dcid = _dcid(conn, table, key)
    conn.execute(f"DELETE FROM {table} WHERE {schema.primary_key(table)} = ?", (key,))
    Store.record_change(conn, table, dcid, "DELETE")


def _dcid(conn, table, key):
    key_column = schema.primary_key(table)
    if key_column == "dcid":
        return key
    return conn.execute(f"SELECT dcid FROM {table} WHERE {key_column} = ?", (key,)).fetchone()["dcid"]


def write_result(action, key, ref):
    """The insert/update answer shared by the table API and /ws/attendance (no `results` wrapper)."""
    return {
        "insert_count": int(action == "INSERT"),
        "update_count": int(action == "UPDATE"),
        "delete_count": 0,
        "result": [
            {"client_uid": None, "status": "SUCCESS", "action": action, "success_message": {"id": key, "ref": ref}}
        ],
    }
