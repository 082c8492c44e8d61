"""Whole numbers that arrive as text (typed at a kiosk, posted by a page, given in a URL): ASCII digits only.

`str.isdigit()` is true of “²” and “١”, which `int()` refuses or reads as digits nobody meant; and a number too
long for the database fails the query. So an id or a typed number is plain 0–9, at most MAX_DIGITS long, or it is
not a number at all: the caller answers “not found” or “not a number”, never a server error.
"""

import json

# The largest id a database row has (a 64-bit integer) has 19 digits; an id longer than that names no row.
MAX_DIGITS = 18
# JSON bodies the pages send are a few levels deep; a deeper one is not theirs.
MAX_JSON_DEPTH = 20


def is_plain_number(text):
    return isinstance(text, str) and 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()


def plain_number(value):
    """The whole number ≥ 0 that `value` is (an int) or spells in ASCII digits, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**MAX_DIGITS else None
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if is_plain_number(text) else None


def json_object(body):
    """The JSON object a page posted, or None when the body is not one (malformed, not UTF-8, too deep)."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or _depth(data) > MAX_JSON_DEPTH:
        return None
    return data


def _depth(value, level=1):
    if level > MAX_JSON_DEPTH:
        return level
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_depth(child, level + 1) for child in children), default=level)
