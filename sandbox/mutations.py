"""Changes a registrar makes to the district: enrolments, withdrawals, renames, contacts and schedules.

Each public function runs in one store transaction and logs every row it inserts, updates or deletes in the
data-version log, so a delta sync sees exactly what a real PowerSchool would report. Bad input raises
ValueError with a message fit to show the person who sent it.
"""

import datetime

from sandbox import generator
from sandbox.generator import Contact, legacy_contact_fields
from sandbox.store import Store

ONE_DAY = datetime.timedelta(days=1)
CONTACT_FLAGS = {  # the name a caller uses -> the studentcontactdetail column
    "emergency": "isemergency",
    "custodial": "iscustodial",
    "lives_with": "liveswithflg",
    "school_pickup": "schoolpickupflg",
    "receives_mail": "receivesmailflg",
}
PARENTS = {"Mother", "Father", "Guardian", "Stepmother", "Stepfather"}


# --- students -------------------------------------------------------------------------------------------------


def enroll_student(
    store,
    *,
    school_number,
    grade_level,
    first_name,
    last_name,
    middle_name="",
    gender="F",
    dob=None,
    entrydate=None,
    contacts=(),
    sections=None,
):
    """Enrol a new student with contacts and a schedule; returns the student's keys.

    Without `sections` (SECTIONS.DCIDs) the student gets the schedule most classmates in that grade have.
    """
    entrydate = _date(entrydate, "entrydate") if entrydate else datetime.date.today()
    first_name, last_name = _name(first_name, "first_name"), _name(last_name, "last_name")
    if gender not in ("F", "M", "X"):
        raise ValueError(f"gender must be F, M or X, not {gender!r}")
    with store.transaction() as conn:
        school = _school(conn, school_number)
        grade_level = _grade(grade_level, school)
        year_term = _year_term(conn, school["school_number"], entrydate)
        student = _insert(
            conn,
            "students",
            {
                "id": Store.next_key(conn, "students", "id"),
                "student_number": Store.next_key(conn, "students", "student_number"),
                "first_name": first_name,
                "middle_name": middle_name,
                "last_name": last_name,
                "lastfirst": _lastfirst(first_name, middle_name, last_name),
                "grade_level": grade_level,
                "schoolid": school["school_number"],
                "enroll_status": 0 if entrydate <= datetime.date.today() else -1,
                "entrydate": entrydate.isoformat(),
                "exitdate": _day_after(year_term["lastday"]),
                "entrycode": "01",
                "gender": gender,
                "dob": _date(dob, "dob").isoformat() if dob else None,
                "street": "",
                "city": "",
                "state": "",
                "zip": "",
                "home_room": "",
            },
        )
        for contact in contacts:
            _add_contact(conn, student, contact)
        _refresh_legacy_contact_fields(conn, student)
        chosen = (
            [_section(conn, dcid, school["school_number"]) for dcid in sections]
            if sections is not None
            else _usual_schedule(conn, school["school_number"], grade_level, year_term["yearid"])
        )
        for section in chosen:
            _add_cc(conn, student, section, entrydate, strict=sections is not None)
    return _keys(student)


def withdraw_student(store, student_dcid, *, exitdate=None):
    """Transfer a student out: enroll_status 2, exitdate (the first day no longer attended), classes closed."""
    exitdate = _date(exitdate, "exitdate") if exitdate else datetime.date.today()
    with store.transaction() as conn:
        student = _student(conn, student_dcid)
        if student["enroll_status"] != 0:
            raise ValueError(f"Student {student_dcid} is not active (enroll_status {student['enroll_status']})")
        if exitdate <= datetime.date.fromisoformat(student["entrydate"]):
            raise ValueError(f"exitdate {exitdate} must be after the entrydate {student['entrydate']}")
        _update(conn, "students", student["dcid"], enroll_status=2, exitdate=exitdate.isoformat())
        for cc in conn.execute(
            "SELECT * FROM cc WHERE studentid = ? AND sectionid > 0 AND dateleft > ?",
            (student["id"], exitdate.isoformat()),
        ).fetchall():
            if cc["dateenrolled"] >= exitdate.isoformat():
                _drop_cc(conn, cc, datetime.date.fromisoformat(cc["dateenrolled"]))
            else:
                _update(conn, "cc", cc["dcid"], dateleft=exitdate.isoformat())
    return {**_keys(student), "enroll_status": 2, "exitdate": exitdate.isoformat()}


