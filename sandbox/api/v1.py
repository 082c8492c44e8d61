"""PowerSchool's v1 core resources (powerschool-api.md §4): district, schools, students, staff, sections,
section enrollments, terms and courses, plus `/ws/v1/time` and `/ws/v1/metadata`.

Answers are shaped like a real server's: envelopes `{"<plural>": {"@expansions", "@extensions", "<singular>"}}`,
ids that are DCIDs, null fields left out, `""` for an empty expansion, and the single-element-list quirk.
Every list is paged in SQL (LIMIT/OFFSET), so serving a page never loads more than that page.
"""

import functools
from dataclasses import dataclass, field

from sandbox import fiql
from sandbox.http import HttpError, Response

DEFAULT_MAX_PAGE_SIZE = 100
# PowerSchool's "Graduated Students" school: it exists as a school but the district's school list leaves it out.
GRADUATED_SCHOOL_NUMBER = 999999

ENROLL_STATUSES = {
    0: ("A", "Active"),
    -1: ("P", "Pre-Registered"),
    2: ("T", "Transferred Out"),
    3: ("G", "Graduated"),
    4: ("H", "Historical"),
}
INACTIVE = ("I", "Inactive")
RACE_NAMES = {
    "W": "White",
    "B": "Black or African American",
    "A": "Asian",
    "H": "Hispanic or Latino",
    "I": "American Indian or Alaska Native",
    "P": "Native Hawaiian or Other Pacific Islander",
    "M": "Two or More Races",
}
HONORIFICS = {"Mr.", "Ms.", "Mrs.", "Miss", "Dr.", "Mr", "Ms", "Mrs", "Dr"}
ENROLL_STATUS_LETTER = (
    "(CASE st.enroll_status WHEN 0 THEN 'A' WHEN -1 THEN 'P' WHEN 2 THEN 'T' WHEN 3 THEN 'G' WHEN 4 THEN 'H' "
    "ELSE 'I' END) COLLATE NOCASE"
)


# --- shaping -------------------------------------------------------------------------------------------------


def pruned(**fields):
    """A JSON object without its null fields, or None when nothing is left (v1 omits nulls)."""
    kept = {key: value for key, value in fields.items() if value is not None and value != ""}
    return kept or None


def expansion_value(value):
    """A requested expansion with no data is `""`, never absent and never `{}`."""
    return value if value else ""


def repeated(ctx, items):
    """A repeated XML element as JSON: one item becomes an object when the single-element quirk is on."""
    if ctx.single_element_quirk and len(items) == 1:
        return items[0]
    return items


def identifier(ctx, value):
    """School numbers, local ids, state ids, section numbers: numbers on legacy servers, strings on modern ones."""
    if value is None or value == "":
        return None
    text = str(value)
    if ctx.profile.legacy:
        return int(text) if text.isdigit() else text
    return text


def person_name(text):
    """`{"first_name", "middle_name", "last_name"}` from free text: "First Middle Last", "Last, First" or "Ms. Last"."""
    if not text:
        return None
    if "," in text:
        last, _, rest = text.partition(",")
        given = rest.split()
        return pruned(
            first_name=given[0] if given else None, middle_name=" ".join(given[1:]) or None, last_name=last.strip()
        )
    words = text.split()
    if words[0] in HONORIFICS:
        return pruned(first_name=" ".join(words[1:-1]) or None, last_name=words[-1] if len(words) > 1 else None)
    if len(words) == 1:
        return pruned(first_name=words[0])
    return pruned(first_name=words[0], middle_name=" ".join(words[1:-1]) or None, last_name=words[-1])


def address(street, city, state, postal_code):
    return pruned(street=street, city=city, state_province=state, postal_code=postal_code)


# --- requests ------------------------------------------------------------------------------------------------


def page_window(ctx, request):
    """`(limit, offset)` from `page` (1-based) and `pagesize`, capped at the plugin's maximum."""
    maximum = (ctx.plugin or {}).get("max_page_size") or DEFAULT_MAX_PAGE_SIZE
    page = _whole_number(request.query.get("page"), "page", default=1, minimum=1)
    size = _whole_number(request.query.get("pagesize"), "pagesize", default=maximum, minimum=0)
    size = min(size or maximum, maximum)
    return size, (page - 1) * size


