"""The Contacts API (powerschool-api.md §5.1–5.2, since 12.0.0.0) over the unlimited-contacts tables.

Unlike v1, it answers with explicit nulls and real arrays: the single-element quirk never applies here.
"""

from sandbox.http import HttpError, Response


def student_contacts_view(ctx, request, dcid):
    _require_contacts_api(ctx, request)
    people = ctx.store.query(
        "SELECT p.* FROM studentcontactassoc sca JOIN person p ON p.id = sca.personid "
        "WHERE sca.studentdcid = ? ORDER BY sca.contactpriorityorder, sca.studentcontactassocid",
        (int(dcid),),
    )
    if not people:
        return Response.empty(204)
    return Response.json([contact_json(ctx, person) for person in people])


def contact_view(ctx, request, contact_id):
    _require_contacts_api(ctx, request)
    person = ctx.store.query_one("SELECT * FROM person WHERE id = ?", (int(contact_id),))
    if person is None:
        raise HttpError(Response.message(404, f"Contact {contact_id} not found"))
    return Response.json(contact_json(ctx, person))


def _require_contacts_api(ctx, request):
    if not ctx.profile.has_contacts_api:
        raise HttpError(Response.message(404, f"The resource {request.path} was not found"))


def contact_json(ctx, person):
    return {
        "contactId": person["id"],
        "firstName": person["firstname"],
        "middleName": _text(person["middlename"]),
        "lastName": person["lastname"],
        "prefix": None,
        "suffix": None,
        "gender": person["gender"],
        "employer": _text(person["employer"]),
        "stateContactNumber": None,
        "contactNumber": person["contactnumber"],
        "stateExcludeFromReporting": False,
        "active": bool(person["isactive"]),
        "emails": _emails(ctx, person["id"]),
        "phones": _phones(ctx, person["id"]),
        "language": None,
        "contactAccount": None,
        # The sandbox stores contacts' addresses on the student, not in PowerSchool's address tables.
        "addresses": [],
        "contactStudents": _students(ctx, person["id"]),
        "mergedIds": [],
        "mergeAccountId": None,
        "@extensions": "personcorefields",
    }


def _emails(ctx, person_id):
    rows = ctx.store.query(
        "SELECT a.*, e.emailaddress, cs.code AS type FROM personemailaddressassoc a "
        "JOIN emailaddress e ON e.emailaddressid = a.emailaddressid "
        "LEFT JOIN codeset cs ON cs.codesetid = a.emailtypecodesetid "
        "WHERE a.personid = ? ORDER BY a.emailaddresspriorityorder, a.personemailaddressassocid",
        (person_id,),
    )
    return [
        {
            "deleted": False,
            "contactEmailId": row["personemailaddressassocid"],
            "primary": bool(row["isprimaryemailaddress"]),
            "emailId": row["emailaddressid"],
            "type": row["type"],
            "address": row["emailaddress"],
        }
        for row in rows
    ]


def _phones(ctx, person_id):
    rows = ctx.store.query(
        "SELECT a.*, n.phonenumber, n.phonenumberext, cs.code AS type FROM personphonenumberassoc a "
        "JOIN phonenumber n ON n.phonenumberid = a.phonenumberid "
        "LEFT JOIN codeset cs ON cs.codesetid = a.phonetypecodesetid "
        "WHERE a.personid = ? ORDER BY a.phonenumberpriorityorder, a.personphonenumberassocid",
        (person_id,),
    )
    return [
        {
            "deleted": False,
            "contactsPhoneId": row["personphonenumberassocid"],
            "sequence": row["phonenumberpriorityorder"],
            "preferred": bool(row["ispreferred"]),
            "phoneType": row["type"],
            "phoneNumberId": row["phonenumberid"],
            "phoneNumber": row["phonenumber"],
            "extension": row["phonenumberext"] or None,
            "sms": bool(row["issms"]),
        }
        for row in rows
    ]


def _students(ctx, person_id):
    rows = ctx.store.query(
        "SELECT sca.*, st.student_number, st.first_name, st.middle_name, st.last_name, st.schoolid, "
        "sc.abbreviation AS school_abbr, cs.code AS original_type FROM studentcontactassoc sca "
        "JOIN students st ON st.dcid = sca.studentdcid "
        "LEFT JOIN schools sc ON sc.school_number = st.schoolid "
        "LEFT JOIN codeset cs ON cs.codesetid = sca.currreltypecodesetid "
        "WHERE sca.personid = ? ORDER BY sca.studentcontactassocid",
        (person_id,),
    )
    return [_contact_student(ctx, row) for row in rows]


def _contact_student(ctx, row):
    details = _details(ctx, row["studentcontactassocid"])
    return {
        "deleted": False,
        "studentContactId": row["studentcontactassocid"],
        "sequence": row["contactpriorityorder"],
        "dcid": row["studentdcid"],
        "studentNumber": str(row["student_number"]),
        "firstName": row["first_name"],
        "middleName": _text(row["middle_name"]),
        "lastName": row["last_name"],
        "schoolAbbr": row["school_abbr"],
        "schoolNumber": row["schoolid"],
        "originalContactType": row["original_type"],
        "guardianId": None,
        # Data access follows custody, the rule districts most often configure.
        "canAccessData": any(detail["custodial"] for detail in details),
        "restrictions": [],
        "studentDetails": details,
    }


def _details(ctx, assoc_id):
    rows = ctx.store.query(
        "SELECT d.*, cs.code AS relationship FROM studentcontactdetail d "
        "LEFT JOIN codeset cs ON cs.codesetid = d.relationshiptypecodesetid "
        "WHERE d.studentcontactassocid = ? ORDER BY d.studentcontactdetailid",
        (assoc_id,),
    )
    return [
        {
            "deleted": False,
            "studentContactDetailId": row["studentcontactdetailid"],
            "studentContactId": row["studentcontactassocid"],
            "relationship": row["relationship"],
            "relationshipNote": _text(row["relationshipnote"]),
            "custodial": bool(row["iscustodial"]),
            "emergency": bool(row["isemergency"]),
            "livesWith": bool(row["liveswithflg"]),
            "schoolPickup": bool(row["schoolpickupflg"]),
            "startDate": row["startdate"],
            "endDate": row["enddate"],
            "receivesMail": bool(row["receivesmailflg"]),
            "excludeFromStateReporting": False,
            "active": bool(row["isactive"]),
        }
        for row in rows
    ]


def _text(value):
    """Blank text columns are nulls in this API, which sends every field and never an empty string."""
    return value or None


ROUTES = [
    ("GET", r"/ws/contacts/student/(?P<dcid>\d+)", student_contacts_view),
    ("GET", r"/ws/contacts/contact/(?P<contact_id>\d+)", contact_view),
]
