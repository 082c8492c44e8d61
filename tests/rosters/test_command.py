from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sis_sync.models import Student, SyncRun
from tests.rosters.conftest import CLEVER, ONEROSTER_11


def import_roster(*args):
    out = StringIO()
    call_command("import_roster", *map(str, args), stdout=out)
    return out.getvalue()


def test_the_command_imports_a_set_and_shows_what_it_did(lincoln_on_oneroster):
    output = import_roster("--district", "lincoln", "--source", "oneroster", ONEROSTER_11)

    assert "Importing the oneroster set" in output
    assert "students" in output and "Imported (full)." in output
    run = SyncRun.objects.get(district=lincoln_on_oneroster)
    assert (run.source, run.trigger, run.status) == ("oneroster", "command", "succeeded")
    assert Student.objects.filter(district=lincoln_on_oneroster).count() == 4


def test_a_dry_run_says_so_and_changes_nothing(lincoln_on_clever):
    output = import_roster("--district", "lincoln", "--source", "clever", "--dry-run", CLEVER)

    assert "Checking the clever set" in output and "Dry run: nothing was changed." in output
    assert not Student.objects.filter(district=lincoln_on_clever).exists()
    assert not SyncRun.objects.filter(district=lincoln_on_clever).exists()


def test_a_refused_set_fails_the_command_with_the_place_of_the_problem(lincoln_on_clever, copy_set):
    spoilt = copy_set(CLEVER)
    spoilt.replace("students.csv", "04/17/2010", "2010-17-04")

    with pytest.raises(CommandError, match=r"students.csv row 2, column DOB: “2010-17-04” is not a date"):
        import_roster("--district", "lincoln", "--source", "clever", spoilt.path)

    assert SyncRun.objects.get(district=lincoln_on_clever).status == "failed"
    assert not Student.objects.filter(district=lincoln_on_clever).exists()


def test_an_unknown_district_or_path_is_a_clear_error(lincoln_on_clever, tmp_path):
    with pytest.raises(CommandError, match="No district “nowhere”. Known districts: lincoln, riverside."):
        import_roster("--district", "nowhere", "--source", "clever", CLEVER)
    with pytest.raises(CommandError, match="There is no file or folder"):
        import_roster("--district", "lincoln", "--source", "clever", tmp_path / "missing.zip")


def test_a_district_on_another_source_is_told_which_setting_to_change(world):
    with pytest.raises(CommandError, match="change “roster comes from” in its roster source settings"):
        import_roster("--district", "lincoln", "--source", "clever", CLEVER)