def rename_student(store, student_dcid, *, first_name=None, middle_name=None, last_name=None):
    if first_name is None and middle_name is None and last_name is None:
        raise ValueError("Give at least one of first_name, middle_name, last_name")
    with store.transaction() as conn:
        student = _student(conn, student_dcid)
        first = _name(first_name, "first_name") if first_name is not None else student["first_name"]
        last = _name(last_name, "last_name") if last_name is not None else student["last_name"]
        middle = middle_name.strip() if middle_name is not None else student["middle_name"]
        _update(
            conn,
            "students",
            student["dcid"],
            first_name=first,
            middle_name=middle,
            last_name=last,
            lastfirst=_lastfirst(first, middle, last),
        )
    return {**_keys(student), "first_name": first, "middle_name": middle, "last_name": last}


# --- contacts -------------------------------------------------------------------------------------------------


def change_contacts(store, student_dcid, *, add=(), remove=(), edit=()):
    """Add contacts (dicts), remove them (PERSON.IDs) and edit them (dicts with person_id), all at once.

    A contact dict has first_name, last_name, relationship (a Relationship code such as "Mother"), optional
    gender, phone, email and the flags emergency, custodial, lives_with, school_pickup, receives_mail; with
    `person_id` instead of names it links an existing person, as a sibling's contacts are shared.
    """
    with store.transaction() as conn:
        student = _student(conn, student_dcid)
        added = [_add_contact(conn, student, contact) for contact in add]
        for person_id in remove:
            _remove_contact(conn, student, person_id)
        for changes in edit:
            _edit_contact(conn, student, changes)
        _refresh_legacy_contact_fields(conn, student)
    return {**_keys(student), "added_person_ids": added}


def set_pickup(store, student_dcid, person_id, allowed):
    """Allow or forbid a contact to pick the student up (the flag visitor management checks)."""
    return change_contacts(store, student_dcid, edit=[{"person_id": person_id, "school_pickup": bool(allowed)}])


def _add_contact(conn, student, contact):
    contact = dict(contact)
    relationship = _codeset(conn, "Relationship", contact.pop("relationship", None))
    person_id = contact.pop("person_id", None)
    if person_id is None:
        person_id = _new_person(conn, contact)
    elif conn.execute("SELECT 1 FROM person WHERE id = ?", (person_id,)).fetchone() is None:
        raise ValueError(f"No contact with person_id {person_id}")
    if conn.execute(
        "SELECT 1 FROM studentcontactassoc WHERE studentdcid = ? AND personid = ?", (student["dcid"], person_id)
    ).fetchone():
        raise ValueError(f"Person {person_id} is already a contact of student {student['dcid']}")
    order = conn.execute(
        "SELECT COALESCE(MAX(contactpriorityorder), 0) + 1 FROM studentcontactassoc WHERE studentdcid = ?",
        (student["dcid"],),
    ).fetchone()[0]
    assoc = _insert(
        conn,
        "studentcontactassoc",
        {
            "studentcontactassocid": Store.next_key(conn, "studentcontactassoc", "studentcontactassocid"),
            "studentdcid": student["dcid"],
            "personid": person_id,
            "contactpriorityorder": order,
            "currreltypecodesetid": relationship,
        },
    )
    flags = {
        column: int(bool(contact.get(name, _flag_default(conn, relationship, name))))
        for name, column in CONTACT_FLAGS.items()
    }
    _insert(
        conn,
        "studentcontactdetail",
        {
            "studentcontactdetailid": Store.next_key(conn, "studentcontactdetail", "studentcontactdetailid"),
            "studentcontactassocid": assoc["studentcontactassocid"],
            "relationshiptypecodesetid": relationship,
            "relationshipnote": "",
            "isactive": 1,
            **flags,
        },
    )
    return person_id


def _flag_default(conn, relationship_id, flag):
    """Parents are custodial, live with the child and get the mail; every contact is an emergency contact."""
    code = conn.execute("SELECT code FROM codeset WHERE codesetid = ?", (relationship_id,)).fetchone()["code"]
    return flag in ("emergency", "school_pickup") or code in PARENTS


