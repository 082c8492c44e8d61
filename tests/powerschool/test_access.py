"""The field access list and the plugin.xml that requests it."""

from xml.etree import ElementTree

from raptorlink.powerschool.access import FULL_ACCESS, VIEW_ONLY, plugin_name, render_plugin_xml, required_access
from raptorlink.powerschool.tables import TABLE_COLUMNS
from sandbox.plugin import parse_plugin_xml

# powerschool-api.md §10.2: the base every kiosk plugin asks for.
SPEC_BASE = {
    "students": "dcid id student_number first_name middle_name last_name grade_level schoolid enroll_status entrydate "
    "exitdate dob home_phone",
    "schools": "dcid school_number name",
    "terms": "id dcid yearid schoolid firstday lastday isyearrec",
    "calendar_day": "id schoolid date_value insession bell_schedule_id cycle_day_id",
    "bell_schedule": "id name",
    "bell_schedule_items": "bell_schedule_id period_id start_time end_time",
    "period": "id period_number abbreviation",
    "cc": "id studentid sectionid dateenrolled dateleft expression",
    "sections": "id dcid expression",
    "person": "id firstname lastname",
    "studentcontactassoc": "studentdcid personid",
    "studentcontactdetail": "schoolpickupflg isemergency iscustodial",
    "attendance_code": "id att_code description presence_status_cd schoolid yearid",
    "attendance": "dcid id studentid schoolid yearid att_date att_mode_code attendance_codeid calendar_dayid "
    "att_comment programid ccid periodid total_minutes",
    "attendance_time": "attendanceid time_in time_out",
}


def test_the_access_list_covers_the_specs_base_plugin():
    access = required_access()

    for table, fields in SPEC_BASE.items():
        assert set(fields.split()) <= set(access[table]), table


def test_attendance_is_written_with_full_access_and_everything_else_is_view_only():
    access = required_access()

    assert access["attendance"]["att_comment"] == FULL_ACCESS
    assert access["attendance"]["dcid"] == VIEW_ONLY
    assert access["attendance_time"]["time_in"] == FULL_ACCESS
    assert {
        level for table, fields in access.items() if not table.startswith("attendance") for level in fields.values()
    } == {VIEW_ONLY}


def test_every_projected_column_is_in_the_access_list():
    access = required_access()

    for table, columns in TABLE_COLUMNS.items():
        assert set(columns) <= set(access[table]), table


def test_the_plugin_xml_is_one_powerschool_accepts():
    xml = render_plugin_xml("Lincoln County Public Schools")

    descriptor = parse_plugin_xml(xml)

    assert descriptor.oauth and descriptor.publisher == "RaptorLink"
    assert descriptor.name == "RaptorLink Lincoln County Public Schools"
    assert descriptor.fields[("attendance", "att_comment")] == FULL_ACCESS
    assert len(descriptor.fields) == sum(len(fields) for fields in required_access().values())
    root = ElementTree.fromstring(xml.encode())
    assert root.tag == "{http://plugin.powerschool.pearson.com}plugin"
    assert root.find(
        "{http://plugin.powerschool.pearson.com}publisher/{http://plugin.powerschool.pearson.com}contact"
    ).get("email")


def test_a_long_district_name_still_fits_the_40_character_plugin_name():
    name = plugin_name("The Consolidated Independent School District of Greater Springfield")

    assert len(name) <= 40 and name.startswith("RaptorLink")
    assert parse_plugin_xml(render_plugin_xml("The Consolidated Independent School District of Greater Springfield"))


def test_a_district_name_with_markup_characters_is_escaped():
    assert parse_plugin_xml(render_plugin_xml('Smith & Jones "Academy" <K-12>')).name.startswith(
        "RaptorLink Smith & Jones"
    )
