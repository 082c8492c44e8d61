from sis_sync.engine.lookups import Lookups, NumberMap
from sis_sync.models import Section, Student


def test_a_number_map_finds_each_numbers_primary_key_and_nothing_else():
    numbers = NumberMap([(None, 1), (3, 30), (3, 31), (8, 80), (2**40, 5)])

    assert [numbers.get(number) for number in (3, 8, 2**40)] == [30, 80, 5]
    assert numbers.get(4) is None and numbers.get(9, "none") == "none" and numbers.get("3") is None
    assert 8 in numbers and None not in numbers and 2**70 not in numbers
    assert list(numbers) == [3, 8, 2**40] and len(numbers) == 3


def test_a_synced_district_looks_students_and_sections_up_by_their_powerschool_ids(powerschool):

    powerschool.sync()
    lookups = Lookups(powerschool.district)

    student = Student.objects.filter(district=powerschool.district).first()
    section = Section.objects.filter(district=powerschool.district).first()
    assert lookups.get("student").get(student.ps_id) == student.pk
    assert lookups.get("student_dcid").get(student.dcid) == student.pk
    assert lookups.get("section").get(section.ps_id) == section.pk
    assert len(lookups.get("student")) == Student.objects.filter(district=powerschool.district).count()
