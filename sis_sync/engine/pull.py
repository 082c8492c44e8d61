"""One table pulled into one model: map each row (or record why it cannot be taken), upsert, and after a
complete pass deactivate what PowerSchool no longer has."""

from collections.abc import Callable
from dataclasses import dataclass, field

from sis_sync.engine.context import InvalidRecord
from sis_sync.engine.prefetch import prefetched
from sis_sync.engine.upsert import Upserter


@dataclass(frozen=True)
class TablePull:
    """How the rows of one PowerSchool table become rows of one model.

    `to_values(ctx, row)` returns (key, values) or raises InvalidRecord; `everything(ctx)` yields every row a
    full pass takes; `scope(ctx)` is the queryset a full pass is responsible for (what it may deactivate);
    `lookups` names the ctx lookups that go stale once this model changed; `in_scope(ctx, row)` tells rows a
    delta pull listed that lie outside what RaptorLink keeps (another school year) and are passed over.
    """

    entity: str
    model: type
    table: str
    to_values: Callable
    everything: Callable
    scope: Callable
    lookups: tuple = ()
    upsert_options: dict = field(default_factory=dict)
    in_scope: Callable | None = None


def pull_everything(ctx, pull):
    """A full pass over the table; deactivates rows of the scope that did not come back."""
    upserter = take_rows(ctx, pull, pull.everything(ctx))
    upserter.deactivate_missing(pull.scope(ctx))
    return upserter


def pull_changed(ctx, pull, dcids):
    """Only the rows a delta pull listed, by DCID; nothing is deactivated."""
    return take_rows(ctx, pull, ctx.client.rows_by_keys(pull.table, "dcid", dcids), in_scope=pull.in_scope)


def take_rows(ctx, pull, rows, in_scope=None):
    ctx.report(pull.entity, 0, "started")
    upserter = Upserter(ctx, pull.model, pull.entity, **pull.upsert_options)
    for row in prefetched(rows):
        if in_scope is not None and not in_scope(ctx, row):
            continue
        try:
            key, values = pull.to_values(ctx, row)
        except InvalidRecord as invalid:
            ctx.issue(pull.entity, row.get("dcid"), str(invalid), row)
            continue
        upserter.add(key, values)
    upserter.finish()
    ctx.forget(*pull.lookups)
    ctx.report(pull.entity, upserter.processed, "finished")
    return upserter


def required(value, what):
    """`value`, or InvalidRecord naming what is missing."""
    if value is None or value == "":
        raise InvalidRecord(f"{what} is missing")
    return value


def whole(value, what):
    """An int from a typed row, or InvalidRecord when it is missing or not a number."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidRecord(f"{what} is missing" if value in (None, "") else f"{what} is not a number: {value!r}")
    return value


def reference(lookup, value, what):
    """The local primary key `value` points at, or InvalidRecord saying which reference is unknown."""
    pk = lookup.get(value)
    if pk is None:
        raise InvalidRecord(f"{what} {value} is not known to RaptorLink")
    return pk


def any_of(column, values):
    """A `q` condition: `column==v` or `column==(v1,v2,…)`."""
    values = sorted(set(values))
    if len(values) == 1:
        return f"{column}=={values[0]}"
    return f"{column}==({','.join(str(value) for value in values)})"
