"""Where an upserter's batches are written: right away, or on threads of the run's own.

Writing a batch mostly waits on the database (PostgreSQL takes the rows, updates the indexes and commits), and
mapping the next batch is Python's work: a sync that hands each batch to writer threads maps the next one
meanwhile. The sync reads what it wrote only at known points — an upserter looking up the rows it already has,
the end of a pull (the contacts before their links) — and waits for the writers there (`wait`).

A run inside a transaction (a roster import, all or nothing; a test) writes right away: another thread's
connection could not see that transaction's rows.
"""

import queue
import threading
from contextlib import contextmanager

from django.db import connection, connections

from sis_sync.engine.upsert import write_batch


class Inline:
    """Writes each batch as it is handed over."""

    @staticmethod
    def write(model, columns, created, updated):
        write_batch(model, columns, created, updated)

    @staticmethod
    def wait():
        """Every batch is in the database as soon as it is handed over: nothing to wait for."""


INLINE = Inline()


class InBackground:
    """Writes batches on `threads` threads of its own (each with its connection), in no particular order within
    a pull: its batches hold different rows, and `wait` comes between pulls. As many more batches may wait their
    turn. The first batch that fails stops the writing: the batches after it are dropped and its error is raised
    to the sync at its next `write` or `wait`, so the run fails as if it had written inline."""

    def __init__(self, threads=1):
        self._batches = queue.Queue(maxsize=threads)
        self._error = None
        self._threads = [
            threading.Thread(target=self._write_all, name="sync-writer", daemon=True) for _ in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def write(self, model, columns, created, updated):
        self._raise_failure()
        self._batches.put((model, columns, created, updated))

    def wait(self):
        """Return once every batch handed over is in the database."""
        self._batches.join()
        self._raise_failure()

    def close(self):
        for _ in self._threads:
            self._batches.put(None)
        for thread in self._threads:
            thread.join()

    def _write_all(self):
        try:
            commits_wait = _commits_without_waiting()
            while (batch := self._batches.get()) is not None:
                try:
                    if self._error is None:
                        write_batch(*batch, commits_wait=commits_wait)
                except BaseException as error:  # noqa: BLE001 — handed to the sync's thread, which raises it
                    self._error = error
                finally:
                    self._batches.task_done()
        finally:
            connections.close_all()

    def _raise_failure(self):
        if self._error is not None:
            raise self._error


def _commits_without_waiting():
    """Have this thread's own connection commit without waiting for the disk, as upsert.batch_transaction
    explains, once for the run rather than once a batch; returns whether each batch must still ask."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    return False


@contextmanager
def run_writes(background=True):
    """The writes of one sync run: in the background when asked and where another connection sees what the run
    sees, else inline. Leaving the block waits for every batch (raising a failed one's error)."""
    if not background or connection.in_atomic_block or (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        yield INLINE
        return
    # PostgreSQL commits one batch while it takes the next; SQLite takes one writer at a time.
    writes = InBackground(threads=2 if connection.vendor == "postgresql" else 1)
    try:
        yield writes
        writes.wait()
    finally:
        writes.close()
