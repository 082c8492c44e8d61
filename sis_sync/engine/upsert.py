"""Batched upserts keyed on the source's key, writing only what changed.

A row's `fingerprint` hashes the synced values; a batch looks up the fingerprints it already has with one
query, inserts new rows with one bulk insert and rewrites only rows whose fingerprint differs (or that
come back after being deactivated). An unchanged row is not written at all, not even its `synced_at`.
The run's `writes` (see writes.py) write each batch, right away or on a thread of their own.
"""

import hashlib
from contextlib import contextmanager
from functools import lru_cache
from operator import itemgetter

import orjson
from django.db import connection, models, transaction
from psycopg import postgres, pq
from psycopg.adapt import Dumper

from sis_sync.engine.keys import KeySet
from sis_sync.models import Source

BATCH_SIZE = 1000
OUTCOMES = ("created", "updated", "unchanged", "deactivated", "failed")


def fingerprint(values):
    """A stable hash of a record's synced values: their JSON in the order they were built, as every value is a
    plain number, text, flag, date, time or list of dicts built in a fixed order, and each model's values are
    named in one fixed order. (Sorting them by name first took as long as all the rest; repr took three times
    as long as orjson.)"""
    return hashlib.md5(_json_of(tuple(values.values())), usedforsecurity=False).hexdigest()


def _json_of(value):
    try:
        return orjson.dumps(value, default=repr)
    except orjson.JSONEncodeError:
        # A number beyond 64 bits, which orjson refuses and no PowerSchool value is.
        return repr(value).encode()


def empty_counts():
    return dict.fromkeys(OUTCOMES, 0)


class Upserter:
    """Collects (key, values) of one model, writes them in batches and remembers every key it saw (compactly:
    see keys.py).

    `derive(values, existing)` returns fields computed from the synced values and the local fields named in
    `keep` (read from the existing row, None for a new one); they are written, not fingerprinted. `source` is
    whose rows these are (PowerSchool's for a sync, OneRoster's or Clever's for a roster import).
    `on_change(action, key, values)`, if given, hears of each record about to be "created" or "updated" (a CSV
    import's preview lists them).
    """

    def __init__(self, ctx, model, entity, *, keep=(), derive=None, source=Source.POWERSCHOOL, on_change=None):
        self.ctx = ctx
        self.model = model
        self.entity = entity
        self.source = source
        self.on_change = on_change
        self.keep = tuple(keep)
        self.derive = derive
        self.pending = {}
        self.seen = KeySet()
        self.processed = 0
        # A first sync finds nothing to compare with: skip the lookups until a key comes back a second time.
        self.nothing_stored = not self._stored().exists()
        self.repeated = False
        # The column names of the rows this upserter writes, and functions that read their values from the synced
        # values and the derived ones: learnt from the first record (every record of a model names the same).
        self.columns = None

    def add(self, key, values):
        text = str(key)
        if not self.seen.add(key) and text not in self.pending:
            self.repeated = True
        self.pending[text] = values
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        batch, self.pending = self.pending, {}
        existing = self._existing(batch)
        columns = self.columns or self._learn_columns(next(iter(batch.values())))
        created, updated = [], []
        for key, values in batch.items():
            print_ = fingerprint(values)
            found = existing.get(key)
            if found is None:
                created.append(self._row(key, values, print_, None))
                self._announce("created", key, values)
            elif found["fingerprint"] != print_ or not found["active"]:
                updated.append((*self._row(key, values, print_, found), found["pk"]))
                self._announce("updated", key, values)
        self.ctx.writes.write(self.model, columns, created, updated)
        self.processed += len(batch)
        self.ctx.count(self.entity, "created", len(created))
        self.ctx.count(self.entity, "updated", len(updated))
        self.ctx.count(self.entity, "unchanged", len(batch) - len(created) - len(updated))
        self.ctx.report(self.entity, self.processed)

    def finish(self):
        """Write what is left, and wait until everything this upserter handed over is in the database."""
        self.flush()
        self.ctx.writes.wait()

    def deactivate_missing(self, scope):
        """Deactivate, once the whole run succeeds, the active rows of `scope` (a queryset of this model) whose
        key this upserter never saw."""
        self.finish()
        # A row this run wrote carries its time and was seen: only the others need their key looked up (on a
        # first sync, none).
        others = scope.filter(active=True).exclude(synced_at=self.ctx.now)
        rows = others.values_list("pk", "key").iterator(chunk_size=5000)
        self.ctx.deactivate_later(self.model, self.entity, [pk for pk, key in rows if key not in self.seen])

    def _existing(self, batch):
        if self.nothing_stored and not self.repeated:
            return {}
        self.repeated = False
        # A batch handed to the writer may hold some of these keys.
        self.ctx.writes.wait()
        rows = self._stored().filter(key__in=list(batch))
        return {row["key"]: row for row in rows.values("pk", "key", "fingerprint", "active", *self.keep)}

    def _announce(self, action, key, values):
        if self.on_change is not None:
            self.on_change(action, key, values)

    def _stored(self):
        return self.model.objects.filter(district=self.ctx.district, source=self.source)

    def _learn_columns(self, values):
        derived = self.derive(values, None) if self.derive else {}
        self.columns = [*SYNC_COLUMNS, *values, *derived]
        self._synced_values = _reader(list(values))
        self._derived_values = _reader(list(derived))
        return self.columns

    def _row(self, key, values, print_, found):
        """The row's values in the order of `self.columns`."""
        derived = self._derived_values(self.derive(values, found)) if self.derive else ()
        return (self.ctx.district.pk, self.source, key, True, print_, self.ctx.now,
                *self._synced_values(values), *derived)  # fmt: skip


