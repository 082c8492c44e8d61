from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule
from django_q.tasks import schedule

from raptorlink.models import NotificationContact, PowerSchoolConnection
from sis_sync.management.commands.sync_powerschool import ProgressDisplay
from sis_sync.models import Student, SyncRun, SyncSettings
from sis_sync.schedules import SCHEDULED_TASK, schedule_name
from tests.sis_sync.fakes import FakeEngine


def run_command(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def engine(monkeypatch):
    return FakeEngine.install(monkeypatch)


# --- setup_schedules ---------------------------------------------------------------------------------


def lincoln_schedules(world):
    names = [schedule_name(world.district.pk, kind) for kind in ("full", "delta")]
    return Schedule.objects.filter(name__in=names).order_by("name")


def test_setup_schedules_gives_each_connected_district_a_full_and_a_changes_schedule(world):
    output = run_command("setup_schedules")
    schedules = lincoln_schedules(world)
    assert [(s.func, s.args, s.schedule_type, s.minutes, s.repeats) for s in schedules] == [
        ("sis_sync.tasks.scheduled_sync", f"({world.district.pk}, 'delta')", Schedule.MINUTES, 15, -1),
        ("sis_sync.tasks.scheduled_sync", f"({world.district.pk}, 'full')", Schedule.MINUTES, 480, -1),
    ]
    assert "lincoln: full created, delta created" in output
    assert "riverside: no scheduled syncs" in output


def test_running_setup_schedules_again_creates_and_changes_nothing(world):
    run_command("setup_schedules")
    before = list(Schedule.objects.values())
    output = run_command("setup_schedules")
    assert list(Schedule.objects.values()) == before
    assert "lincoln: full unchanged, delta unchanged" in output


def test_setup_schedules_follows_changed_settings(world):
    run_command("setup_schedules")
    SyncSettings.objects.filter(district=world.district).update(full_interval_hours=24, delta_interval_minutes=60)
    output = run_command("setup_schedules")
    assert [s.minutes for s in lincoln_schedules(world)] == [60, 1440]
    assert "lincoln: full updated, delta updated" in output


def test_disabled_scheduled_syncs_have_no_schedules(world):
    SyncSettings.objects.create(district=world.district, enabled=False)
    run_command("setup_schedules")
    assert not lincoln_schedules(world).exists()


def test_deleting_a_district_removes_its_schedules(world):
    run_command("setup_schedules")
    world.district.delete()
    assert not Schedule.objects.filter(func=SCHEDULED_TASK).exists()


def test_setup_schedules_removes_schedules_left_by_deleted_districts(world):
    schedule(SCHEDULED_TASK, 9999, "full", name=schedule_name(9999, "full"), schedule_type=Schedule.MINUTES, minutes=5)
    assert "Removed the schedules of deleted districts: 1." in run_command("setup_schedules")
    assert not Schedule.objects.filter(name=schedule_name(9999, "full")).exists()


# --- sync_powerschool with a stand-in engine ------------------------------------------------------


def test_the_command_syncs_the_named_district_with_the_chosen_kind_and_entities(world, engine):
    run_command("sync_powerschool", "--district", "lincoln", "--changes", "--only", "students, contacts")
    assert engine.calls == [
        {"district": "lincoln", "kind": "delta", "trigger": "command", "entities": ["students", "contacts"]}
    ]


def test_without_a_district_the_command_syncs_every_connected_district(world, engine):
    PowerSchoolConnection.objects.create(
        district=world.other_district, base_url="https://riverside.powerschool.com", client_id="r", client_secret="s"
    )
    run_command("sync_powerschool")
    assert [(call["district"], call["kind"]) for call in engine.calls] == [("lincoln", "full"), ("riverside", "full")]


def test_an_unknown_district_is_refused_with_the_known_ones(world, engine):
    with pytest.raises(CommandError, match="No district “lincon”. Known districts: lincoln, riverside."):
        run_command("sync_powerschool", "--district", "lincon")
    assert engine.calls == []


def test_an_unknown_entity_is_refused_with_the_choices(world, engine):
    with pytest.raises(CommandError, match="Unknown entity “grades”: choose from schools, calendar, staff"):
        run_command("sync_powerschool", "--district", "lincoln", "--only", "students,grades")
    assert engine.calls == []


def test_full_and_changes_exclude_each_other(world, engine):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run_command("sync_powerschool", "--full", "--changes")


def test_a_failed_sync_exits_non_zero_and_tells_the_contacts(world, engine, mailoutbox):
    NotificationContact.objects.create(district=world.district, name="Ian", email="ian@lincoln.example")
    engine.status, engine.error_category = SyncRun.Status.FAILED, "unavailable"
    with pytest.raises(CommandError, match="The sync failed for: lincoln."):
        run_command("sync_powerschool", "--district", "lincoln")
    assert "PowerSchool unreachable" in mailoutbox[0].subject


def test_progress_shows_what_is_synced_and_how_fast():
    lines, clock = [], iter([0.0, 0.5, 1.0, 2.0, 4.0])
    progress = ProgressDisplay(lines.append, clock=lambda: next(clock))
    progress("students", 0, "started")
    progress("students", 100, "")
    progress("students", 400, "")
    progress("students", 500, "")
    progress("students", 1200, "finished")
    assert lines == [
        "  students: pulling…",
        "  students: 400 records so far, 400/s",
        "  students: 500 records so far, 250/s",
        "  students: 1,200 records done, 300/s",
    ]


# --- sync_powerschool against the sandbox ----------------------------------------------------------


def test_the_command_syncs_a_sandbox_district_and_prints_a_summary(powerschool):
    output = run_command("sync_powerschool", "--district", "sandbox")
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.trigger == "command"
    assert Student.objects.filter(district=powerschool.district).count() == 60
    assert "  students: pulling…" in output
    assert "students: 60 records done" in output
    header = next(line for line in output.splitlines() if line.startswith("entity"))
    assert header.split() == ["entity", "created", "updated", "unchanged", "deactivated", "failed"]
    student_row = next(line for line in output.splitlines() if line.startswith("students "))
    assert student_row.split() == ["students", "60", "0", "0", "0", "0"]
    assert f"requests: {run.requests}" in output
    assert "Succeeded" in output


def test_the_command_fails_clearly_when_powerschool_refuses_the_credentials(powerschool, mailoutbox):
    connection = powerschool.district.powerschool
    connection.client_secret = "not-the-secret"
    connection.save()
    NotificationContact.objects.create(district=powerschool.district, name="Ian", email="ian@sandbox.example")
    out = StringIO()
    with pytest.raises(CommandError, match="The sync failed for: sandbox."):
        call_command("sync_powerschool", "--district", "sandbox", stdout=out)
    assert "Failed" in out.getvalue()
    assert SyncRun.objects.get().error_category == "auth"
    assert [mail.subject for mail in mailoutbox] == [
        "[RaptorLink] Sandbox District: PowerSchool refused the credentials"
    ]


def test_setup_schedules_is_quiet_at_verbosity_zero(world):
    out = StringIO()
    call_command("setup_schedules", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert lincoln_schedules(world).count() == 2