def _whole_number(text, name, *, default, minimum):
    if text is None or text.strip() == "":
        return default
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"The {name} parameter must be a whole number, got '{text}'") from None
    if number < minimum:
        raise ValueError(f"The {name} parameter must be at least {minimum}, got {number}")
    return number


def requested_expansions(request, available):
    """The requested expansions that exist; unknown names are ignored, as PowerSchool ignores them."""
    asked = {name.strip().lower() for name in request.query.get("expansions", "").split(",")}
    return [name for name in available if name in asked]


# --- resources -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    plural: str
    singular: str
    columns: str
    source: str
    order: str
    serialize: object  # (ctx, rows, expansions) -> list of JSON objects
    expansions: tuple = ()
    modern_expansions: tuple = ()
    extensions: str = ""
    # Which "@" keys the real answers carry: the 2015 fixtures show terms and courses without @expansions
    # and section enrollments with neither.
    shows_expansions: bool = True
    shows_extensions: bool = True
    selectors: dict = field(default_factory=dict)

    def available_expansions(self, ctx):
        return self.expansions + (() if ctx.profile.legacy else self.modern_expansions)

    def annotations(self, ctx):
        keys = {}
        if self.shows_expansions:
            keys["@expansions"] = ", ".join(self.available_expansions(ctx))
        if self.shows_extensions:
            keys["@extensions"] = self.extensions
        return keys

    def rows(self, ctx, where, params, limit=None, offset=0):
        sql = f"SELECT {self.columns} FROM {self.source} WHERE {where} ORDER BY {self.order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return ctx.store.query(sql, params)

    def count(self, ctx, where, params):
        return ctx.store.query_one(f"SELECT COUNT(*) AS n FROM {self.source} WHERE {where}", params)["n"]

    def where(self, request, scope, scope_params):
        q = request.query.get("q", "")
        if q.strip() and not self.selectors:
            raise ValueError(f"The q parameter is not supported for {self.plural}")
        q_sql, q_params = fiql.where_clause(q, self.selectors)
        return f"({scope}) AND ({q_sql})", [*scope_params, *q_params]


def list_response(ctx, request, resource, scope="1 = 1", scope_params=()):
    where, params = resource.where(request, scope, scope_params)
    limit, offset = page_window(ctx, request)
    rows = resource.rows(ctx, where, params, limit, offset)
    items = resource.serialize(ctx, rows, requested_expansions(request, resource.available_expansions(ctx)))
    body = resource.annotations(ctx)
    if items:
        body[resource.singular] = repeated(ctx, items)
    return Response.json({resource.plural: body})


def count_response(ctx, request, resource, scope="1 = 1", scope_params=()):
    where, params = resource.where(request, scope, scope_params)
    return Response.json({"resource": {"count": resource.count(ctx, where, params)}})


def single_response(ctx, request, resource, where, params, label):
    rows = resource.rows(ctx, where, params, limit=1)
    if not rows:
        raise HttpError(Response.message(404, f"{label} not found"))
    expansions = requested_expansions(request, resource.available_expansions(ctx))
    item = resource.serialize(ctx, rows, expansions)[0]
    return Response.json({resource.singular: {**resource.annotations(ctx), **item}})


# --- schools -------------------------------------------------------------------------------------------------


def school_items(ctx, rows, expansions):
    return [school_json(ctx, row, expansions) for row in rows]


def school_json(ctx, row, expansions):
    item = pruned(
        id=row["dcid"],
        name=row["name"],
        school_number=identifier(ctx, row["school_number"]),
        state_province_id=row["state_province_id"],
        low_grade=row["low_grade"],
        high_grade=row["high_grade"],
        alternate_school_number=row["alternate_school_number"],
        addresses=_physical(row),
        phones=pruned(main=pruned(number=row["school_phone"])),
        principal=pruned(name=person_name(row["principal"]), email=row["principalemail"]),
        assistant_principal=pruned(name=person_name(row["asstprincipal"]), email=row["asstprincipalemail"]),
    )
    # The sandbox keeps no boundaries, FTE definitions or fee setups, so those expansions are empty.
    return {**item, **{name: "" for name in expansions}}


