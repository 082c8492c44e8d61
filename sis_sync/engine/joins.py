"""Joining PowerSchool tables as their rows stream in, so a full contact pass holds a few pages, not a district.

A full pass joins people with their phones and e-mail addresses, and links with their details. Held in
dictionaries keyed by id, those tables cost some 45 MB for 50,000 students and grew with the district. Read in
order of the id they are joined on, each side is a stream and the join a merge (`SortedGroups`); only the
phone numbers and e-mail addresses themselves, which are joined on another id, are kept, compactly
(`TextsById`: the texts end to end in one buffer, about 20 bytes a phone number).
"""

from array import array
from bisect import bisect_left
from itertools import groupby

from raptorlink.powerschool.errors import UnexpectedResponseError


class SortedGroups:
    """The rows of `rows` (in ascending order of `column`) by their `column`, asked for in ascending order of it:
    `take(value)` returns the rows whose `column` is `value` and passes over the smaller ones. Rows without a
    value join nothing and are passed over."""

    def __init__(self, rows, column, table):
        self._groups = _groups(rows, column, table)
        self._next = next(self._groups, None)

    def take(self, value):
        while self._next is not None and self._next[0] < value:
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != value:
            return []
        rows, self._next = self._next[1], next(self._groups, None)
        return rows


def _groups(rows, column, table):
    previous = None
    for value, group in groupby((row for row in rows if row[column] is not None), key=lambda row: row[column]):
        if previous is not None and value < previous:
            raise UnexpectedResponseError(
                f"PowerSchool did not list table {table} in order of {column.upper()}, as RaptorLink asked",
                path=f"/ws/schema/table/{table}",
            )
        previous = value
        yield value, list(group)


class TextsById:
    """{id: text} at a few bytes an entry beyond the text, for the phone numbers or e-mail addresses of a
    district: ids in a sorted array, texts encoded end to end in one buffer. Pairs come in any order; in
    ascending order of id (as asked of PowerSchool) nothing needs sorting."""

    def __init__(self, pairs):
        self._ids, self._ends, self._texts = array("q"), array("q"), bytearray()
        ordered = True
        for key, text in pairs:
            if key is None:
                continue
            ordered = ordered and (not self._ids or key > self._ids[-1])
            self._texts += (text or "").encode()
            self._ids.append(key)
            self._ends.append(len(self._texts))
        if not ordered:
            self._sort()

    def __len__(self):
        return len(self._ids)

    def get(self, key, default=None):
        at = bisect_left(self._ids, key) if key is not None else len(self._ids)
        if at == len(self._ids) or self._ids[at] != key:
            return default
        return self._bytes_at(at).decode()

    def _sort(self):
        order = sorted(range(len(self._ids)), key=self._ids.__getitem__)
        texts = [self._bytes_at(at) for at in order]
        self._ids = array("q", (self._ids[at] for at in order))
        self._ends, self._texts = array("q"), bytearray()
        for text in texts:
            self._texts += text
            self._ends.append(len(self._texts))

    def _bytes_at(self, at):
        start = self._ends[at - 1] if at else 0
        return bytes(self._texts[start : self._ends[at]])
