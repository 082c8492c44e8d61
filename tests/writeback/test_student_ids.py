"""Write-back finds STUDENTS.ID as the district's roster source settings say: from the DCID the roster carried,
from the STUDENTS.ID itself, or from the student number alone; it keeps what it found, and says which setting to
check when it cannot."""

import pytest

from sis_sync.models import RosterSource, Student
from tests.writeback.conftest import DAILY_SCHOOL, latest
from writeback.engine.apply import powerschool_student_id
from writeback.errors import WritebackProblem
from writeback.models import Intent

FIELD_SETTING = "“field with PowerSchool's identifier”"
RULE_SETTING = "“what that field holds”"


def roster_district(ps, **settings):
    RosterSource.objects.update_or_create(district=ps.district, defaults={"owner": "clever", **settings})


def as_the_roster_left_it(student, **keys):
    """The student as a roster import leaves them: only the keys the identifier rule gives."""
    Student.objects.filter(pk=student.pk).update(**{"ps_id": None, "dcid": None, **keys})
    return Student.objects.get(pk=student.pk)


def succeeded_for(ps, intent, ps_id):
    assert latest(intent).status == Intent.Status.SUCCEEDED, latest(intent).error
    rows = ps.store.query("SELECT studentid FROM attendance WHERE dcid = ?", (intent.written["records"][0]["dcid"],))
    assert [row["studentid"] for row in rows] == [ps_id]


def failed_with_the_settings_named(intent, tried):
    intent = latest(intent)
    assert (intent.status, intent.category) == (Intent.Status.FAILED, "student_id"), intent.error
    assert intent.error.startswith("Could not find the student's PowerSchool id") and tried in intent.error
    assert FIELD_SETTING in intent.hint and RULE_SETTING in intent.hint and tried in intent.hint
    return intent


def test_a_dcid_from_the_roster_is_converted_to_the_students_id_and_kept(ps):
    roster_district(ps, identifier_rule="dcid")
    synced = ps.student(DAILY_SCHOOL)
    student = as_the_roster_left_it(synced, dcid=synced.dcid)
    intent = ps.intent(student)

    ps.drain()

    succeeded_for(ps, latest(intent), synced.ps_id)
    assert Student.objects.values_list("ps_id", "dcid").get(pk=student.pk) == (synced.ps_id, synced.dcid)


def test_a_students_id_from_the_roster_is_written_as_it_is_without_asking_powerschool(ps):
    roster_district(ps, identifier_rule="id")
    synced = ps.student(DAILY_SCHOOL)
    student = as_the_roster_left_it(synced, ps_id=synced.ps_id)
    intent = ps.intent(student)

    ps.drain()

    succeeded_for(ps, latest(intent), synced.ps_id)
    assert Student.objects.values_list("ps_id", "dcid").get(pk=student.pk) == (synced.ps_id, None)


def test_a_student_number_alone_is_looked_up_in_powerschools_students_table_and_both_keys_are_kept(ps):
    roster_district(ps, identifier_field="student_number", identifier_rule="student_number")
    synced = ps.student(DAILY_SCHOOL)
    student = as_the_roster_left_it(synced)
    intent = ps.intent(student)

    ps.drain()

    succeeded_for(ps, latest(intent), synced.ps_id)
    assert Student.objects.values_list("ps_id", "dcid").get(pk=student.pk) == (synced.ps_id, synced.dcid)


def test_the_kept_id_spares_powerschool_the_lookup_next_time(ps):
    roster_district(ps, identifier_field="student_number", identifier_rule="student_number")
    synced = ps.student(DAILY_SCHOOL)
    ps.intent(as_the_roster_left_it(synced))
    ps.drain()
    # PowerSchool forgets the number: a second lookup would fail, the kept id does not need one.
    with ps.store.transaction() as conn:
        conn.execute("UPDATE students SET student_number = 'gone' WHERE dcid = ?", (synced.dcid,))
    second = ps.intent(Student.objects.get(pk=synced.pk), at="09:30", ref="RL-2")

    ps.drain()

    assert latest(second).status == Intent.Status.SUCCEEDED, latest(second).error


def test_a_dcid_powerschool_does_not_know_names_the_settings_and_the_dcid_tried(ps):
    roster_district(ps, identifier_rule="dcid")
    intent = ps.intent(as_the_roster_left_it(ps.student(DAILY_SCHOOL), dcid=987654321))

    ps.drain()

    failed = failed_with_the_settings_named(intent, "DCID 987654321")
    assert "It holds STUDENTS.DCID" in failed.hint


def test_a_student_number_powerschool_does_not_know_names_the_settings_and_the_number_tried(ps):
    roster_district(ps, identifier_field="student_number", identifier_rule="student_number")
    student = as_the_roster_left_it(ps.student(DAILY_SCHOOL))
    Student.objects.filter(pk=student.pk).update(student_number="X-404")
    intent = ps.intent(Student.objects.get(pk=student.pk))

    ps.drain()

    failed = failed_with_the_settings_named(intent, "'X-404'")
    assert "no student with student number" in failed.error
    assert Student.objects.values_list("ps_id", "dcid").get(pk=student.pk) == (None, None)


class PowerSchoolWithADuplicateNumber:
    """PowerSchool where two students carry the same student number (a merge left behind, a typing slip)."""

    def students_with_number(self, number):
        return [{"dcid": 501, "id": 601, "student_number": number}, {"dcid": 502, "id": 602, "student_number": number}]


def test_a_student_number_two_powerschool_students_share_is_not_guessed(ps):
    roster_district(ps, identifier_field="student_number", identifier_rule="student_number")
    student = as_the_roster_left_it(ps.student(DAILY_SCHOOL))

    with pytest.raises(WritebackProblem) as raised:
        powerschool_student_id(student, PowerSchoolWithADuplicateNumber())

    assert raised.value.category == "student_id" and "2 students with student number" in str(raised.value)
    assert FIELD_SETTING in raised.value.hint and student.student_number in raised.value.hint
    assert Student.objects.values_list("ps_id", "dcid").get(pk=student.pk) == (None, None)


@pytest.mark.parametrize("number", ["12;dcid==1", "(12,13)", "  "])
def test_a_student_number_powerschools_query_language_would_misread_is_refused_before_asking(ps, number):
    roster_district(ps, identifier_field="student_number", identifier_rule="student_number")
    student = as_the_roster_left_it(ps.student(DAILY_SCHOOL))
    Student.objects.filter(pk=student.pk).update(student_number=number)
    intent = ps.intent(Student.objects.get(pk=student.pk))

    ps.drain()

    failed = failed_with_the_settings_named(intent, "cannot be looked up in PowerSchool")
    assert failed.attempt_log.get().request == {"calls": []}


def test_a_district_powerschool_syncs_keeps_the_plain_hint_about_running_a_sync(ps):
    student = as_the_roster_left_it(ps.student(DAILY_SCHOOL), dcid=987654321)
    intent = ps.intent(student)

    ps.drain()

    intent = latest(intent)
    assert intent.category == "student_id" and "DCID 987654321" in intent.error
    assert "Run a sync" in intent.hint and RULE_SETTING not in intent.hint