def _physical(row):
    physical = address(row["school_address"], row["school_city"], row["school_state"], row["school_zip"])
    return pruned(physical=physical)


SCHOOLS = Resource(
    plural="schools",
    singular="school",
    columns="sc.*",
    source="schools sc",
    order="sc.school_number",
    serialize=school_items,
    expansions=("school_boundary", "full_time_equivalencies", "school_fees_setup"),
    extensions="schoolscorefields,c_school_registrar,s_sch_crdc_x,schoolssuccessnetfields",
)


def school_or_404(ctx, dcid):
    row = ctx.store.query_one("SELECT * FROM schools WHERE dcid = ?", (int(dcid),))
    if row is None:
        raise HttpError(Response.message(404, f"School {dcid} not found"))
    return row


# --- students ------------------------------------------------------------------------------------------------


def student_items(ctx, rows, expansions):
    return [student_json(ctx, row, expansions) for row in rows]


def student_json(ctx, row, expansions):
    item = pruned(
        id=row["dcid"],
        local_id=identifier(ctx, row["student_number"]),
        state_province_id=identifier(ctx, row["state_studentnumber"]),
        student_username=row["student_web_id"],
        name=pruned(first_name=row["first_name"], middle_name=row["middle_name"], last_name=row["last_name"]),
    )
    for name in expansions:
        item[name] = expansion_value(STUDENT_EXPANSIONS[name](ctx, row))
    return item


def _demographics(ctx, row):
    return pruned(gender=row["gender"], birth_date=row["dob"], projected_graduation_year=row["classof"])


def _student_addresses(ctx, row):
    place = address(row["street"], row["city"], row["state"], row["zip"])
    return pruned(physical=place, mailing=place)


def _alerts(ctx, row):
    return pruned(
        medical=pruned(description=row["alert_medical"], expires_date="NEVER_EXPIRES") if row["alert_medical"] else None
    )


def _phones(ctx, row):
    return pruned(main=pruned(number=row["home_phone"]))


def _school_enrollment(ctx, row):
    letter, description = ENROLL_STATUSES.get(row["enroll_status"], INACTIVE)
    return pruned(
        enroll_status=letter,
        enroll_status_description=description,
        enroll_status_code=row["enroll_status"],
        grade_level=row["grade_level"],
        entry_date=row["entrydate"],
        exit_date=row["exitdate"],
        school_number=identifier(ctx, row["schoolid"]),
        school_id=row["school_dcid"],
        entry_code=row["entrycode"],
        # Each school has one full-time FTE definition in the sandbox; real districts rarely have more.
        full_time_equivalency={"fteid": 1, "name": "FTE Value: 1"},
    )


def _ethnicity_race(ctx, row):
    code = row["ethnicity"]
    race = None
    if code:
        label = f"({code}) {RACE_NAMES.get(code, code)}"
        race = {
            "district_race_code": code,
            "district_race_code_description": label,
            "federal_race_code_category": label,
        }
    federal = None if row["fedethnicity"] is None else ("YES" if row["fedethnicity"] else "NO")
    return pruned(
        federal_ethnicity=federal, scheduling_reporting_ethnicity=code, races=repeated(ctx, [race]) if race else None
    )


def _contact(ctx, row):
    return pruned(
        guardian_email=row["guardianemail"],
        mother=row["mother"],
        father=row["father"],
        emergency_contact_name1=row["emerg_contact_1"],
        emergency_phone1=row["emerg_phone_1"],
        emergency_contact_name2=row["emerg_contact_2"],
        emergency_phone2=row["emerg_phone_2"],
    )


def _contact_info(ctx, row):
    return pruned(email=row["student_email"])


def _initial_enrollment(ctx, row):
    return pruned(
        district_entry_grade_level=row["districtentrygradelevel"],
        school_entry_date=row["entrydate"],
        school_entry_grade_level=row["grade_level"],
    )


def _schedule_setup(ctx, row):
    return pruned(
        home_room=row["home_room"], next_school=row["next_school"], sched_next_year_grade=row["sched_nextyeargrade"]
    )