# The columns every synced row starts with, in the order Upserter._row gives them.
SYNC_COLUMNS = ("district_id", "source", "key", "active", "fingerprint", "synced_at")


def _reader(names):
    """A function from a dict to the tuple of its values named `names`."""
    if not names:
        return lambda values: ()
    if len(names) == 1:
        return lambda values: (values[names[0]],)
    return itemgetter(*names)


def write_batch(model, columns, created, updated, *, commits_wait=True):
    """Insert `created` and update `updated` (rows as Upserter._row gives them, updates ending with the pk) in
    one transaction. `commits_wait=False` says the connection's commits already do not wait for the disk."""
    with batch_transaction(commits_wait):
        insert_rows(model, columns, created)
        update_rows(model, columns, updated)


@contextmanager
def batch_transaction(commits_wait=True):
    """A transaction for one batch. On PostgreSQL its commit does not wait for the disk: waiting took a fifth
    of a first sync's time. A crash can lose only the last moments' batches, and never unnoticed: the run's
    own record (succeeded, and the data version the next delta starts from) is committed normally afterwards,
    which writes every earlier commit to disk first, so a run whose success was recorded has all its rows."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and commits_wait and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def insert_rows(model, columns, rows):
    """INSERT rows (tuples of the values of `columns`, field names): PostgreSQL takes them with COPY, which
    streams them in one statement; SQLite with one executemany per batch.

    Building a model instance per row costs more than the database does for it, and a first sync inserts
    hundreds of thousands; values are still converted by their fields, so every backend gets what it expects.
    """
    if not rows:
        return
    given = [model._meta.get_field(name) for name in columns]
    # Local fields (a preferred name, a note) start at their defaults.
    defaults = [field for field in model._meta.concrete_fields if not field.primary_key and field not in given]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(field.column) for field in given + defaults)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The psycopg cursor under Django's wrapper.
            _copy_rows(cursor.cursor, f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", given, defaults, rows)
            return
        values_of = _values_of(given, [field.get_db_prep_save(field.get_default(), connection) for field in defaults])
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * (len(given) + len(defaults)))})"
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, [values_of(row) for row in rows[start : start + BATCH_SIZE]])


def _copy_rows(cursor, copy_sql, given, defaults, rows):
    """COPY rows into PostgreSQL in its binary format: psycopg writes each value as it is instead of turning it into
    text (a sixth of the syncing process's time at 5,000 students went to that), and PostgreSQL does not parse it
    back. Binary values must have the column's exact type: text columns get text, JSON columns their JSON."""
    # For the jsonb columns of this cursor's COPY only (no Python type is dumped with it).
    cursor.adapters.register_dumper(None, JsonTextBinaryDumper)
    constants = [_prepared_default(field) for field in defaults]
    values_of = _values_of(given, constants, converter=_binary_converter)
    with cursor.copy(copy_sql) as copy:
        copy.set_types([_column_type(field) for field in given + defaults])
        for row in rows:
            copy.write_row(values_of(row))


class JsonTextBinaryDumper(Dumper):
    """jsonb's binary form is a version byte and the JSON text; psycopg's own would encode the text again as a
    JSON string. Chosen by the column's type (`set_types`); takes the str `_json_text` gives."""

    format = pq.Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj):
        return b"\x01" + obj.encode()


def _column_type(field):
    """The PostgreSQL type name of `field`'s column, without its length: varchar(64) → varchar."""
    return field.db_type(connection).split("(")[0]


def _prepared_default(field):
    convert = _binary_converter(field)
    default = field.get_default()
    return convert(default) if convert else default


def _binary_converter(field):
    """As `_converter`, and text for text columns, which a binary COPY refuses anything else for."""
    if isinstance(field, (models.CharField, models.TextField)):
        return _as_text
    return _converter(field)


def _as_text(value):
    return value if value is None or type(value) is str else str(value)


def update_rows(model, columns, rows):
    """UPDATE changed rows (tuples of the values of `columns`, then the primary key) by primary key, one
    executemany per batch."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    values_of = _values_of(fields + [model._meta.pk], [])
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, [values_of(row) for row in rows[start : start + BATCH_SIZE]])


PLAIN_FIELDS = (models.IntegerField, models.CharField, models.BooleanField, models.ForeignKey, models.TextField)


def _values_of(fields, constants, converter=None):
    """A function from a row (a tuple of the values of `fields`) to its column values: converted where the field
    needs it (`converter(field)`, by default `_converter`), then `constants`. Most columns need no conversion, and
    skipping a call per column matters at hundreds of thousands of rows."""
    converter = converter or _converter
    conversions = [(index, convert) for index, field in enumerate(fields) if (convert := converter(field))]

    def values(row):
        values = [*row, *constants]
        for index, convert in conversions:
            values[index] = convert(values[index])
        return values

    return values


def _converter(field):
    """None for numbers, text and flags, which go to the database as they are; JSON becomes its text; dates and
    times go through their field, remembering recent ones (a batch shares its sync time and many of its dates)."""
    if field.primary_key or (isinstance(field, PLAIN_FIELDS) and not isinstance(field, models.DateField)):
        return None

    if isinstance(field, models.JSONField):
        return _json_text

    def convert(value):
        return field.get_db_prep_save(value, connection)

    return lru_cache(maxsize=1024)(convert)


def _json_text(value):
    """A JSON column's text, as every backend takes it (a contact's phones and e-mail addresses); orjson writes it
    in a tenth of the time json.dumps takes."""
    return None if value is None else orjson.dumps(value).decode()
