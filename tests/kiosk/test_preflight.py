from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kiosk.models import ReasonCode
from kiosk.preflight import rollover_report, school_year_id, writeback_problems
from sis_sync.models import Term
from tests.kiosk.synced import add_codes, add_school, synced


def texts(problems):
    return [problem.text for problem in problems]


def map_everything(campus):
    ReasonCode.objects.create(reason=campus.appointment, school=campus.south_middle, code="CO")


def test_a_complete_setup_has_no_problems(campus, world):
    map_everything(campus)
    assert writeback_problems(world.district) == []


def test_a_reason_without_a_code_at_a_school_is_a_problem(campus, world):
    (problem,) = writeback_problems(world.district)
    assert problem.text == "The reason “Appointment” (early check-out) has no attendance code at South Middle (201)."
    assert problem.fix == "Open the reason and choose the code it writes at this school."
    assert (problem.school, problem.reason) == (campus.south_middle, campus.appointment)


def test_a_buildings_own_reason_is_only_checked_at_that_buildings_schools(campus, world):
    map_everything(campus)
    assert campus.north_only.codes.get().school == campus.north_high
    assert writeback_problems(world.district) == []


def test_a_code_that_only_existed_last_year_is_a_problem_this_year(campus, world):
    map_everything(campus)
    campus.bus.codes.filter(school=campus.north_high).update(code="TX")

    assert texts(writeback_problems(world.district)) == [
        "The reason “Late bus” writes code “TX”, which North High (101) does not have in 2026-27."
    ]
    assert writeback_problems(world.district, on_date=date(2026, 3, 2)) == []


def test_a_school_without_codes_for_the_year_is_told_to_import_them(campus, world):
    map_everything(campus)
    problems = writeback_problems(world.district, on_date=date(2027, 9, 1))
    assert texts(problems) == [
        "No attendance codes of North High (101) for 2027-28 have been imported.",
        "No attendance codes of South Middle (201) for 2027-28 have been imported.",
    ]
    assert "Import attendance codes" in problems[0].fix


def test_a_writing_school_without_a_building_is_a_problem(campus, world):
    map_everything(campus)
    orphan = add_school(world.district, None, 301, "Online Academy")
    add_codes(orphan, 36, ["T"])
    problems = writeback_problems(world.district)
    assert problems[0].text.startswith("Online Academy (301) writes back attendance but has no building")
    assert {problem.kind for problem in problems} == {"no_building", "unmapped"}


def test_schools_that_do_not_write_back_are_not_checked(campus, world):
    campus.south_middle.writeback_enabled = False
    campus.south_middle.save()
    assert writeback_problems(world.district) == []


def test_a_district_that_prevents_overrides_checks_every_school(campus, world):
    campus.south_middle.writeback_enabled = False
    campus.south_middle.save()
    world.district.prevent_school_overrides = True
    world.district.save()
    assert len(writeback_problems(world.district)) == 1


def test_the_school_year_comes_from_the_synced_year_term(campus):
    Term.objects.create(
        **synced(campus.north_high.district, "term-1"),
        school=campus.north_high,
        ps_id=3600,
        year_id=36,
        name="2026-2027",
        first_day=date(2026, 6, 20),
        last_day=date(2027, 6, 10),
        portion=1,
        is_year=True,
    )
    assert school_year_id(campus.north_high, date(2026, 6, 25)) == 36
    assert school_year_id(campus.south_middle, date(2026, 6, 25)) == 35


def test_the_rollover_report_lists_next_years_missing_texts(campus, world):
    map_everything(campus)
    assert {problem.kind for problem in rollover_report(world.district, 37)} == {"no_codes"}
    add_codes(campus.north_high, 37, ["T", "CO"])
    add_codes(campus.south_middle, 37, ["T", "TE", "CO"])
    assert texts(rollover_report(world.district, 37)) == [
        "The reason “Doctor appointment” writes code “TE”, which North High (101) does not have in 2027-28."
    ]


def run_check(*args):
    out = StringIO()
    call_command("check_writeback", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_one_line_per_problem_with_its_fix_and_fails(campus, world):
    with pytest.raises(CommandError, match="1 problem found") as caught:
        out = StringIO()
        call_command("check_writeback", "--district", "lincoln", stdout=out)
    assert caught.value.returncode == 2
    assert out.getvalue().splitlines() == [
        "lincoln: The reason “Appointment” (early check-out) has no attendance code at South Middle (201). "
        "Fix: Open the reason and choose the code it writes at this school."
    ]


def test_the_command_is_quiet_and_succeeds_when_all_is_well(campus, world):
    map_everything(campus)
    assert run_check("--district", "lincoln").startswith("No problems found")


def test_the_command_checks_next_year_on_request(campus, world):
    map_everything(campus)
    with pytest.raises(CommandError):
        run_check("--next-year")


def test_the_command_refuses_an_unknown_district(world):
    with pytest.raises(CommandError, match="No district with the slug “nowhere”"):
        run_check("--district", "nowhere")
