"""The PowerSchool fields RaptorLink reads and writes, and the plugin.xml that asks for exactly those.

PowerSchool grants field by field: a table query that projects a field the plugin was not granted is
refused, and so is a write to a field without Full Access. Everything the client projects, the
PowerQueries it runs touch, and the v1 student and school resources it reads is listed here.
"""

from xml.etree import ElementTree

from raptorlink.powerschool.tables import TABLE_COLUMNS

PLUGIN_NAMESPACE = "http://plugin.powerschool.pearson.com"
# PowerSchool only accepts a reinstall whose version goes up: raise it whenever the field list changes.
PLUGIN_VERSION = "1.0.0"
PUBLISHER = "RaptorLink"
PUBLISHER_EMAIL = "support@raptorlink.example"
MAX_PLUGIN_NAME = 40
MAX_DESCRIPTION = 256

VIEW_ONLY = "ViewOnly"
FULL_ACCESS = "FullAccess"

# Read beyond the table queries: the v1 student and school resources and the core PowerQueries
# (student_dcid_id_map, attendance_code_by_school_date) read these.
EXTRA_READS = {
    "attendance_code": ("course_credit_points",),
    "schools": ("dcid", "id", "school_number", "name", "abbreviation", "low_grade", "high_grade"),
    "students": (
        "middle_name",
        "lastfirst",
        "state_studentnumber",
        "student_web_id",
        "gender",
        "dob",
        "home_phone",
        "home_room",
        "mother",
        "father",
        "guardianemail",
        "emerg_contact_1",
        "emerg_phone_1",
        "emerg_contact_2",
        "emerg_phone_2",
        "street",
        "city",
        "state",
        "zip",
        "classof",
        "alert_medical",
    ),
}

# Written through /ws/attendance/* (and Time In/Out on attendance_time).
WRITES = {
    "attendance": (
        "studentid",
        "schoolid",
        "yearid",
        "att_date",
        "att_mode_code",
        "attendance_codeid",
        "calendar_dayid",
        "att_comment",
        "programid",
        "ccid",
        "periodid",
        "total_minutes",
        "att_interval",
    ),
    "attendance_time": ("attendanceid", "time_in", "time_out"),
}


def required_access():
    """{table: {field: "ViewOnly" | "FullAccess"}} for every field RaptorLink uses, lower-case names."""
    access = {}
    for table, columns in TABLE_COLUMNS.items():
        access.setdefault(table, {}).update(dict.fromkeys(columns, VIEW_ONLY))
    for table, fields in EXTRA_READS.items():
        for field in fields:
            access.setdefault(table, {}).setdefault(field, VIEW_ONLY)
    for table, fields in WRITES.items():
        access.setdefault(table, {}).update(dict.fromkeys(fields, FULL_ACCESS))
    return access


def grants(granted, needed):
    """Whether a granted access level covers the needed one (Full Access covers View Only)."""
    if needed == FULL_ACCESS:
        return granted == FULL_ACCESS
    return granted in (VIEW_ONLY, FULL_ACCESS)


def plugin_name(district_name):
    return f"RaptorLink {district_name}".strip()[:MAX_PLUGIN_NAME].strip()


def render_plugin_xml(district_name, *, version=PLUGIN_VERSION, publisher=PUBLISHER, contact_email=PUBLISHER_EMAIL):
    """The plugin.xml a district installs in PowerSchool: OAuth plus exactly the field access RaptorLink needs."""
    description = (
        f"Student sign-in and sign-out at the school entrance for {district_name}: syncs students, contacts, "
        "staff and schedules, and writes late arrivals and early dismissals back to attendance."
    )[:MAX_DESCRIPTION]
    ElementTree.register_namespace("", PLUGIN_NAMESPACE)
    plugin = ElementTree.Element(
        _tag("plugin"), {"name": plugin_name(district_name), "version": version, "description": description}
    )
    publisher_element = ElementTree.SubElement(plugin, _tag("publisher"), {"name": publisher})
    ElementTree.SubElement(publisher_element, _tag("contact"), {"email": contact_email})
    ElementTree.SubElement(plugin, _tag("oauth"))
    access_request = ElementTree.SubElement(plugin, _tag("access_request"))
    for table, fields in required_access().items():
        for field, access in fields.items():
            attributes = {"table": table.upper(), "field": field.upper(), "access": access}
            ElementTree.SubElement(access_request, _tag("field"), attributes)
    ElementTree.indent(plugin)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(plugin, encoding="unicode") + "\n"


def _tag(name):
    return f"{{{PLUGIN_NAMESPACE}}}{name}"
