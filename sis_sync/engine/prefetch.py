"""Read PowerSchool's next pages while the database takes the last ones.

Downloading waits on the network and writing waits on the database; doing both at once makes a sync
take about as long as the slower of the two instead of their sum. A bounded queue keeps at most a few
pages in memory. Tables that are only read into maps in memory are read side by side (`background_reads`):
PowerSchool prepares one table's next page while RaptorLink decodes another's; a full pass starts reading the
phone numbers and e-mail addresses before its first entity, so they are ready when the contacts are written.
"""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice

from django.db import connections

CHUNK = 1000
CHUNKS_AHEAD = 4
_DONE = object()


class _Failed:
    def __init__(self, error):
        self.error = error


def prefetched(rows):
    """The rows of `rows` (an iterator that makes requests), fetched ahead in a background thread. `rows`
    must not read the database: the thread has its own connection, which cannot see the run's writes."""
    ahead = queue.Queue(maxsize=CHUNKS_AHEAD)
    stop = threading.Event()
    thread = threading.Thread(target=_fetch, args=(iter(rows), ahead, stop), name="sync-prefetch", daemon=True)
    thread.start()
    try:
        while (item := ahead.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield from item
    finally:
        stop.set()
        thread.join()


def _fetch(rows, ahead, stop):
    try:
        while not stop.is_set() and (chunk := list(islice(rows, CHUNK))):
            _put(ahead, chunk, stop)
        _put(ahead, _DONE, stop)
    except BaseException as error:  # noqa: BLE001 — handed to the consuming thread, which raises it
        _put(ahead, _Failed(error), stop)
    finally:
        # A token renewal may have opened this thread's own database connection.
        connections.close_all()


def _put(ahead, item, stop):
    """Wait for room, giving up when the consumer has stopped reading."""
    while not stop.is_set():
        try:
            ahead.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


@contextmanager
def background_reads(threads):
    """A `read(function, *args)` that runs `function(*args)` on one of `threads` threads and returns its Future.
    `function` must not read the database, as for `prefetched`. Reads not started by the end (a run that
    failed before it needed them) are not started at all."""
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sync-read")
    try:
        yield lambda function, *args: pool.submit(_closing_connections, function, *args)
    finally:
        pool.shutdown(cancel_futures=True)


def _closing_connections(function, *args):
    try:
        return function(*args)
    finally:
        # A token renewal may have opened this thread's own database connection.
        connections.close_all()