def _new_person(conn, contact):
    person_id = Store.next_key(conn, "person", "id")
    _insert(
        conn,
        "person",
        {
            "id": person_id,
            "firstname": _name(contact.get("first_name"), "first_name"),
            "middlename": "",
            "lastname": _name(contact.get("last_name"), "last_name"),
            "gender": contact.get("gender", ""),
            "employer": "",
            "contactnumber": f"C{person_id}",
            "isactive": 1,
        },
    )
    if contact.get("phone"):
        _add_phone(conn, person_id, contact["phone"], contact.get("phone_type", "Mobile"))
    if contact.get("email"):
        _add_email(conn, person_id, contact["email"])
    return person_id


def _add_phone(conn, person_id, number, kind):
    phone = _insert(
        conn,
        "phonenumber",
        {
            "phonenumberid": Store.next_key(conn, "phonenumber", "phonenumberid"),
            "phonenumber": number,
            "phonenumberext": "",
        },
    )
    _insert(
        conn,
        "personphonenumberassoc",
        {
            "personphonenumberassocid": Store.next_key(conn, "personphonenumberassoc", "personphonenumberassocid"),
            "personid": person_id,
            "phonenumberid": phone["phonenumberid"],
            "phonetypecodesetid": _codeset(conn, "Phone", kind),
            "phonenumberpriorityorder": 1,
            "ispreferred": 1,
            "issms": int(kind == "Mobile"),
        },
    )


def _add_email(conn, person_id, address):
    email = _insert(
        conn,
        "emailaddress",
        {"emailaddressid": Store.next_key(conn, "emailaddress", "emailaddressid"), "emailaddress": address},
    )
    _insert(
        conn,
        "personemailaddressassoc",
        {
            "personemailaddressassocid": Store.next_key(conn, "personemailaddressassoc", "personemailaddressassocid"),
            "personid": person_id,
            "emailaddressid": email["emailaddressid"],
            "emailtypecodesetid": _codeset(conn, "Email", "Home"),
            "isprimaryemailaddress": 1,
            "emailaddresspriorityorder": 1,
        },
    )


def _remove_contact(conn, student, person_id):
    assoc = _contact_assoc(conn, student, person_id)
    for detail in conn.execute(
        "SELECT dcid FROM studentcontactdetail WHERE studentcontactassocid = ?", (assoc["studentcontactassocid"],)
    ).fetchall():
        _delete(conn, "studentcontactdetail", detail["dcid"])
    _delete(conn, "studentcontactassoc", assoc["dcid"])


def _edit_contact(conn, student, changes):
    changes = dict(changes)
    person_id = changes.pop("person_id", None)
    assoc = _contact_assoc(conn, student, person_id)
    unknown = set(changes) - {"first_name", "last_name", "phone", "email", "relationship", *CONTACT_FLAGS}
    if unknown:
        raise ValueError(f"Unknown contact fields: {', '.join(sorted(unknown))}")
    person = conn.execute("SELECT * FROM person WHERE id = ?", (person_id,)).fetchone()
    names = {
        column: _name(changes[key], key)
        for key, column in (("first_name", "firstname"), ("last_name", "lastname"))
        if key in changes
    }
    if names:
        _update(conn, "person", person["dcid"], **names)
    if "phone" in changes:
        _edit_phone(conn, person_id, changes["phone"])
    if "email" in changes:
        _edit_email(conn, person_id, changes["email"])
    detail_changes = {column: int(bool(changes[name])) for name, column in CONTACT_FLAGS.items() if name in changes}
    if "relationship" in changes:
        relationship = _codeset(conn, "Relationship", changes["relationship"])
        detail_changes["relationshiptypecodesetid"] = relationship
        _update(conn, "studentcontactassoc", assoc["dcid"], currreltypecodesetid=relationship)
    if detail_changes:
        detail = conn.execute(
            "SELECT dcid FROM studentcontactdetail WHERE studentcontactassocid = ?", (assoc["studentcontactassocid"],)
        ).fetchone()
        _update(conn, "studentcontactdetail", detail["dcid"], **detail_changes)


def _edit_phone(conn, person_id, number):
    preferred = conn.execute(
        "SELECT p.dcid FROM personphonenumberassoc a JOIN phonenumber p ON p.phonenumberid = a.phonenumberid "
        "WHERE a.personid = ? ORDER BY a.ispreferred DESC, a.phonenumberpriorityorder LIMIT 1",
        (person_id,),
    ).fetchone()
    if preferred is None:
        _add_phone(conn, person_id, number, "Mobile")
    else:
        _update(conn, "phonenumber", preferred["dcid"], phonenumber=number)