def _lunch(ctx, row):
    balances = {f"balance_{number}": "0.00" for number in range(1, 5)}
    return pruned(**balances, lunch_id=row["lunch_id"])


def _no_data(ctx, row):
    return None


STUDENT_EXPANSIONS = {
    "demographics": _demographics,
    "addresses": _student_addresses,
    "alerts": _alerts,
    "phones": _phones,
    "school_enrollment": _school_enrollment,
    "ethnicity_race": _ethnicity_race,
    "contact": _contact,
    "contact_info": _contact_info,
    "initial_enrollment": _initial_enrollment,
    "schedule_setup": _schedule_setup,
    "fees": _no_data,
    "lunch": _lunch,
    "global_id": _no_data,
    "counselors": _no_data,
}

STUDENT_SELECTORS = {
    "student_username": "st.student_web_id",
    "local_id": "st.student_number",
    "name.last_name": "st.last_name COLLATE NOCASE",
    "name.first_name": "st.first_name COLLATE NOCASE",
    "school_enrollment.enroll_status_code": "st.enroll_status",
    "school_enrollment.enroll_status": ENROLL_STATUS_LETTER,
    "school_enrollment.entry_date": "st.entrydate",
    "state_province_id": "st.state_studentnumber",
}

STUDENTS = Resource(
    plural="students",
    singular="student",
    columns="st.*, sc.dcid AS school_dcid",
    source="students st LEFT JOIN schools sc ON sc.school_number = st.schoolid",
    order="st.dcid",
    serialize=student_items,
    expansions=(
        "demographics",
        "addresses",
        "alerts",
        "phones",
        "school_enrollment",
        "ethnicity_race",
        "contact",
        "contact_info",
        "initial_enrollment",
        "schedule_setup",
        "fees",
        "lunch",
    ),
    modern_expansions=("global_id", "counselors"),
    extensions="s_stu_crdc_x,activities,c_studentlocator,u_students_extension,studentcorefields",
    selectors=STUDENT_SELECTORS,
)


# --- staff ---------------------------------------------------------------------------------------------------


def staff_items(ctx, rows, expansions):
    affiliations = (
        _affiliations(ctx, {row["users_dcid"] for row in rows}) if "school_affiliations" in expansions else {}
    )
    return [staff_json(ctx, row, expansions, affiliations.get(row["users_dcid"], [])) for row in rows]


def staff_json(ctx, row, expansions, affiliations):
    item = pruned(
        id=row["dcid"],
        local_id=identifier(ctx, row["teachernumber"]),
        admin_username=row["loginid"],
        teacher_username=row["teacherloginid"],
        users_dcid=row["users_dcid"],
        name=pruned(first_name=row["first_name"], middle_name=row["middle_name"], last_name=row["last_name"]),
    )
    values = {
        "addresses": None,
        "emails": pruned(work_email=row["email_addr"]),
        "phones": None,
        "school_affiliations": pruned(school_affiliation=repeated(ctx, affiliations) if affiliations else None),
    }
    for name in expansions:
        item[name] = expansion_value(values[name])
    return item


def _affiliations(ctx, users_dcids):
    """Every school link of each person, the district office (school 0) included when they have one."""
    marks = ", ".join("?" for _ in users_dcids)
    rows = ctx.store.query(
        f"SELECT users_dcid, schoolid, staffstatus, status FROM schoolstaff WHERE users_dcid IN ({marks}) ORDER BY id",
        list(users_dcids),
    )
    found = {}
    for row in rows:
        link = {"school_id": row["schoolid"], "type": row["staffstatus"], "status": row["status"]}
        found.setdefault(row["users_dcid"], []).append(link)
    return found


STAFF = Resource(
    plural="staffs",
    singular="staff",
    columns="ss.dcid, ss.id, ss.users_dcid, u.teachernumber, u.loginid, u.teacherloginid, u.first_name, "
    "u.middle_name, u.last_name, u.email_addr",
    source="schoolstaff ss JOIN users u ON u.dcid = ss.users_dcid",
    order="ss.id",
    serialize=staff_items,
    expansions=("addresses", "emails", "phones", "school_affiliations"),
)


