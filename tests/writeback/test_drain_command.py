import pytest
from django.core.management import call_command

from tests.writeback.conftest import DAILY_SCHOOL, latest
from writeback import tasks
from writeback.engine import drainer
from writeback.management.commands import drain_writebacks
from writeback.models import Intent


@pytest.fixture
def sandbox_clients(ps, monkeypatch):
    """The command and the task build their own clients; make them the test's sandbox clients."""
    monkeypatch.setattr(drainer, "shared_client", lambda district: ps.client())
    return ps


def test_drain_writebacks_once_writes_whatever_is_due_and_stops(sandbox_clients, capsys):
    ps = sandbox_clients
    intents = [ps.intent(ps.student(DAILY_SCHOOL, index)) for index in range(3)]

    call_command("drain_writebacks", "--once")

    assert "Processed 3 write-backs." in capsys.readouterr().out
    assert all(latest(intent).status == Intent.Status.SUCCEEDED for intent in intents)


def test_drain_writebacks_keeps_draining_until_ctrl_c(sandbox_clients, capsys, monkeypatch):
    ps = sandbox_clients
    ps.intent(ps.student(DAILY_SCHOOL))

    def interrupted(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(drain_writebacks, "sleep", interrupted)
    call_command("drain_writebacks")

    out = capsys.readouterr().out
    assert "Stopped." in out and "Processed 1 write-backs." in out


def test_the_drain_task_processes_the_outbox(sandbox_clients):
    ps = sandbox_clients
    intent = ps.intent(ps.student(DAILY_SCHOOL))

    assert tasks.drain() == 1
    assert latest(intent).status == Intent.Status.SUCCEEDED