def _edit_email(conn, person_id, address):
    primary = conn.execute(
        "SELECT e.dcid FROM personemailaddressassoc a JOIN emailaddress e ON e.emailaddressid = a.emailaddressid "
        "WHERE a.personid = ? ORDER BY a.isprimaryemailaddress DESC, a.emailaddresspriorityorder LIMIT 1",
        (person_id,),
    ).fetchone()
    if primary is None:
        _add_email(conn, person_id, address)
    else:
        _update(conn, "emailaddress", primary["dcid"], emailaddress=address)


def _contact_assoc(conn, student, person_id):
    assoc = conn.execute(
        "SELECT * FROM studentcontactassoc WHERE studentdcid = ? AND personid = ?", (student["dcid"], person_id)
    ).fetchone()
    if assoc is None:
        raise ValueError(f"Person {person_id} is not a contact of student {student['dcid']}")
    return assoc


def student_contacts(conn, student_dcid):
    """The student's contacts in priority order, as the generator describes them."""
    rows = conn.execute(
        """
        SELECT p.id, p.firstname, p.lastname, c.code AS relationship, d.isemergency, d.iscustodial,
               d.liveswithflg, d.schoolpickupflg, d.receivesmailflg,
               (SELECT n.phonenumber FROM personphonenumberassoc pa JOIN phonenumber n ON n.phonenumberid = pa.phonenumberid
                 WHERE pa.personid = p.id ORDER BY pa.ispreferred DESC, pa.phonenumberpriorityorder LIMIT 1) AS phone,
               (SELECT e.emailaddress FROM personemailaddressassoc ea JOIN emailaddress e ON e.emailaddressid = ea.emailaddressid
                 WHERE ea.personid = p.id ORDER BY ea.isprimaryemailaddress DESC, ea.emailaddresspriorityorder LIMIT 1) AS email
        FROM studentcontactassoc a
        JOIN person p ON p.id = a.personid
        JOIN studentcontactdetail d ON d.studentcontactassocid = a.studentcontactassocid
        LEFT JOIN codeset c ON c.codesetid = d.relationshiptypecodesetid
        WHERE a.studentdcid = ? ORDER BY a.contactpriorityorder
        """,
        (student_dcid,),
    ).fetchall()
    return [
        Contact(
            row["id"],
            f"{row['lastname']}, {row['firstname']}",
            row["relationship"] or "Other",
            {column: row[column] for column in CONTACT_FLAGS.values()},
            row["phone"] or "",
            row["email"] or "",
        )
        for row in rows
    ]


def _refresh_legacy_contact_fields(conn, student):
    """Keep the STUDENTS guardian columns in step with the contacts, as PowerSchool does."""
    fields = legacy_contact_fields(student_contacts(conn, student["dcid"]))
    current = conn.execute("SELECT * FROM students WHERE dcid = ?", (student["dcid"],)).fetchone()
    changed = {column: value for column, value in fields.items() if current[column] != value}
    if changed:
        _update(conn, "students", student["dcid"], **changed)


# --- schedules ------------------------------------------------------------------------------------------------


def change_schedule(store, student_dcid, *, drop=(), add=(), on=None):
    """Drop CC rows (CC.DCIDs) and enrol in sections (SECTIONS.DCIDs) as of `on` (default today)."""
    on = _date(on, "on") if on else datetime.date.today()
    with store.transaction() as conn:
        student = _student(conn, student_dcid)
        for cc_dcid in drop:
            cc = conn.execute("SELECT * FROM cc WHERE dcid = ? AND studentid = ?", (cc_dcid, student["id"])).fetchone()
            if cc is None:
                raise ValueError(f"Student {student_dcid} has no enrolment (CC) with DCID {cc_dcid}")
            if cc["sectionid"] < 0:
                raise ValueError(f"Enrolment {cc_dcid} is already dropped")
            if on.isoformat() >= cc["dateleft"]:
                raise ValueError(f"Enrolment {cc_dcid} already ended on {cc['dateleft']}")
            _drop_cc(conn, cc, max(on, datetime.date.fromisoformat(cc["dateenrolled"])))
        added = [_add_cc(conn, student, _section(conn, dcid, student["schoolid"]), on, strict=True) for dcid in add]
    return {**_keys(student), "added_cc_dcids": [cc["dcid"] for cc in added if cc]}


def _drop_cc(conn, cc, on):
    """PowerSchool marks a dropped enrolment by negating its section and term."""
    _update(conn, "cc", cc["dcid"], sectionid=-abs(cc["sectionid"]), termid=-abs(cc["termid"]), dateleft=on.isoformat())


