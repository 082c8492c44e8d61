"""The sandbox's store: PowerSchool's own tables, as SQLite tables with PowerSchool's lower-case column names.

Keeping PowerSchool's table and column names means the table API, the PowerQueries and the v1 resources
all read one source of truth, and a projection like `projection=dcid,id,student_number` maps 1:1 to SQL.
Every PowerSchool table has `dcid` (the primary key, what v1 calls `id`) and most an `id` (the legacy key
other tables point at); the generator makes them differ on purpose.

Tables whose name starts with `sandbox_` are the sandbox's own configuration (the plugin, tokens, the
attendance mode per school and year, the data-version log); the API never exposes them as tables.
"""

POWERSCHOOL_TABLES = {
    "schools": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, school_number INTEGER NOT NULL UNIQUE, name TEXT NOT NULL,
        abbreviation TEXT, low_grade INTEGER, high_grade INTEGER, state_province_id TEXT,
        alternate_school_number INTEGER DEFAULT 0, school_address TEXT, school_city TEXT, school_state TEXT,
        school_zip TEXT, school_phone TEXT, principal TEXT, principalemail TEXT, asstprincipal TEXT,
        asstprincipalemail TEXT""",
    "terms": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, schoolid INTEGER NOT NULL, yearid INTEGER NOT NULL,
        name TEXT, abbreviation TEXT, firstday TEXT NOT NULL, lastday TEXT NOT NULL, isyearrec INTEGER NOT NULL,
        portion INTEGER NOT NULL""",
    "cycle_day": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, schoolid INTEGER NOT NULL, year_id INTEGER NOT NULL,
        letter TEXT NOT NULL, day_number INTEGER NOT NULL, abbreviation TEXT, day_name TEXT, sortorder INTEGER""",
    "bell_schedule": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, schoolid INTEGER NOT NULL, year_id INTEGER NOT NULL,
        name TEXT NOT NULL, attendance_conversion_id INTEGER DEFAULT 0""",
    "period": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, schoolid INTEGER NOT NULL, year_id INTEGER NOT NULL,
        period_number INTEGER NOT NULL, name TEXT, abbreviation TEXT, sort_order INTEGER""",
    "bell_schedule_items": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, bell_schedule_id INTEGER NOT NULL, period_id INTEGER NOT NULL,
        start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, minutes_attended INTEGER,
        daily_attendance_code INTEGER DEFAULT 0, ada_code INTEGER DEFAULT 0""",
    "calendar_day": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, schoolid INTEGER NOT NULL, date_value TEXT NOT NULL,
        insession INTEGER NOT NULL, membershipvalue REAL DEFAULT 1, note TEXT, type TEXT,
        bell_schedule_id INTEGER, cycle_day_id INTEGER, scheduleid INTEGER DEFAULT 0, week_num INTEGER""",
    "courses": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, course_number TEXT NOT NULL UNIQUE, course_name TEXT NOT NULL,
        credit_hours REAL DEFAULT 1""",
    "users": """
        dcid INTEGER PRIMARY KEY, teachernumber TEXT, first_name TEXT, middle_name TEXT, last_name TEXT,
        lastfirst TEXT, email_addr TEXT, homeschoolid INTEGER, loginid TEXT, teacherloginid TEXT, title TEXT""",
    "schoolstaff": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, users_dcid INTEGER NOT NULL, schoolid INTEGER NOT NULL,
        status INTEGER NOT NULL DEFAULT 1, staffstatus INTEGER NOT NULL DEFAULT 1""",
    "sections": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, schoolid INTEGER NOT NULL, course_number TEXT NOT NULL,
        section_number TEXT NOT NULL, termid INTEGER NOT NULL, teacher INTEGER, expression TEXT,
        external_expression TEXT, att_mode_code TEXT, attendance_type_code INTEGER DEFAULT 2, room TEXT,
        gradebooktype TEXT DEFAULT '2', maxenrollment INTEGER DEFAULT 30""",
    "section_meeting": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL, sectionid INTEGER NOT NULL, schoolid INTEGER NOT NULL,
        year_id INTEGER NOT NULL, period_number INTEGER NOT NULL, cycle_day_letter TEXT NOT NULL,
        meeting TEXT""",
    "students": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, student_number INTEGER NOT NULL UNIQUE,
        state_studentnumber TEXT, first_name TEXT, middle_name TEXT, last_name TEXT, lastfirst TEXT,
        grade_level INTEGER, schoolid INTEGER NOT NULL, enroll_status INTEGER NOT NULL, entrydate TEXT,
        exitdate TEXT, entrycode TEXT, gender TEXT, dob TEXT, home_phone TEXT, home_room TEXT, mother TEXT,
        father TEXT, emerg_contact_1 TEXT, emerg_phone_1 TEXT, emerg_contact_2 TEXT, emerg_phone_2 TEXT,
        guardianemail TEXT, student_web_id TEXT, street TEXT, city TEXT, state TEXT, zip TEXT, classof INTEGER,
        districtentrygradelevel INTEGER, lunch_id INTEGER, fedethnicity INTEGER, ethnicity TEXT,
        alert_medical TEXT, student_email TEXT, next_school INTEGER, sched_nextyeargrade INTEGER""",
    "cc": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, studentid INTEGER NOT NULL, sectionid INTEGER NOT NULL,
        schoolid INTEGER NOT NULL, termid INTEGER NOT NULL, dateenrolled TEXT NOT NULL, dateleft TEXT NOT NULL,
        expression TEXT, section_number TEXT, course_number TEXT, teacherid INTEGER, origsectionid INTEGER,
        attendance_type_code INTEGER DEFAULT 2, currentabsences INTEGER DEFAULT 0,
        currenttardies INTEGER DEFAULT 0""",
    "codeset": """
        codesetid INTEGER PRIMARY KEY, dcid INTEGER, codetype TEXT NOT NULL, code TEXT NOT NULL,
        displayvalue TEXT, description TEXT""",
    "person": """
        id INTEGER PRIMARY KEY, dcid INTEGER NOT NULL, firstname TEXT, middlename TEXT, lastname TEXT,
        gender TEXT, employer TEXT, contactnumber TEXT, isactive INTEGER NOT NULL DEFAULT 1""",
    "studentcontactassoc": """
        studentcontactassocid INTEGER PRIMARY KEY, dcid INTEGER NOT NULL, studentdcid INTEGER NOT NULL,
        personid INTEGER NOT NULL, contactpriorityorder INTEGER, currreltypecodesetid INTEGER""",
    "studentcontactdetail": """
        studentcontactdetailid INTEGER PRIMARY KEY, dcid INTEGER NOT NULL, studentcontactassocid INTEGER NOT NULL,
        relationshiptypecodesetid INTEGER, relationshipnote TEXT, isactive INTEGER NOT NULL DEFAULT 1,
        isemergency INTEGER NOT NULL DEFAULT 0, iscustodial INTEGER NOT NULL DEFAULT 0,
        liveswithflg INTEGER NOT NULL DEFAULT 0, schoolpickupflg INTEGER NOT NULL DEFAULT 0,
        receivesmailflg INTEGER NOT NULL DEFAULT 0, startdate TEXT, enddate TEXT""",
    "emailaddress": """
        emailaddressid INTEGER PRIMARY KEY, dcid INTEGER NOT NULL, emailaddress TEXT NOT NULL""",
    "personemailaddressassoc": """
        personemailaddressassocid INTEGER PRIMARY KEY, dcid INTEGER NOT NULL, personid INTEGER NOT NULL,
        emailaddressid INTEGER NOT NULL, emailtypecodesetid INTEGER, isprimaryemailaddress INTEGER DEFAULT 0,
        emailaddresspriorityorder INTEGER DEFAULT 1""",
    "phonenumber": """
        phonenumberid INTEGER PRIMARY KEY, dcid INTEGER NOT NULL, phonenumber TEXT NOT NULL, phonenumberext TEXT""",
    "personphonenumberassoc": """
        personphonenumberassocid INTEGER PRIMARY KEY, dcid INTEGER NOT NULL, personid INTEGER NOT NULL,
        phonenumberid INTEGER NOT NULL, phonetypecodesetid INTEGER, phonenumberpriorityorder INTEGER DEFAULT 1,
        ispreferred INTEGER DEFAULT 0, issms INTEGER DEFAULT 0""",
    "attendance_code": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, schoolid INTEGER NOT NULL, yearid INTEGER NOT NULL,
        att_code TEXT NOT NULL, alternate_code TEXT DEFAULT '', description TEXT, presence_status_cd TEXT,
        course_credit_points TEXT DEFAULT '0', assignment_filter_yn INTEGER DEFAULT 0,
        calculate_ada_yn INTEGER DEFAULT 1, calculate_adm_yn INTEGER DEFAULT 1, sortorder INTEGER,
        attendancecodeinfo_guid TEXT DEFAULT '', unused1 TEXT DEFAULT ''""",
    "attendance": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, studentid INTEGER NOT NULL, schoolid INTEGER NOT NULL,
        yearid INTEGER NOT NULL, att_date TEXT NOT NULL, attendance_codeid INTEGER NOT NULL,
        att_mode_code TEXT NOT NULL, ccid INTEGER DEFAULT 0, periodid INTEGER DEFAULT 0, att_interval INTEGER DEFAULT 0,
        att_comment TEXT DEFAULT '', calendar_dayid INTEGER DEFAULT 0, programid INTEGER DEFAULT 0,
        total_minutes INTEGER DEFAULT 0, ada_value_code REAL DEFAULT 0, ada_value_time REAL DEFAULT 0,
        adm_value REAL DEFAULT 0, lock_teacher_yn INTEGER DEFAULT 0, lock_reporting_yn INTEGER DEFAULT 0,
        parent_attendanceid INTEGER DEFAULT 0, att_flags INTEGER DEFAULT 0, transaction_type TEXT DEFAULT '',
        prog_crse_type TEXT DEFAULT '', ip_address TEXT DEFAULT '', whomodifiedid INTEGER DEFAULT 0,
        whomodifiedtype TEXT DEFAULT ''""",
    "attendance_time": """
        dcid INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, attendanceid INTEGER NOT NULL, time_in INTEGER DEFAULT 0,
        time_out INTEGER DEFAULT 0, atttm_comment TEXT DEFAULT '', omit_min_yn INTEGER DEFAULT 0,
        total_minutes INTEGER DEFAULT 0""",
}

# The column each table's `/ws/schema/table/{table}/{id}` path and the record-level `id` refer to.
PRIMARY_KEYS = {
    "codeset": "codesetid",
    "person": "id",
    "studentcontactassoc": "studentcontactassocid",
    "studentcontactdetail": "studentcontactdetailid",
    "emailaddress": "emailaddressid",
    "personemailaddressassoc": "personemailaddressassocid",
    "phonenumber": "phonenumberid",
    "personphonenumberassoc": "personphonenumberassocid",
}

INDEXES = [
    "CREATE INDEX IF NOT EXISTS students_school ON students (schoolid, dcid)",
    "CREATE INDEX IF NOT EXISTS terms_school_year ON terms (schoolid, yearid)",
    "CREATE INDEX IF NOT EXISTS calendar_school_date ON calendar_day (schoolid, date_value)",
    "CREATE INDEX IF NOT EXISTS sections_school ON sections (schoolid, dcid)",
    "CREATE INDEX IF NOT EXISTS section_meeting_section ON section_meeting (sectionid)",
    "CREATE INDEX IF NOT EXISTS cc_student ON cc (studentid, dateenrolled)",
    "CREATE INDEX IF NOT EXISTS cc_section ON cc (sectionid)",
    "CREATE INDEX IF NOT EXISTS schoolstaff_school ON schoolstaff (schoolid, dcid)",
    "CREATE INDEX IF NOT EXISTS sca_student ON studentcontactassoc (studentdcid)",
    "CREATE INDEX IF NOT EXISTS scd_assoc ON studentcontactdetail (studentcontactassocid)",
    "CREATE INDEX IF NOT EXISTS pea_person ON personemailaddressassoc (personid)",
    "CREATE INDEX IF NOT EXISTS ppa_person ON personphonenumberassoc (personid)",
    "CREATE INDEX IF NOT EXISTS attendance_code_school_year ON attendance_code (schoolid, yearid)",
    "CREATE INDEX IF NOT EXISTS attendance_student_date ON attendance (studentid, att_date, att_mode_code)",
    "CREATE INDEX IF NOT EXISTS attendance_time_attendance ON attendance_time (attendanceid)",
    "CREATE INDEX IF NOT EXISTS bell_items_schedule ON bell_schedule_items (bell_schedule_id)",
    "CREATE INDEX IF NOT EXISTS dataversion_table ON sandbox_dataversion (table_name, version)",
]

SANDBOX_TABLES = {
    # One row: the installed plugin, as PowerSchool's Plugin Management page would hold it.
    "sandbox_plugin": """
        plugin_id INTEGER PRIMARY KEY, name TEXT NOT NULL, client_id TEXT NOT NULL, client_secret TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1, dataversion_app TEXT NOT NULL, v1_access_level TEXT NOT NULL DEFAULT 'FULL',
        min_request_interval_ms INTEGER NOT NULL DEFAULT 0, token_lifetime_s INTEGER NOT NULL DEFAULT 2592000,
        reuse_token INTEGER NOT NULL DEFAULT 1, max_page_size INTEGER NOT NULL DEFAULT 100,
        max_table_page_size INTEGER NOT NULL DEFAULT 100""",
    # The plugin's granted field access, as an installed plugin.xml's <access_request> grants it.
    "sandbox_field_access": """
        table_name TEXT NOT NULL, field_name TEXT NOT NULL, access TEXT NOT NULL,
        PRIMARY KEY (table_name, field_name)""",
    "sandbox_token": """
        token TEXT PRIMARY KEY, expires_at REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0""",
    # PowerSchool's attendance preferences: the one recording method a school uses in a year.
    "sandbox_attendance_mode": """
        schoolid INTEGER NOT NULL, yearid INTEGER NOT NULL, att_mode_code TEXT NOT NULL,
        PRIMARY KEY (schoolid, yearid)""",
    # Every insert/update/delete of a PowerSchool table: what /ws/dataversion and $dataversion read.
    "sandbox_dataversion": """
        version INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, dcid INTEGER NOT NULL,
        operation TEXT NOT NULL""",
    # Free-form settings: profile, quirks, district identity, the generator's seed and date.
    "sandbox_setting": """
        key TEXT PRIMARY KEY, value TEXT NOT NULL""",
}


def create_statements():
    """The DDL that builds an empty store, idempotently."""
    tables = {**POWERSCHOOL_TABLES, **SANDBOX_TABLES}
    statements = [f"CREATE TABLE IF NOT EXISTS {name} ({columns})" for name, columns in tables.items()]
    return statements + INDEXES


def primary_key(table):
    return PRIMARY_KEYS.get(table, "dcid")


def columns(table):
    """The column names of a PowerSchool table, in declaration order."""
    return [part.split()[0] for part in _split_columns(POWERSCHOOL_TABLES[table])]


def _split_columns(definition):
    parts, depth, current = [], 0, ""
    for char in definition:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [part for part in parts if part and not part.upper().startswith("PRIMARY KEY")]