# --- terms ---------------------------------------------------------------------------------------------------


def term_items(ctx, rows, expansions):
    return [term_json(row) for row in rows]


def term_json(row):
    return pruned(
        id=row["dcid"],
        school_id=row["school_dcid"],
        start_year=row["yearid"] + 1990,
        portion=row["portion"],
        start_date=row["firstday"],
        end_date=row["lastday"],
        abbreviation=row["abbreviation"],
        name=row["name"],
    )


TERMS = Resource(
    plural="terms",
    singular="term",
    columns="t.*, sc.dcid AS school_dcid",
    source="terms t JOIN schools sc ON sc.school_number = t.schoolid",
    order="t.portion, t.firstday, t.dcid",
    serialize=term_items,
    shows_expansions=False,
)


# --- sections ------------------------------------------------------------------------------------------------


def section_items(ctx, rows, expansions):
    terms = _terms_by_dcid(ctx, {row["term_dcid"] for row in rows}) if "term" in expansions else {}
    return [section_json(ctx, row, terms.get(row["term_dcid"]), expansions) for row in rows]


def section_json(ctx, row, term, expansions):
    modern = not ctx.profile.legacy
    item = pruned(
        id=row["dcid"],
        school_id=row["school_dcid"],
        course_id=row["course_dcid"],
        term_id=row["term_dcid"],
        section_number=identifier(ctx, row["section_number"]),
        expression=row["expression"],
        # The 2015 servers did not send these two; newer ones do.
        external_expression=row["external_expression"] if modern else None,
        staff_id=row["staff_dcid"],
        gradebooktype=row["gradebooktype"] if modern else None,
    )
    if "term" in expansions:
        item["term"] = expansion_value(term)
    return item


def _terms_by_dcid(ctx, dcids):
    marks = ", ".join("?" for _ in dcids)
    rows = TERMS.rows(ctx, f"t.dcid IN ({marks})", list(dcids))
    return {row["dcid"]: term_json(row) for row in rows}


SECTIONS = Resource(
    plural="sections",
    singular="section",
    columns="s.*, sc.dcid AS school_dcid, c.dcid AS course_dcid, t.dcid AS term_dcid, ss.dcid AS staff_dcid",
    source="sections s JOIN schools sc ON sc.school_number = s.schoolid "
    "LEFT JOIN courses c ON c.course_number = s.course_number "
    "LEFT JOIN terms t ON t.id = s.termid AND t.schoolid = s.schoolid "
    "LEFT JOIN schoolstaff ss ON ss.id = s.teacher AND ss.schoolid = s.schoolid",
    order="s.id, s.course_number, s.termid",
    serialize=section_items,
    expansions=("term",),
    extensions="s_sec_crdc_x,s_ma_sec_x",
    selectors={"section_number": "s.section_number", "expression": "s.expression"},
)


# --- section enrollments -------------------------------------------------------------------------------------


def enrollment_items(ctx, rows, expansions):
    return [
        pruned(
            id=row["dcid"],
            section_id=row["section_dcid"],
            student_id=row["student_dcid"],
            entry_date=row["dateenrolled"],
            exit_date=row["dateleft"],
        )
        | {"dropped": row["sectionid"] < 0}
        for row in rows
    ]


SECTION_ENROLLMENTS = Resource(
    plural="section_enrollments",
    singular="section_enrollment",
    columns="cc.*, st.dcid AS student_dcid, s.dcid AS section_dcid",
    # A dropped enrollment keeps its section as a negative SECTIONID.
    source="cc JOIN students st ON st.id = cc.studentid "
    "JOIN sections s ON s.id = abs(cc.sectionid) AND s.schoolid = cc.schoolid",
    order="st.dcid, cc.dateenrolled, cc.dcid",
    serialize=enrollment_items,
    shows_expansions=False,
    shows_extensions=False,
)


# --- courses -------------------------------------------------------------------------------------------------


def course_items(ctx, rows, expansions):
    return [pruned(id=row["dcid"], course_number=row["course_number"], course_name=row["course_name"]) for row in rows]


