"""The dashboard's figures for a known day of sign-ins, write-backs and sync runs (time frozen at 10:00)."""

from datetime import timedelta

import pytest

from kiosk.models import EventKind, EventSource
from sis_sync.models import ENTITIES, SyncRun, SyncSettings
from tests.console.conftest import dashboard_of
from tests.console.events import add_event, add_run, add_unrecorded, add_written, at, local
from writeback.models import Intent

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world, campus):
    ada, cleo, ruth = campus.ada, campus.cleo, campus.ruth
    add_event(ada, local("08:05"))
    add_event(ada, local("08:40"))
    add_event(ada, local("08:55"), source=EventSource.FRONT_DESK)
    add_event(ada, local("09:30"), kind=EventKind.EARLY_CHECK_OUT, source=EventSource.FRONT_DESK)
    add_event(cleo, local("07:50"), source=EventSource.DELAYED_ENTRY)
    add_event(ada, local("08:10"), active=False)  # voided
    add_event(ada, local("08:10", days_ago=1))  # yesterday
    add_event(ruth, local("08:10"))  # another district
    add_unrecorded(world.north)
    add_unrecorded(world.north, resolved=True)
    add_unrecorded(world.south)
    return campus


@pytest.fixture
def writebacks(campus):
    ada, cleo = campus.ada, campus.cleo
    for seconds in (1, 2, 3, 40):
        add_written(ada, at(hours_ago=2), seconds=seconds)
    add_written(ada, at(hours_ago=3), status=Intent.Status.FAILED)
    add_written(cleo, at(hours_ago=4), status=Intent.Status.CONFLICT)
    add_written(cleo, at(minutes_ago=1), status=Intent.Status.PENDING)
    for seconds in (5, 6, 7, 8):
        add_written(cleo, at(days_ago=3), seconds=seconds)
    add_written(ada, at(days_ago=10), status=Intent.Status.FAILED)  # old, still open
    add_written(campus.ruth, at(hours_ago=1), status=Intent.Status.FAILED)  # another district
    return campus


def test_todays_sign_ins_are_counted_per_building_by_kind_and_source(client, world, day):
    dashboard, _ = dashboard_of(client, world.district_admin)

    north, south = dashboard["buildings"]
    assert (north.building, north.late_check_ins, north.early_check_outs) == (world.north, 3, 1)
    assert north.sources() == [("Kiosk", 2), ("Front desk", 2), ("Delayed entry", 0)]
    assert (south.building, south.late_check_ins, south.early_check_outs) == (world.south, 1, 0)
    assert south.sources() == [("Kiosk", 0), ("Front desk", 0), ("Delayed entry", 1)]
    assert dashboard["sign_in_total"] == 5


def test_unrecorded_sign_ins_count_only_those_still_open(client, world, day):
    dashboard, html = dashboard_of(client, world.district_admin)

    assert [row.unrecorded for row in dashboard["buildings"]] == [1, 1]
    assert dashboard["unrecorded_total"] == 2
    assert "resolved_at__isempty=1" in html


def test_the_hourly_chart_has_one_bar_per_hour_of_the_school_day_in_the_districts_zone(client, world, day):
    _, html = dashboard_of(client, world.district_admin)

    assert "<title>07: 1</title>" in html
    assert "<title>08: 3</title>" in html
    assert "<title>09: 1</title>" in html
    assert "<title>12: 0</title>" in html


def test_write_back_success_rate_and_latency_cover_the_last_day_and_the_last_week(client, world, writebacks):
    dashboard, _ = dashboard_of(client, world.district_admin)

    day, week = dashboard["health"]
    assert (day["window"].succeeded, day["window"].finished, day["window"].success_rate) == (4, 6, 66.7)
    assert (day["p50"], day["p95"]) == ("2.0 s", "40.0 s")
    assert (week["window"].succeeded, week["window"].finished, week["window"].success_rate) == (8, 10, 80.0)
    assert (week["p50"], week["p95"]) == ("5.0 s", "40.0 s")


def test_open_failures_and_conflicts_link_to_the_filtered_write_back_log(client, world, writebacks):
    dashboard, html = dashboard_of(client, world.district_admin)

    assert dashboard["open"] == {"failed": 2, "conflict": 1, "pending": 1}
    assert 'href="/admin/writeback/intent/log/?status=failed"' in html
    assert 'href="/admin/writeback/intent/log/?status=conflict"' in html
    log = client.get("/admin/writeback/intent/log/", {"status": "failed"})
    assert log.status_code == 200


