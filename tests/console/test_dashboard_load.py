"""The dashboard over a busy district: a fixed handful of queries, however many write-backs there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from console.dashboard import dashboard_context
from tests.console.events import NOW, add_event, add_run, local
from tests.writeback.log_rows import add_intent
from writeback.models import Intent

pytestmark = pytest.mark.django_db

INTENTS = 50_000
STATUSES = [Intent.Status.SUCCEEDED] * 8 + [Intent.Status.FAILED, Intent.Status.CONFLICT]


def many_intents(template, count):
    """`count` copies of `template` spread over the last ten days, most succeeded within a minute."""
    fields = {field.attname: getattr(template, field.attname) for field in Intent._meta.concrete_fields}
    del fields["id"]
    rows = []
    for index in range(count):
        created_at = NOW - timedelta(minutes=index * 10 * 24 * 60 // count)
        status = STATUSES[index % len(STATUSES)]
        rows.append(
            Intent(
                **{
                    **fields,
                    "idempotency_key": f"load-{index}",
                    "event_ref": f"RL-{index}",
                    "status": status,
                    "created_at": created_at,
                    "finished_at": created_at + timedelta(seconds=index % 60),
                }
            )
        )
    # Spread over days as a real log is, instead of all stamped with the moment of insertion.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Intent._meta.get_field("created_at"), "auto_now_add", False)
        Intent.objects.bulk_create(rows, batch_size=2000)


@pytest.fixture
def busy_district(world, campus):
    many_intents(add_intent(campus.ada), INTENTS - 1)
    for minute in range(0, 120, 5):
        add_event(campus.ada if minute % 2 else campus.cleo, local("07:00") + timedelta(minutes=minute))
    for hours in range(0, 48, 1):
        add_run(world.district, NOW - timedelta(hours=hours, minutes=30))
    return campus


def test_fifty_thousand_write_backs_cost_no_more_queries_than_a_handful(
    client, world, busy_district, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        dashboard = dashboard_context(world.district_admin, None)["dashboard"]

    day, week = dashboard["health"]
    assert 4000 < day["window"].finished < 6000
    assert week["window"].success_rate == 80.0
    assert dashboard["sign_in_total"] == 24
    assert page_queries(client, world.superuser, world.district) == page_queries(
        client, world.superuser, small_district(world, busy_district)
    )


def small_district(world, campus):
    add_intent(campus.ruth, minutes_ago=5)
    add_run(world.other_district, NOW - timedelta(hours=1))
    return world.other_district


def page_queries(client, user, district):
    client.force_login(user)
    client.get("/admin/")  # the session and the user are loaded from here on as on any later page
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/", {"district": district.pk}).status_code == 200
    return len(captured)
