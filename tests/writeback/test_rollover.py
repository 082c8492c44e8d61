"""A new school year gives every code a new id: a stale copy is noticed before writing and re-imported once."""

from sis_sync.models import AttendanceCode, SyncRun
from tests.writeback.conftest import DAILY_SCHOOL, latest
from writeback.engine import codes
from writeback.models import Intent


def test_codes_of_last_year_only_are_re_imported_and_the_write_succeeds(ps):
    AttendanceCode.objects.filter(school__number=DAILY_SCHOOL, year_id=36).delete()
    assert AttendanceCode.objects.filter(school__number=DAILY_SCHOOL, year_id=35, code="T").exists()
    student = ps.student(DAILY_SCHOOL)
    intent = ps.intent(student, code="T")

    ps.drain()

    assert latest(intent).status == Intent.Status.SUCCEEDED
    [record] = ps.attendance(student)
    assert record["yearid"] == 36 and ps.code_text(record["attendance_codeid"]) == "T"
    run = SyncRun.objects.latest("id")
    assert (run.kind, run.trigger, run.status) == ("manual", "write-back", SyncRun.Status.SUCCEEDED)


def test_a_code_missing_even_after_re_importing_is_a_year_mismatch_and_nothing_is_sent(ps, monkeypatch):
    reimports = []
    monkeypatch.setattr(codes, "codes_reimport", reimports.append)
    student = ps.student(DAILY_SCHOOL)
    intent = ps.intent(student, code="ZZ")

    ps.drain()

    intent = latest(intent)
    assert (intent.status, intent.category) == (Intent.Status.FAILED, "year_mismatch")
    assert reimports == [ps.district] and "re-import" in intent.hint
    assert ps.attendance(student) == []
