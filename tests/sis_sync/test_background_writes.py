"""A sync outside any transaction (a task, the command) writes its batches on a thread of its own.

These tests commit for real (`transactional_db`): the writer's connection sees only what is committed. SQLite's
in-memory test database is seen by one connection only, so there the sync writes inline and these tests run on
PostgreSQL (and on any file database).
"""

import datetime

import psycopg
import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from sandbox import mutations
from sandbox.app import SandboxApp
from sandbox.server import SandboxServer
from sis_sync.engine.context import SyncContext
from sis_sync.engine.upsert import Upserter
from sis_sync.engine.writes import INLINE, InBackground, run_writes
from sis_sync.models import Contact, Enrollment, Student, StudentContact, SyncRun, Term
from sis_sync.services import run_sync
from tests.sis_sync.conftest import TODAY, start_history
from tests.sis_sync.sandbox import connect_district

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def database_seen_by_other_connections(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite's in-memory test database is seen by one connection only: the sync writes inline there")


@pytest.fixture
def served(transactional_db, sandbox_store):
    start_history(sandbox_store)
    app = SandboxApp(sandbox_store)
    with time_machine.travel(TODAY), SandboxServer(app) as server:
        yield connect_district(sandbox_store, base_url=server.base_url), sandbox_store


def test_outside_a_transaction_the_sync_writes_in_the_background(transactional_db):
    with run_writes() as writes:
        assert isinstance(writes, InBackground)


def test_inside_a_transaction_the_sync_writes_inline(transactional_db):
    with transaction.atomic(), run_writes() as writes:
        assert writes is INLINE


def test_a_run_that_writes_a_few_batches_writes_them_inline(transactional_db):
    with run_writes(background=False) as writes:
        assert writes is INLINE


def test_a_full_sync_written_in_the_background_has_every_record_and_a_second_writes_nothing(served):
    district, store = served

    first = run_sync(district)
    second = run_sync(district)

    assert (first.status, second.status) == (SyncRun.Status.SUCCEEDED, SyncRun.Status.SUCCEEDED), first.message
    assert Student.objects.count() == store.query_one("SELECT COUNT(*) AS n FROM students")["n"]
    assert Enrollment.objects.filter(active=True).exists() and Contact.objects.exists()
    assert StudentContact.objects.filter(student__isnull=False, contact__isnull=False).count() == sum(
        counts["created"] for entity, counts in first.counts.items() if entity == "student_contacts"
    )
    for entity, counts in second.counts.items():
        assert counts["created"] == counts["updated"] == counts["deactivated"] == 0, entity


def test_a_delta_after_a_full_sync_written_in_the_background_takes_the_changes(served):
    district, store = served
    run_sync(district)
    student = store.query_one("SELECT * FROM students WHERE enroll_status = 0 ORDER BY dcid LIMIT 1")
    mutations.rename_student(store, student["dcid"], first_name="Marisol")

    delta = run_sync(district, kind="delta")

    assert delta.status == SyncRun.Status.SUCCEEDED, delta.message
    assert Student.objects.get(key=str(student["dcid"])).first_name == "Marisol"


def test_a_batch_the_database_refuses_raises_its_error_to_the_sync(served):
    district, _ = served
    run = SyncRun.objects.create(district=district, kind="full", trigger="test", started_at=TODAY)
    term = {"ps_id": 1, "year_id": 36, "name": "2026-2027", "abbreviation": "26-27", "portion": 1, "is_year": True,
            "first_day": datetime.date(2026, 8, 31), "last_day": datetime.date(2027, 6, 19)}  # fmt: skip

    # PostgreSQL refuses a COPY as psycopg's error; Django's wraps the refusal of a statement it ran.
    with pytest.raises((IntegrityError, psycopg.IntegrityError)), run_writes() as writes:
        ctx = SyncContext(run, None, full=True, writes=writes)
        terms = Upserter(ctx, Term, "terms")
        terms.add(1, {**term, "year_id": None})  # a term needs its year
        terms.finish()

    assert not Term.objects.exists()
