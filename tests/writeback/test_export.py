import csv
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.world import PASSWORD
from tests.writeback.log_rows import NOW, add_intent, log_world
from writeback.export import HEADER, csv_cell
from writeback.models import Intent

EXPORT_URL = "/admin/writeback/intent/log/export.csv"


@pytest.fixture
def people(world):
    with time_machine.travel(NOW, tick=False):
        rows = log_world(world)
        add_intent(rows.ada, status=Intent.Status.FAILED, category="auth", error='=HYPERLINK("http://evil")')
        add_intent(rows.cleo)
        add_intent(rows.ruth)
        yield rows


def rows_of(text):
    return list(csv.reader(io.StringIO(text)))


def download(client, user, query=""):
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(EXPORT_URL + query)
    body = b"".join(response.streaming_content).decode() if response.status_code == 200 else ""
    return response, rows_of(body)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_a_spreadsheet_would_run_are_defused(value):
    assert csv_cell(value) == f"'{value}"


@pytest.mark.parametrize(("value", "cell"), [("Ada", "Ada"), (None, ""), (9001, "9001"), ("a=b", "a=b")])
def test_ordinary_cells_are_left_alone(value, cell):
    assert csv_cell(value) == cell


def test_the_export_streams_exactly_the_filtered_rows(client, world, people):
    response, rows = download(client, world.district_admin, "?status=failed")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *body = rows
    assert header == HEADER
    assert [row[2] for row in body] == ["Ada Lovelace"]
    assert body[0][HEADER.index("Error")] == '\'=HYPERLINK("http://evil")'
    assert body[0][HEADER.index("Date/time")] == "10/14/2026 09:00"


def test_the_export_keeps_to_what_the_person_may_see(client, world, people):
    _, rows = download(client, world.building_admin)
    assert [row[2] for row in rows[1:]] == ["Ada Lovelace"]


@pytest.mark.parametrize("role", ["front_desk", "outsider"])
def test_people_without_a_reading_role_get_no_export(client, world, people, role):
    response, rows = download(client, world.users_by_role()[role])
    assert response.status_code in (302, 403)
    assert rows == []


def export(*args):
    out = io.StringIO()
    call_command("export_writeback_log", *args, stdout=out)
    return rows_of(out.getvalue())


def test_the_command_prints_the_same_columns_for_one_district(world, people):
    header, *body = export("--district", "lincoln")
    assert header == HEADER
    assert sorted(row[2] for row in body) == ["Ada Lovelace", "Cleo Martin"]
    assert any(row[HEADER.index("Error")].startswith("'=") for row in body)


def test_the_command_filters_by_status_and_dates(world, people):
    assert [row[2] for row in export("--status", "failed")[1:]] == ["Ada Lovelace"]
    assert export("--since", "2026-10-15")[1:] == []
    assert len(export("--since", "2026-10-14", "--until", "2026-10-14")[1:]) == 3


def test_the_command_refuses_an_unknown_district(world):
    with pytest.raises(CommandError, match="No district with the slug"):
        export("--district", "nowhere")
