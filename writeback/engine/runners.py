"""Where a drain applies its intents: on threads of its own, or one at a time on its own thread.

Both take work as `submit(key, job)` and hand back `(key, what the job returned)` pairs from `finished(wait)`;
a job that raised hands back None (the job records its own failures, so this is a bug, logged).
"""

import contextlib
import logging
import queue
import threading

from django.db import connections

logger = logging.getLogger(__name__)


def _run(key, job):
    try:
        return key, job()
    except Exception:
        logger.exception("A write-back job failed outside its own error handling")
        return key, None


class Inline:
    """One job at a time, run as it is submitted: where no other connection would see the drain's work (inside
    a transaction, or SQLite's in-memory database)."""

    size = 1

    def __init__(self):
        self._finished = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    def submit(self, key, job):
        self._finished.append(_run(key, job))

    def finished(self, wait):
        finished, self._finished = self._finished, []
        return finished


class Threads:
    """Up to `size` jobs at once, each thread with its own database connection, closed when the drain ends.
    Threads start as the work needs them, so a drain of one intent starts one."""

    def __init__(self, size):
        self.size = size
        self._jobs = queue.SimpleQueue()
        self._finished = queue.SimpleQueue()
        self._threads = []
        self._outstanding = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def submit(self, key, job):
        self._outstanding += 1
        if len(self._threads) < min(self.size, self._outstanding):
            thread = threading.Thread(target=self._work, name=f"writeback-{len(self._threads) + 1}", daemon=True)
            self._threads.append(thread)
            thread.start()
        self._jobs.put((key, job))

    def finished(self, wait):
        """What finished, waiting up to `wait` seconds for the first."""
        done = []
        with contextlib.suppress(queue.Empty):  # the queue ran dry: that is all that finished
            done.append(self._finished.get(timeout=wait) if wait else self._finished.get_nowait())
            while True:
                done.append(self._finished.get_nowait())
        self._outstanding -= len(done)
        return done

    def _work(self):
        try:
            while (item := self._jobs.get()) is not None:
                self._finished.put(_run(*item))
        finally:
            connections.close_all()