def test_the_daily_success_chart_has_a_point_per_day_with_finished_write_backs(client, world, writebacks):
    _, html = dashboard_of(client, world.district_admin)

    assert "<title>Wed: 66.7%</title>" in html
    assert "<title>Sun: 100%</title>" in html
    assert html.count('class="chart-dot"') == 2


def test_the_latency_chart_sorts_successful_write_backs_into_buckets(client, world, writebacks):
    _, html = dashboard_of(client, world.district_admin)

    assert "<title>&lt;1s: 0</title>" in html
    assert "<title>1–5s: 3</title>" in html
    assert "<title>5–30s: 4</title>" in html
    assert "<title>30s–2m: 1</title>" in html


@pytest.fixture
def runs(world, frozen):
    SyncSettings.objects.create(district=world.district, full_interval_hours=8)
    add_run(world.district, at(hours_ago=20))
    add_run(
        world.district,
        at(hours_ago=1),
        kind=SyncRun.Kind.DELTA,
        counts={"students": {"created": 3, "updated": 1, "unchanged": 0, "deactivated": 0, "failed": 0}},
    )
    add_run(
        world.district,
        at(minutes_ago=30),
        kind=SyncRun.Kind.DELTA,
        status=SyncRun.Status.FAILED,
        counts={"contacts": {"created": 0, "updated": 2, "unchanged": 0, "deactivated": 0, "failed": 0}},
        message="PowerSchool did not answer in time.",
    )
    add_run(world.district, at(minutes_ago=5), kind=SyncRun.Kind.DELTA, status=SyncRun.Status.SKIPPED, counts={})
    add_run(world.other_district, at(minutes_ago=10))


def test_each_entity_shows_its_last_successful_sync_its_age_and_that_runs_counts(client, world, runs):
    dashboard, _ = dashboard_of(client, world.district_admin)

    rows = {row["sync"].entity: row for row in dashboard["entities"]}
    assert list(rows) == ENTITIES
    assert rows["students"]["sync"].last_success == at(hours_ago=1) + timedelta(minutes=2)
    assert rows["students"]["age"] == "58 min ago"
    assert rows["students"]["sync"].counts_text == "3 created · 1 updated"
    assert rows["staff"]["sync"].counts_text == "10 unchanged"
    assert rows["staff"]["age"] == "19 h 58 min ago"


def test_an_entity_older_than_twice_the_full_interval_is_stale_and_one_failed_since_is_failed(client, world, runs):
    dashboard, html = dashboard_of(client, world.district_admin)

    problems = {row["sync"].entity: row["sync"].problem for row in dashboard["entities"]}
    assert problems["students"] == ""
    assert problems["contacts"] == "failed"
    assert problems["staff"] == "stale"
    assert 'class="rl-row-failed" data-entity="contacts"' in html
    assert 'class="rl-row-stale" data-entity="staff"' in html


def test_a_longer_full_interval_keeps_the_same_sync_fresh(client, world, runs):
    SyncSettings.objects.filter(district=world.district).update(full_interval_hours=12)

    dashboard, _ = dashboard_of(client, world.district_admin)

    problems = {row["sync"].entity: row["sync"].problem for row in dashboard["entities"]}
    assert problems["staff"] == ""


def test_the_latest_run_that_was_not_skipped_is_summarised_with_its_message(client, world, runs):
    dashboard, html = dashboard_of(client, world.district_admin)

    assert dashboard["latest_run"].status == SyncRun.Status.FAILED
    assert "PowerSchool did not answer in time." in html
    assert f'href="/admin/sis_sync/syncrun/?district__id__exact={world.district.pk}"' in html


def test_only_the_entities_the_district_syncs_are_listed(client, world, runs):
    SyncSettings.objects.filter(district=world.district).update(entities=["students", "staff"])

    dashboard, _ = dashboard_of(client, world.district_admin)

    assert [row["sync"].entity for row in dashboard["entities"]] == ["staff", "students"]


def test_today_begins_at_midnight_on_the_districts_clock_not_at_midnight_utc(client, world, campus):
    add_event(campus.ada, local("23:50", days_ago=1))  # 04:50 UTC today, still yesterday in Lincoln
    add_event(campus.ada, local("00:30"))

    dashboard, html = dashboard_of(client, world.district_admin)

    assert dashboard["sign_in_total"] == 1
    assert "<title>00: 1</title>" in html