def _add_cc(conn, student, section, on, *, strict):
    term = conn.execute(
        "SELECT firstday, lastday FROM terms WHERE schoolid = ? AND id = ?", (section["schoolid"], section["termid"])
    ).fetchone()
    enrolled = max(on.isoformat(), term["firstday"], student["entrydate"])
    left = _day_after(term["lastday"])
    if enrolled >= left:
        if strict:
            raise ValueError(f"Section {section['dcid']}'s term ended on {term['lastday']}")
        return None
    active = conn.execute(
        "SELECT 1 FROM cc WHERE studentid = ? AND sectionid = ? AND dateleft > ?",
        (student["id"], section["id"], enrolled),
    ).fetchone()
    if active:
        raise ValueError(f"Student {student['dcid']} is already enrolled in section {section['dcid']}")
    return _insert(
        conn,
        "cc",
        {
            "id": Store.next_key(conn, "cc", "id"),
            "studentid": student["id"],
            "sectionid": section["id"],
            "schoolid": section["schoolid"],
            "termid": section["termid"],
            "dateenrolled": enrolled,
            "dateleft": left,
            "expression": section["expression"],
            "section_number": section["section_number"],
            "course_number": section["course_number"],
            "teacherid": section["teacher"],
            "origsectionid": section["id"],
            "attendance_type_code": 2,
            "currentabsences": 0,
            "currenttardies": 0,
        },
    )


def _usual_schedule(conn, school_number, grade_level, yearid):
    """The sections classmates in the same grade take most, without two in the same period, day and quarter."""
    candidates = conn.execute(
        """
        SELECT s.*, COUNT(*) AS classmates FROM cc
        JOIN students st ON st.id = cc.studentid
        JOIN sections s ON s.id = cc.sectionid
        WHERE st.schoolid = ? AND st.grade_level = ? AND cc.sectionid > 0 AND cc.termid BETWEEN ? AND ?
        GROUP BY s.id ORDER BY classmates DESC, s.id
        """,
        (school_number, grade_level, yearid * 100, yearid * 100 + 99),
    ).fetchall()
    taken, chosen = set(), []
    for section in candidates:
        slots = {
            (period, letter, quarter)
            for period, letter in generator.expand_expression(section["expression"])
            for quarter in _quarters(section["termid"])
        }
        if not slots & taken:
            taken |= slots
            chosen.append(section)
    return chosen


def _quarters(termid):
    offset = abs(termid) % 100
    return {0: (1, 2, 3, 4), 1: (1, 2), 2: (3, 4)}.get(offset, (offset - 2,))


# --- attendance preferences ---------------------------------------------------------------------------------

ATTENDANCE_MODES = ("ATT_ModeDaily", "ATT_ModeMeeting", "ATT_ModeTime", "ATT_ModeInterval")


def set_attendance_mode(store, school_number, yearid, mode):
    """Choose the attendance recording method a school uses in a year (its Attendance Preferences)."""
    mode = mode if mode in ATTENDANCE_MODES else f"ATT_Mode{str(mode).capitalize()}"
    if mode not in ATTENDANCE_MODES:
        raise ValueError(f"mode must be one of {', '.join(ATTENDANCE_MODES)} (or Daily, Meeting, Time, Interval)")
    with store.transaction() as conn:
        school = _school(conn, school_number)
        yearid = _whole(yearid, "yearid")
        if (
            conn.execute(
                "SELECT 1 FROM terms WHERE schoolid = ? AND yearid = ?", (school["school_number"], yearid)
            ).fetchone()
            is None
        ):
            raise ValueError(f"School {school_number} has no terms in year {yearid}")
        conn.execute(
            "INSERT INTO sandbox_attendance_mode (schoolid, yearid, att_mode_code) VALUES (?, ?, ?) "
            "ON CONFLICT (schoolid, yearid) DO UPDATE SET att_mode_code = excluded.att_mode_code",
            (school["school_number"], yearid, mode),
        )
    return {"school_number": school["school_number"], "yearid": yearid, "att_mode_code": mode}


# --- reset ----------------------------------------------------------------------------------------------------