COURSES = Resource(
    plural="courses",
    singular="course",
    columns="c.*",
    source="courses c",
    order="c.id",
    serialize=course_items,
    shows_expansions=False,
)

# A school's courses are the ones it runs sections of; PowerSchool's course catalogue is district-wide.
COURSES_AT_SCHOOL = "c.course_number IN (SELECT course_number FROM sections WHERE schoolid = ?)"


# --- views ---------------------------------------------------------------------------------------------------

RESTRICTED_MESSAGE = (
    "Access denied: the plugin's Access Level for v1 APIs is RESTRICTED, so v1 resources are not available to it"
)


def v1_access_checked(view):
    """Under the plugin's "Access Level for v1 APIs" = RESTRICTED (25.2+), v1 resources are refused."""

    @functools.wraps(view)
    def checked(ctx, request, **groups):
        restricted = (ctx.plugin or {}).get("v1_access_level") == "RESTRICTED"
        if restricted and ctx.profile.has_v1_access_level:
            raise HttpError(Response.message(403, RESTRICTED_MESSAGE))
        return view(ctx, request, **groups)

    return checked


def time_view(ctx, request):
    now = ctx.now()
    time = now.isoformat(timespec="milliseconds")
    return Response.json({"resource": {"time": time, "timestamp": int(now.timestamp())}})


def metadata_view(ctx, request):
    store, profile = ctx.store, ctx.profile
    metadata = {
        "powerschool_version": profile.version,
        "state_reporting_version": profile.version,
        "powerteacher_version": profile.version,
        "district_timezone": store.get_setting("district_timezone", "America/New_York"),
    }
    if ctx.authenticated:
        metadata.update(_plugin_metadata(ctx))
    return Response.json({"metadata": metadata})


def _plugin_metadata(ctx):
    plugin = ctx.plugin
    uptime = _uptime(ctx.clock() - ctx.app.started_at) if ctx.app else "0 days, 0:00:00"
    sizes = {
        f"{name}_max_page_size": plugin["max_page_size"]
        for name in ("course", "school", "section", "section_enrollment", "staff", "student", "term")
    }
    return {
        "plugin_id": plugin["plugin_id"],
        "mobile_api_version": "1.0",
        "machine_uptime": uptime,
        "powerschool_uptime": uptime,
        "state": ctx.store.get_setting("state", ""),
        **sizes,
        "schema_table_query_max_page_size": plugin["max_table_page_size"],
        "district_uuid": ctx.store.get_setting("district_uuid", ""),
        **{f"sso_enabled_{role}": "false" for role in ("admin", "guardian", "student", "teacher")},
    }


def _uptime(seconds):
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{days} days, {hours}:{minutes:02d}:{seconds:02d}"


DISTRICT_EXPANSIONS = (
    "entry_codes, test_setup, exit_codes, districts_of_residence, federal_race_categories, "
    "district_race_codes, ethnicity_race_decline_to_specify, scheduling_reporting_ethnicities, "
    "fees_payment_methods"
)


@v1_access_checked
def district_view(ctx, request):
    store = ctx.store
    place = store.get_setting("district_address") or {}
    phone = store.get_setting("district_phone")
    district = pruned(
        uuid=store.get_setting("district_uuid"),
        name=store.get_setting("district_name"),
        district_number=store.get_setting("district_number"),
        addresses=pruned(
            physical=address(
                place.get("street"), place.get("city"), place.get("state_province"), place.get("postal_code")
            )
        ),
        phones=pruned(main=pruned(number=phone), fax=pruned(number=phone)),
    )
    return Response.json({"district": {"@expansions": DISTRICT_EXPANSIONS, **(district or {})}})


def _listing(resource, scope="1 = 1"):
    @v1_access_checked
    def view(ctx, request):
        return list_response(ctx, request, resource, scope)

    return view


def _counting(resource, scope="1 = 1"):
    @v1_access_checked
    def view(ctx, request):
        return count_response(ctx, request, resource, scope)

    return view


def _school_listing(resource, scope, respond):
    @v1_access_checked
    def view(ctx, request, dcid):
        school = school_or_404(ctx, dcid)
        return respond(ctx, request, resource, scope, [school["school_number"]])

    return view


