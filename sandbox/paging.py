"""Fast deep pages for the table API.

PowerSchool pages with `page`/`pagesize`; answering page 4,000 with OFFSET makes SQLite walk 400,000 rows first,
so a client reading a large table to the end costs quadratic time. Clients read pages in order, so the sandbox
remembers where each recent page ended and starts the next one there (keyset paging) — the same rows OFFSET would
give, as long as nothing changed in between, which the store's change token tells.
"""

import threading
from collections import OrderedDict

MAX_REMEMBERED_QUERIES = 256


class PageCursors:
    def __init__(self, capacity=MAX_REMEMBERED_QUERIES):
        self.capacity = capacity
        self._ends = OrderedDict()  # (query, page) -> (change token, last key of that page)
        self._lock = threading.Lock()

    def start_after(self, query, page, token):
        """The key the previous page ended on, if it is known and still valid; else None."""
        with self._lock:
            remembered = self._ends.get((query, page - 1))
        if remembered and remembered[0] == token:
            return remembered[1]
        return None

    def remember(self, query, page, token, last_key):
        with self._lock:
            self._ends[(query, page)] = (token, last_key)
            self._ends.move_to_end((query, page))
            while len(self._ends) > self.capacity:
                self._ends.popitem(last=False)
