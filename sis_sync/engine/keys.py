"""A set of source keys that costs about 8 bytes a key, for the keys a full pass has seen.

A full pass remembers every key it took, to deactivate afterwards what PowerSchool no longer has: hundreds of
thousands of keys for a large district. Kept as strings in a set they cost some 90 bytes each and made a sync's
memory grow with the district. Nearly every key is a DCID, a number: numbers go into a sorted `array` of 64-bit
integers (found by bisection), after up to 50,000 at a time have been collected in a small set; the rare key
that is not a number (a legacy contact's) is kept as it is.
"""

from array import array
from bisect import bisect_left
from heapq import merge

# Keys held in the small set before they are merged into the sorted array.
RECENT_LIMIT = 50_000
INT64_MAX = 2**63 - 1


class KeySet:
    def __init__(self):
        self._sorted = array("q")
        self._recent = set()
        self._texts = set()

    def add(self, key):
        """Add `key`; True when it was not in the set yet (one lookup instead of a test and an add)."""
        number = as_number(key)
        if number is None:
            text = str(key)
            fresh = text not in self._texts
            self._texts.add(text)
            return fresh
        if number in self._recent or self._in_sorted(number):
            return False
        self._recent.add(number)
        if len(self._recent) >= RECENT_LIMIT:
            self._merge()
        return True

    def __contains__(self, key):
        number = as_number(key)
        if number is None:
            return str(key) in self._texts
        return number in self._recent or self._in_sorted(number)

    def __len__(self):
        self._merge()
        return len(self._sorted) + len(self._texts)

    def _in_sorted(self, number):
        at = bisect_left(self._sorted, number)
        return at < len(self._sorted) and self._sorted[at] == number

    def _merge(self):
        fresh = sorted(self._recent)
        self._recent = set()
        if fresh:
            # Merged as a stream: a list of the whole would hold every key as an object again for a moment.
            self._sorted = array("q", merge(self._sorted, fresh))


def as_number(key):
    """The key as an int when it is one, or a decimal string that reads back the same ("17", not "017");
    else None."""
    if type(key) is int:
        return key if -INT64_MAX <= key <= INT64_MAX else None
    if isinstance(key, str) and key.isdecimal() and key.isascii() and (key == "0" or key[0] != "0"):
        number = int(key)
        return number if number <= INT64_MAX else None
    return None