def _single(resource, where, label):
    @v1_access_checked
    def view(ctx, request, dcid):
        return single_response(ctx, request, resource, where, [int(dcid)], f"{label} {dcid}")

    return view


def _section_listing(respond):
    @v1_access_checked
    def view(ctx, request, dcid):
        section = ctx.store.query_one("SELECT id FROM sections WHERE dcid = ?", (int(dcid),))
        if section is None:
            raise HttpError(Response.message(404, f"Section {dcid} not found"))
        return respond(ctx, request, SECTION_ENROLLMENTS, "cc.sectionid IN (?, ?)", [section["id"], -section["id"]])

    return view


LISTED_SCHOOLS = f"sc.school_number != {GRADUATED_SCHOOL_NUMBER}"
DCID = r"(?P<dcid>\d+)"

ROUTES = [
    ("GET", r"/ws/v1/time", time_view),
    ("GET", r"/ws/v1/metadata", metadata_view),
    ("GET", r"/ws/v1/district", district_view),
    ("GET", r"/ws/v1/district/school", _listing(SCHOOLS, LISTED_SCHOOLS)),
    ("GET", r"/ws/v1/district/school/count", _counting(SCHOOLS, LISTED_SCHOOLS)),
    ("GET", rf"/ws/v1/school/{DCID}", _single(SCHOOLS, "sc.dcid = ?", "School")),
    ("GET", r"/ws/v1/district/student", _listing(STUDENTS)),
    ("GET", r"/ws/v1/district/student/count", _counting(STUDENTS)),
    ("GET", rf"/ws/v1/school/{DCID}/student", _school_listing(STUDENTS, "st.schoolid = ?", list_response)),
    ("GET", rf"/ws/v1/school/{DCID}/student/count", _school_listing(STUDENTS, "st.schoolid = ?", count_response)),
    ("GET", rf"/ws/v1/student/{DCID}", _single(STUDENTS, "st.dcid = ?", "Student")),
    ("GET", rf"/ws/v1/school/{DCID}/staff", _school_listing(STAFF, "ss.schoolid = ? AND ss.status = 1", list_response)),
    (
        "GET",
        rf"/ws/v1/school/{DCID}/staff/count",
        _school_listing(STAFF, "ss.schoolid = ? AND ss.status = 1", count_response),
    ),
    ("GET", rf"/ws/v1/staff/{DCID}", _single(STAFF, "ss.dcid = ?", "Staff")),
    ("GET", rf"/ws/v1/school/{DCID}/section", _school_listing(SECTIONS, "s.schoolid = ?", list_response)),
    ("GET", rf"/ws/v1/school/{DCID}/section/count", _school_listing(SECTIONS, "s.schoolid = ?", count_response)),
    ("GET", rf"/ws/v1/section/{DCID}", _single(SECTIONS, "s.dcid = ?", "Section")),
    ("GET", rf"/ws/v1/section/{DCID}/section_enrollment", _section_listing(list_response)),
    ("GET", rf"/ws/v1/section/{DCID}/section_enrollment/count", _section_listing(count_response)),
    ("GET", rf"/ws/v1/section_enrollment/{DCID}", _single(SECTION_ENROLLMENTS, "cc.dcid = ?", "Section enrollment")),
    ("GET", rf"/ws/v1/school/{DCID}/term", _school_listing(TERMS, "t.schoolid = ?", list_response)),
    ("GET", rf"/ws/v1/school/{DCID}/term/count", _school_listing(TERMS, "t.schoolid = ?", count_response)),
    ("GET", rf"/ws/v1/term/{DCID}", _single(TERMS, "t.dcid = ?", "Term")),
    ("GET", rf"/ws/v1/school/{DCID}/course", _school_listing(COURSES, COURSES_AT_SCHOOL, list_response)),
    ("GET", rf"/ws/v1/school/{DCID}/course/count", _school_listing(COURSES, COURSES_AT_SCHOOL, count_response)),
    ("GET", rf"/ws/v1/course/{DCID}", _single(COURSES, "c.dcid = ?", "Course")),
]