def reset(store):
    """Regenerate the district from its stored seed, size, profile and date, keeping the installed plugin."""
    seed, students = store.get_setting("seed"), store.get_setting("students")
    if seed is None or students is None:
        raise ValueError("This store holds no generated district to reset")
    plugin = store.query_one("SELECT * FROM sandbox_plugin ORDER BY plugin_id LIMIT 1")
    access = [tuple(row) for row in store.query("SELECT table_name, field_name, access FROM sandbox_field_access")]
    counts = generator.generate_district(
        store,
        seed=seed,
        students=students,
        profile=store.get_setting("profile", "25.7"),
        today=datetime.date.fromisoformat(store.get_setting("today")),
        client_id=plugin["client_id"] if plugin else None,
        client_secret=plugin["client_secret"] if plugin else None,
    )
    if plugin:
        with store.transaction() as conn:
            conn.execute("DELETE FROM sandbox_plugin")
            conn.execute(
                f"INSERT INTO sandbox_plugin ({', '.join(plugin.keys())}) VALUES ({', '.join('?' * len(plugin))})",
                tuple(plugin),
            )
            conn.execute("DELETE FROM sandbox_field_access")
            conn.executemany(
                "INSERT INTO sandbox_field_access (table_name, field_name, access) VALUES (?, ?, ?)", access
            )
    return counts


# --- helpers --------------------------------------------------------------------------------------------------


def _insert(conn, table, row):
    """Insert a row with a fresh DCID and log it; returns the row as inserted."""
    row = {**row, "dcid": Store.next_key(conn, table, "dcid")}
    columns = ", ".join(row)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    Store.record_change(conn, table, row["dcid"], "insert")
    return row


def _update(conn, table, dcid, **values):
    assignments = ", ".join(f"{column} = ?" for column in values)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE dcid = ?", (*values.values(), dcid))
    Store.record_change(conn, table, dcid, "update")


def _delete(conn, table, dcid):
    conn.execute(f"DELETE FROM {table} WHERE dcid = ?", (dcid,))
    Store.record_change(conn, table, dcid, "delete")


def _student(conn, dcid):
    row = conn.execute("SELECT * FROM students WHERE dcid = ?", (_whole(dcid, "student dcid"),)).fetchone()
    if row is None:
        raise ValueError(f"No student with DCID {dcid}")
    return row


def _school(conn, school_number):
    row = conn.execute(
        "SELECT * FROM schools WHERE school_number = ?", (_whole(school_number, "school_number"),)
    ).fetchone()
    if row is None:
        raise ValueError(f"No school with school_number {school_number}")
    return row


def _section(conn, dcid, school_number):
    row = conn.execute("SELECT * FROM sections WHERE dcid = ?", (_whole(dcid, "section dcid"),)).fetchone()
    if row is None:
        raise ValueError(f"No section with DCID {dcid}")
    if row["schoolid"] != school_number:
        raise ValueError(
            f"Section {dcid} belongs to school {row['schoolid']}, not the student's school {school_number}"
        )
    return row


def _year_term(conn, school_number, day):
    row = conn.execute(
        "SELECT * FROM terms WHERE schoolid = ? AND isyearrec = 1 AND firstday <= ? AND lastday >= ?",
        (school_number, day.isoformat(), day.isoformat()),
    ).fetchone()
    if row is None:
        raise ValueError(f"School {school_number} has no school year containing {day}")
    return row


def _codeset(conn, codetype, code):
    row = conn.execute(
        "SELECT codesetid FROM codeset WHERE codetype = ? AND lower(code) = lower(?)", (codetype, code or "")
    ).fetchone()
    if row is None:
        known = [r["code"] for r in conn.execute("SELECT code FROM codeset WHERE codetype = ?", (codetype,))]
        raise ValueError(f"Unknown {codetype.lower()} {code!r}; one of: {', '.join(known)}")
    return row["codesetid"]


def _grade(grade_level, school):
    grade = _whole(grade_level, "grade_level")
    if not school["low_grade"] <= grade <= school["high_grade"]:
        raise ValueError(
            f"{school['name']} teaches grades {school['low_grade']} to {school['high_grade']}, not {grade}"
        )
    return grade


def _whole(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _name(value, name):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value.strip()


def _date(value, name):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a date like 2026-10-14, not {value!r}") from error


def _day_after(iso_day):
    return (datetime.date.fromisoformat(iso_day) + ONE_DAY).isoformat()


def _lastfirst(first, middle, last):
    return f"{last}, {first} {middle}".rstrip()


def _keys(student):
    return {"dcid": student["dcid"], "id": student["id"], "student_number": student["student_number"]}
