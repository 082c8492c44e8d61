"""The columns RaptorLink reads from each PowerSchool table, with the type each value is converted to.

A table query projects exactly these columns, so the plugin only needs the access `access.py` asks for.
"""

from raptorlink.powerschool.normalize import day, flag, integer, text

TABLE_COLUMNS = {
    "students": {
        "dcid": integer, "id": integer, "student_number": text, "schoolid": integer, "enroll_status": integer,
        "first_name": text, "last_name": text, "grade_level": integer, "entrydate": day, "exitdate": day,
    },
    "terms": {
        "dcid": integer, "id": integer, "schoolid": integer, "yearid": integer, "name": text, "abbreviation": text,
        "firstday": day, "lastday": day, "isyearrec": flag, "portion": integer,
    },
    "calendar_day": {
        "dcid": integer, "id": integer, "schoolid": integer, "date_value": day, "insession": flag,
        "membershipvalue": text, "bell_schedule_id": integer, "cycle_day_id": integer, "note": text,
    },
    "cycle_day": {
        "dcid": integer, "id": integer, "schoolid": integer, "year_id": integer, "letter": text,
        "day_number": integer, "abbreviation": text, "day_name": text, "sortorder": integer,
    },
    "bell_schedule": {"dcid": integer, "id": integer, "schoolid": integer, "year_id": integer, "name": text},
    "bell_schedule_items": {
        "dcid": integer, "id": integer, "bell_schedule_id": integer, "period_id": integer,
        "start_time": integer, "end_time": integer, "minutes_attended": integer,
    },
    "period": {
        "dcid": integer, "id": integer, "schoolid": integer, "year_id": integer, "period_number": integer,
        "name": text, "abbreviation": text, "sort_order": integer,
    },
    "courses": {"dcid": integer, "id": integer, "course_number": text, "course_name": text},
    "sections": {
        "dcid": integer, "id": integer, "schoolid": integer, "course_number": text, "section_number": text,
        "termid": integer, "teacher": integer, "expression": text, "external_expression": text,
        "att_mode_code": text, "room": text,
    },
    "section_meeting": {
        "dcid": integer, "id": integer, "sectionid": integer, "schoolid": integer, "year_id": integer,
        "period_number": integer, "cycle_day_letter": text,
    },
    "cc": {
        "dcid": integer, "id": integer, "studentid": integer, "sectionid": integer, "schoolid": integer,
        "termid": integer, "dateenrolled": day, "dateleft": day, "expression": text, "section_number": text,
        "course_number": text, "teacherid": integer,
    },
    "users": {
        "dcid": integer, "teachernumber": text, "first_name": text, "middle_name": text, "last_name": text,
        "email_addr": text, "homeschoolid": integer, "loginid": text, "teacherloginid": text, "title": text,
    },
    "schoolstaff": {
        "dcid": integer, "id": integer, "users_dcid": integer, "schoolid": integer, "status": integer,
        "staffstatus": integer,
    },
    "person": {
        "id": integer, "dcid": integer, "firstname": text, "middlename": text, "lastname": text, "gender": text,
        "employer": text, "isactive": flag,
    },
    "studentcontactassoc": {
        "studentcontactassocid": integer, "studentdcid": integer, "personid": integer,
        "contactpriorityorder": integer, "currreltypecodesetid": integer,
    },
    "studentcontactdetail": {
        "studentcontactdetailid": integer, "studentcontactassocid": integer, "relationshiptypecodesetid": integer,
        "isactive": flag, "isemergency": flag, "iscustodial": flag, "liveswithflg": flag, "schoolpickupflg": flag,
        "receivesmailflg": flag, "startdate": day, "enddate": day,
    },
    "emailaddress": {"emailaddressid": integer, "emailaddress": text},
    "personemailaddressassoc": {
        "personemailaddressassocid": integer, "personid": integer, "emailaddressid": integer,
        "emailtypecodesetid": integer, "isprimaryemailaddress": flag, "emailaddresspriorityorder": integer,
    },
    "phonenumber": {"phonenumberid": integer, "phonenumber": text, "phonenumberext": text},
    "personphonenumberassoc": {
        "personphonenumberassocid": integer, "personid": integer, "phonenumberid": integer,
        "phonetypecodesetid": integer, "phonenumberpriorityorder": integer, "ispreferred": flag, "issms": flag,
    },
    "codeset": {"codesetid": integer, "codetype": text, "code": text, "displayvalue": text, "description": text},
    "attendance_code": {
        "dcid": integer, "id": integer, "schoolid": integer, "yearid": integer, "att_code": text,
        "alternate_code": text, "description": text, "presence_status_cd": text, "sortorder": integer,
    },
    "attendance": {
        "dcid": integer, "id": integer, "studentid": integer, "schoolid": integer, "yearid": integer,
        "att_date": day, "att_mode_code": text, "attendance_codeid": integer, "calendar_dayid": integer,
        "att_comment": text, "programid": integer, "ccid": integer, "periodid": integer,
        "total_minutes": integer, "att_interval": integer, "whomodifiedid": integer, "whomodifiedtype": text,
    },
    "attendance_time": {
        "dcid": integer, "id": integer, "attendanceid": integer, "time_in": integer, "time_out": integer,
    },
}


def projection(table):
    """The `projection` parameter for a table: its columns, comma-separated."""
    return ",".join(TABLE_COLUMNS[table])
