"""The sandbox's own database: a SQLite file (never the product's database).

One connection per thread, because the HTTP transport serves each request on its own thread and SQLite
connections must not be shared across threads. WAL lets readers page through students while a writer
records attendance.
"""

import json
import os
import sqlite3
import tempfile
import threading
from contextlib import contextmanager

from sandbox import schema


class Store:
    def __init__(self, path=None):
        if path is None:
            handle, path = tempfile.mkstemp(prefix="powerschool-sandbox-", suffix=".sqlite3")
            os.close(handle)
        self.path = str(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._commits = 0
        with self.transaction() as conn:
            for statement in schema.create_statements():
                conn.execute(statement)

    def connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self):
        """A write transaction; writers are serialised in-process so they never hit SQLITE_BUSY."""
        conn = self.connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self._commits += 1

    def change_token(self):
        """Differs whenever the data may have changed since it was last taken on this thread.

        Commits made through this Store are counted; PRAGMA data_version moves when any other connection
        (another thread's, or another process's) commits.
        """
        return self._commits, self.connection().execute("PRAGMA data_version").fetchone()[0]

    def query(self, sql, params=()):
        return self.connection().execute(sql, params).fetchall()

    def query_one(self, sql, params=()):
        return self.connection().execute(sql, params).fetchone()

    # --- settings ---------------------------------------------------------------------------------
    def get_setting(self, key, default=None):
        row = self.query_one("SELECT value FROM sandbox_setting WHERE key = ?", (key,))
        return json.loads(row["value"]) if row else default

    def set_setting(self, key, value, conn=None):
        sql = "INSERT INTO sandbox_setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        if conn is not None:
            conn.execute(sql, (key, json.dumps(value)))
            return
        with self.transaction() as tx:
            tx.execute(sql, (key, json.dumps(value)))

    # --- data versions ----------------------------------------------------------------------------
    @staticmethod
    def record_change(conn, table, dcid, operation):
        """Log a change to a PowerSchool row, inside the caller's transaction; returns the new version."""
        cursor = conn.execute(
            "INSERT INTO sandbox_dataversion (table_name, dcid, operation) VALUES (?, ?, ?)", (table, dcid, operation)
        )
        return cursor.lastrowid

    def current_dataversion(self):
        row = self.query_one("SELECT COALESCE(MAX(version), 0) AS version FROM sandbox_dataversion")
        return row["version"]

    @staticmethod
    def next_key(conn, table, column):
        """The next free value of an integer key column (inside a write transaction)."""
        row = conn.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 AS next FROM {table}").fetchone()
        return row["next"]

    def copy_to(self, path):
        """A consistent copy of the whole store, e.g. one generated district reused by many tests."""
        target = sqlite3.connect(str(path))
        with target:
            self.connection().backup(target)
        target.close()
        return Store(path)

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
