"""OneRoster CSV sets (1.1 and 1.2, as ClassLink and SIS exports write them) into RaptorLink's roster tables.

The rules of the OneRoster CSV binding that are checked, by the section of the specification they come from:

- *Manifest*: `manifest.csv` has the header `propertyName,value`; `oneroster.version` is 1.1 or 1.2; every
  `file.<name>` is `bulk`, `delta` or `absent`; a file declared bulk or delta is in the set, and a data file in the
  set is not declared absent.
- *CSV file format*: each file has a header row naming the specification's columns exactly, in the specification's
  order (extension columns, named `metadata.…`, may follow them); cells are UTF-8 (a byte-order mark is accepted;
  Windows-1252 and Latin-1 files are read with a note); lists are comma-separated inside one quoted cell.
- *Bulk and delta processing*: in a bulk file `status` is empty (1.1 also leaves `dateLastModified` empty; 1.2 may
  give `status` as `active`); in a delta file both are given and `status` is `active` or `tobedeleted`. A file that
  mixes the two is refused. A bulk file is the whole truth about its entity: what it does not list is
  deactivated. A delta file only adds, changes and (`tobedeleted`) deactivates what it lists.
- *Data model*: every `sourcedId` appears once per file; enumerations (`status`, org `type`, session `type`, `role`,
  `roleType`, `classType`, `sex`), booleans (`true`/`false`), dates (`YYYY-MM-DD`), `dateLastModified` (ISO 8601)
  and `schoolYear` (`YYYY`) are checked; references (`orgSourcedIds`, `agentSourcedIds`, `schoolSourcedId`,
  `termSourcedIds`, `classSourcedId`, `userSourcedId`, a demographic's `sourcedId`) must name a record of the set,
  or, for a delta file, one imported before.
- 1.2 moves a user's roles and orgs to `roles.csv` (`userSourcedId`, `roleType` primary/secondary, `role`,
  `orgSourcedId`) and names the primary org in `users.csv` `primaryOrgSourcedId`.

How the records land: an org of type `school` is a School (its `identifier` is the school number, which
PowerSchool's write-back needs); a student is a Student (`identifier` the student number, PowerSchool's DCID or ID
from the field the district's roster source settings name, the first of `grades` the grade level); a teacher or
administrator is Staff, with a StaffSchool per school they belong to; a guardian, parent or relative is a Contact
linked to each student that names them in `agentSourcedIds` (or whom they name); a class is a Section of its school,
taught by its primary teacher's enrollment; a student's enrollment is an Enrollment, dated by its own dates or its
class's term; an academic session is a Term of every school. Demographics are checked but not kept.
"""

from dataclasses import dataclass, field

from sis_sync.models import Contact, Enrollment, Section, Staff, StaffSchool, Student, StudentContact, Term
from sis_sync.rosters.csvfiles import RosterError, exact_header, read_rows
from sis_sync.rosters.records import compound_key, grade_level

COMMON = ["sourcedId", "status", "dateLastModified"]
HEADERS = {
    "academicSessions.csv": [*COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"],
    "orgs.csv": [*COMMON, "name", "type", "identifier", "parentSourcedId"],
    "classes.csv": [
        *COMMON, "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId",
        "termSourcedIds", "subjects", "subjectCodes", "periods",
    ],
    "enrollments.csv": [
        *COMMON, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate",
    ],
    "demographics.csv": [
        *COMMON, "birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity",
        "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus",
    ],
}  # fmt: skip
USERS_11 = [
    *COMMON, "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName",
    "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
]  # fmt: skip
USERS_12 = [
    *COMMON, "enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
    "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "resourceSourcedIds",
    "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
]  # fmt: skip
ROLES_12 = [
    *COMMON, "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId",
]  # fmt: skip
# What RaptorLink reads; a set may hold others (courses, results, ...), which are left alone.
READ_FILES = ["orgs", "academicSessions", "users", "roles", "classes", "enrollments", "demographics"]

ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
ROLES_11 = ("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
ROLES_1_2 = (
    "aide", "counselor", "districtAdministrator", "guardian", "parent", "principal", "proctor", "relative",
    "siteAdministrator", "student", "systemAdministrator", "teacher",
)  # fmt: skip
ENROLLMENT_ROLES = ("administrator", "proctor", "student", "teacher")
STAFF_ROLES = {"teacher", "administrator", "principal", "siteAdministrator", "districtAdministrator"}
GUARDIAN_ROLES = {"guardian", "parent", "relative"}
CUSTODIAL_ROLES = {"guardian", "parent"}
SEXES = ("male", "female", "other", "unspecified")
# How much of a year a session is: PowerSchool's TERMS.PORTION.
PORTIONS = {"schoolYear": 1, "semester": 2, "term": 3, "gradingPeriod": 4}
STUDENT, STAFF, GUARDIAN, OTHER = "student", "staff", "guardian", "other"


@dataclass
class Manifest:
    version: str
    modes: dict  # "users" -> "bulk" / "delta" / "absent"

    def mode(self, name):
        return self.modes.get(name, "absent")

    def present(self, name):
        return self.mode(name) != "absent"

    def bulk(self, name):
        return self.mode(name) == "bulk"

    @property
    def delta(self):
        return "delta" in self.modes.values()


@dataclass
class Seen:
    """What this set said, kept for the checks and links that need another file: ids, not rows."""

    orgs: set = field(default_factory=set)
    schools: dict = field(default_factory=dict)  # sourcedId -> School pk
    sessions: dict = field(default_factory=dict)  # sourcedId -> (first day, last day)
    users: dict = field(default_factory=dict)  # sourcedId -> STUDENT / STAFF / GUARDIAN / OTHER
    roles: dict = field(default_factory=dict)  # 1.2: user sourcedId -> [(role, org sourcedId)]
    role_rows: dict = field(default_factory=dict)  # 1.2: user sourcedId -> its first row in roles.csv
    guardian_roles: dict = field(default_factory=dict)  # sourcedId -> guardian, parent or relative
    guardian_links: dict = field(default_factory=dict)  # (student, guardian) -> (file row, column)
    staff_schools: set = field(default_factory=set)  # (user, school sourcedId)
    classes: dict = field(default_factory=dict)  # sourcedId -> (first day, last day) of its term


def import_oneroster(writer, files, notes):
    """Read a whole OneRoster set into `writer`; raises RosterError at the first thing the set breaks. Returns
    whether the set was a delta."""
    manifest = read_manifest(files)
    importer = OneRosterImport(writer, files, manifest, notes)
    importer.run()
    return manifest.delta


def read_manifest(files):
    if not files.exists("manifest.csv"):
        raise RosterError("The set has no manifest.csv: a OneRoster set starts with one (propertyName,value).")
    properties = {}
    for row in read_rows(files, "manifest.csv", exact_header(["propertyName", "value"]), notes=[]):
        properties[row.text("propertyName", required=True)] = row
    version_row = properties.get("oneroster.version")
    if version_row is None:
        raise RosterError("the manifest does not say oneroster.version.", file="manifest.csv")
    version = version_row.choice("value", ("1.1", "1.2"), required=True)
    modes = {}
    for name, row in properties.items():
        if name.startswith("file."):
            modes[name.removeprefix("file.")] = row.choice("value", ("bulk", "delta", "absent"), required=True)
    _check_declared(files, modes, properties)
    return Manifest(version, modes)


def _check_declared(files, modes, properties):
    for name, mode in modes.items():
        present = files.exists(f"{name}.csv")
        if mode != "absent" and not present:
            raise RosterError(
                f"the manifest declares {name}.csv as {mode}, but the set has no {name}.csv.",
                file="manifest.csv",
                row=properties[f"file.{name}"].number,
                column="value",
            )
        if mode == "absent" and present:
            raise RosterError(
                f"the manifest declares {name}.csv absent, but the set has one; declare it bulk or delta, or leave it out.",
                file="manifest.csv",
                row=properties[f"file.{name}"].number,
                column="value",
            )
    undeclared = sorted(name for name in files.names() if name != "manifest.csv" and name[:-4] not in modes)
    if undeclared:
        raise RosterError(
            f"{undeclared[0]} is in the set but the manifest does not declare it (file.{undeclared[0][:-4]})."
        )


class OneRosterImport:
    def __init__(self, writer, files, manifest, notes):
        self.writer = writer
        self.files = files
        self.manifest = manifest
        self.notes = notes
        self.seen = Seen()
        self.v12 = manifest.version == "1.2"
        self.deleted = []
        # {sourcedId: pk} of the students and staff enrollments may name, once users.csv has been read.
        self.student_keys = self.staff_keys = None

    def run(self):
        if self.v12 and self.manifest.bulk("users") and not self.manifest.present("roles"):
            raise RosterError(
                "a OneRoster 1.2 set with a bulk users.csv needs roles.csv (a 1.2 user's roles live there)."
            )
        self.orgs()
        self.sessions()
        if self.v12:
            self.roles()
        self.users()
        self.links()
        self.classes()
        self.enrollments()
        self.demographics()

    # --- reading ------------------------------------------------------------------------------------

    def rows(self, name):
        """The rows of `name`.csv that are not marked to be deleted, after checking each against the file's
        bulk or delta mode and for a repeated sourcedId; rows marked `tobedeleted` go to `self.deleted`."""
        filename = f"{name}.csv"
        header = self._header(name)
        bulk = self.manifest.bulk(name)
        ids = set()
        self.deleted = []
        for row in read_rows(
            self.files, filename, exact_header(header, extension_prefix="metadata."), notes=self.notes
        ):
            sourced_id = row.text("sourcedId", required=True)
            if sourced_id in ids:
                raise row.error(
                    "sourcedId", f"“{sourced_id}” appears twice in {filename}; every sourcedId must be unique."
                )
            ids.add(sourced_id)
            status = self._status(row, bulk)
            if status == "tobedeleted":
                self.deleted.append(sourced_id)
                continue
            yield sourced_id, row

    def _header(self, name):
        if name == "users":
            return USERS_12 if self.v12 else USERS_11
        if name == "roles":
            return ROLES_12
        return HEADERS[f"{name}.csv"]

    def _status(self, row, bulk):
        mode = "bulk" if bulk else "delta"
        mixed = f"the manifest declares this file {mode}, so "
        if bulk:
            status = row.text("status")
            allowed = ("active",) if self.v12 else ()
            if status and status not in allowed:
                raise row.error(
                    "status", mixed + f"status must be empty (bulk and delta rows cannot be mixed), not “{status}”."
                )
            if row.text("dateLastModified") and not self.v12:
                raise row.error(
                    "dateLastModified", mixed + "dateLastModified must be empty (bulk and delta rows cannot be mixed)."
                )
            return status
        if not row.text("status"):
            raise row.error(
                "status",
                mixed + "every row needs a status, active or tobedeleted (bulk and delta rows cannot be mixed).",
            )
        if not row.text("dateLastModified"):
            raise row.error(
                "dateLastModified", mixed + "every row needs dateLastModified (bulk and delta rows cannot be mixed)."
            )
        row.timestamp("dateLastModified")
        return row.choice("status", ("active", "tobedeleted"))

    def _finish_entity(self, name, model, entity):
        """After a file: a bulk file deactivates what it left out; a delta file what it marked to be deleted."""
        if self.manifest.bulk(name):
            self.writer.deactivate_missing(model, entity)
        else:
            self.writer.deactivate(model, entity, self.deleted)

    # --- orgs and sessions ----------------------------------------------------------------------------

    def orgs(self):
        if not self.manifest.present("orgs"):
            self._known_schools()
            return
        kept, numbers = [], {}
        for sourced_id, row in self.rows("orgs"):
            self.seen.orgs.add(sourced_id)
            row.text("name", required=True)
            if row.choice("type", ORG_TYPES, required=True) != "school":
                continue
            number = row.whole_number(
                "identifier", required=True, meaning="a school number (PowerSchool's SCHOOL_NUMBER, a whole number)"
            )
            if number in numbers:
                raise row.error(
                    "identifier", f"school number {number} is already the identifier of “{numbers[number]}”."
                )
            numbers[number] = sourced_id
            values = {"number": number, "name": row.text("name")[:200]}
            self.seen.schools[sourced_id] = self.writer.school(sourced_id, values)
            kept.append(self.seen.schools[sourced_id])
        if self.manifest.bulk("orgs"):
            self.writer.deactivate_schools(kept)
        else:
            self.writer.deactivate_schools_now(self.deleted)
            self._known_schools()

    def _known_schools(self):
        """A delta set names schools imported before."""
        for key, pk in self.writer.school_keys().items():
            self.seen.schools.setdefault(key, pk)

    def sessions(self):
        if not self.manifest.present("academicSessions"):
            return
        sessions = {}
        for sourced_id, row in self.rows("academicSessions"):
            kind = row.choice("type", SESSION_TYPES, required=True)
            first, last = row.date("startDate", required=True), row.date("endDate", required=True)
            if last < first:
                raise row.error("endDate", f"the session ends ({last}) before it starts ({first}).")
            year = row.whole_number("schoolYear", required=True, meaning="a school year (YYYY, the year it ends)")
            sessions[sourced_id] = (row.text("title", required=True), kind, first, last, year)
            self.seen.sessions[sourced_id] = (first, last)
        for sourced_id, (title, kind, first, last, year) in sessions.items():
            for school_key, school_pk in self.seen.schools.items():
                self.writer.add(Term, "terms", compound_key(sourced_id, school_key), {
                    "school_id": school_pk,
                    "year_id": year - 1991,
                    "name": title[:100],
                    "abbreviation": "",
                    "first_day": first,
                    "last_day": last,
                    "portion": PORTIONS[kind],
                    "is_year": kind == "schoolYear",
                })  # fmt: skip
        deleted = [compound_key(session, school) for session in self.deleted for school in self.seen.schools]
        self.deleted = deleted
        self._finish_entity("academicSessions", Term, "terms")

    # --- users ---------------------------------------------------------------------------------------

    def roles(self):
        if not self.manifest.present("roles"):
            return
        for _sourced_id, row in self.rows("roles"):
            user = row.text("userSourcedId", required=True)
            row.choice("roleType", ("primary", "secondary"), required=True)
            role = row.choice("role", ROLES_1_2, required=True)
            org = row.text("orgSourcedId", required=True)
            self._check_org(row, "orgSourcedId", org)
            row.date("beginDate")
            row.date("endDate")
            self.seen.roles.setdefault(user, []).append((role, org))
            self.seen.role_rows.setdefault(user, row.number)

    def users(self):
        if not self.manifest.present("users"):
            return
        for sourced_id, row in self.rows("users"):
            row.boolean("enabledUser", required=True)
            given, family = row.text("givenName", required=True), row.text("familyName", required=True)
            roles, orgs = self._roles_and_orgs(sourced_id, row)
            kind = _kind(roles)
            self.seen.users[sourced_id] = kind
            if kind == STUDENT:
                self._student(sourced_id, row, given, family, orgs)
            elif kind == STAFF:
                self._staff(sourced_id, row, given, family, roles, orgs)
            elif kind == GUARDIAN:
                self.seen.guardian_roles[sourced_id] = sorted(roles & GUARDIAN_ROLES)[0]
                self._guardian(sourced_id, row, given, family)
        if self.manifest.bulk("users"):
            self._check_role_users()
        deleted = self.deleted
        for model, entity in ((Student, "students"), (Staff, "staff"), (Contact, "contacts")):
            self.deleted = deleted
            self._finish_entity("users", model, entity)

    def _check_role_users(self):
        for user, number in self.seen.role_rows.items():
            if user not in self.seen.users:
                raise RosterError(
                    f"“{user}” is not in users.csv.", file="roles.csv", row=number, column="userSourcedId"
                )

    def _roles_and_orgs(self, sourced_id, row):
        if self.v12:
            pairs = self.seen.roles.get(sourced_id)
            if not pairs and not self.manifest.bulk("users"):
                pairs = earlier_roles(self.writer, sourced_id)
            if not pairs:
                raise row.error("sourcedId", f"the user “{sourced_id}” has no role in roles.csv.")
            primary = row.text("primaryOrgSourcedId")
            if primary:
                self._check_org(row, "primaryOrgSourcedId", primary)
            orgs = [primary] if primary else []
            return {role for role, _org in pairs}, orgs + [org for _role, org in pairs if org != primary]
        orgs = row.items("orgSourcedIds", required=True)
        for org in orgs:
            self._check_org(row, "orgSourcedIds", org)
        return {row.choice("role", ROLES_11, required=True)}, orgs

    def _check_org(self, row, column, org):
        """An org a bulk orgs.csv did not list is an orphan (a delta set may name orgs imported before, and
        RaptorLink keeps only the schools among them)."""
        if self.manifest.bulk("orgs") and org not in self.seen.orgs:
            raise row.error(column, f"“{org}” is not in orgs.csv.")

    def _student(self, sourced_id, row, given, family, orgs):
        ids = self.writer.student_ids(row, "sourcedId", "identifier")
        grades = row.items("grades")
        school = next((self.seen.schools[org] for org in orgs if org in self.seen.schools), None)
        self.writer.add(Student, "students", sourced_id, {
            **ids,
            "student_number": row.text("identifier", required=True)[:50],
            "state_number": "",
            "first_name": given[:100],
            "middle_name": row.text("middleName")[:100],
            "last_name": family[:100],
            "grade_level": grade_level(grades[0]) if grades else None,
            "school_id": school,
            "enroll_status": Student.EnrollStatus.ACTIVE,
            "entry_date": None,
            "exit_date": None,
            "phone": row.text("phone")[:50],
        })  # fmt: skip
        for guardian in row.items("agentSourcedIds"):
            self.seen.guardian_links.setdefault((sourced_id, guardian), (row.number, "agentSourcedIds"))

    def _staff(self, sourced_id, row, given, family, roles, orgs):
        self.writer.add(Staff, "staff", sourced_id, {
            "first_name": given[:100],
            "last_name": family[:100],
            "email": row.text("email")[:254],
            "teacher_number": row.text("identifier")[:50],
            "title": ", ".join(sorted(roles & STAFF_ROLES))[:100],
        })  # fmt: skip
        for org in orgs:
            if org in self.seen.schools:
                self.seen.staff_schools.add((sourced_id, org))

    def _guardian(self, sourced_id, row, given, family):
        # OneRoster does not say what kind of phone `phone` is; `sms` is one that takes text messages.
        numbers = [
            (number, kind) for number, kind in ((row.text("phone"), "Phone"), (row.text("sms"), "Mobile")) if number
        ]
        phones = [
            {"number": number[:50], "type": kind, "preferred": index == 0, "sms": kind == "Mobile"}
            for index, (number, kind) in enumerate(numbers)
        ]
        email = row.text("email")
        self.writer.add(Contact, "contacts", sourced_id, {
            "first_name": given[:100],
            "last_name": family[:100],
            "phones": phones,
            "emails": [{"address": email, "type": "", "primary": True}] if email else [],
        })  # fmt: skip
        for student in row.items("agentSourcedIds"):
            self.seen.guardian_links.setdefault((student, sourced_id), (row.number, "agentSourcedIds"))

    def links(self):
        """StaffSchool and StudentContact rows, from the users (and 1.2 roles) just read."""
        if not self.manifest.present("users"):
            return
        bulk = self.manifest.bulk("users")
        staff = self.writer.keys(Staff, "staff", seen_only=bulk)
        for user, school in sorted(self.seen.staff_schools):
            self.writer.add(StaffSchool, "staff_schools", compound_key(user, school), {
                "staff_id": staff[user], "school_id": self.seen.schools[school], "ps_id": None,
            })  # fmt: skip
        students = self.writer.keys(Student, "students", seen_only=bulk)
        contacts = self.writer.keys(Contact, "contacts", seen_only=bulk)
        priorities = {}
        for (student, guardian), (number, column) in self.seen.guardian_links.items():
            if student not in students or guardian not in contacts:
                missing = student if student not in students else guardian
                kind = "student" if student not in students else "guardian, parent or relative"
                raise RosterError(
                    f"“{missing}” is not a {kind} in users.csv.", file="users.csv", row=number, column=column
                )
            priorities[student] = priorities.get(student, 0) + 1
            role = self._guardian_role(guardian)
            self.writer.add(StudentContact, "student_contacts", compound_key(student, guardian), {
                "student_id": students[student],
                "contact_id": contacts[guardian],
                "relationship": role.capitalize(),
                "priority": priorities[student],
                "custodial": role in CUSTODIAL_ROLES,
                "emergency": True,
                "lives_with": False,
                "school_pickup": role in CUSTODIAL_ROLES,
                "receives_mail": role in CUSTODIAL_ROLES,
            })  # fmt: skip
        if bulk:
            self.writer.deactivate_missing(StaffSchool, "staff_schools")
            self.writer.deactivate_missing(StudentContact, "student_contacts")
        self.staff_keys, self.student_keys = staff, students

    def _guardian_role(self, guardian):
        return self.seen.guardian_roles.get(guardian, "guardian")

    # --- classes and enrollments -----------------------------------------------------------------------

    def classes(self):
        if not self.manifest.present("classes"):
            return
        teachers = self._primary_teachers()
        staff_schools = self.writer.keys(StaffSchool, "staff_schools", seen_only=False)
        terms = self.writer.keys(Term, "terms", seen_only=False)
        term_dates = self.writer.term_dates()
        for sourced_id, row in self.rows("classes"):
            school = row.text("schoolSourcedId", required=True)
            if school not in self.seen.schools:
                raise row.error("schoolSourcedId", f"“{school}” is not a school in orgs.csv.")
            term_ids = row.items("termSourcedIds", required=True)
            for term in term_ids:
                if term not in self.seen.sessions and compound_key(term, school) not in terms:
                    raise row.error("termSourcedIds", f"“{term}” is not in academicSessions.csv.")
            row.choice("classType", ("homeroom", "scheduled"), required=True)
            self.seen.classes[sourced_id] = term_dates.get(compound_key(term_ids[0], school))
            teacher = teachers.get(sourced_id)
            self.writer.add(Section, "sections", sourced_id, {
                "school_id": self.seen.schools[school],
                "ps_id": None,
                "term_id": terms.get(compound_key(term_ids[0], school)),
                "course_number": (row.text("classCode") or row.text("courseSourcedId"))[:50],
                "course_name": row.text("title", required=True)[:200],
                "section_number": "",
                "expression": ",".join(row.items("periods"))[:100],
                "teacher_id": staff_schools.get(compound_key(teacher, school)) if teacher else None,
            })  # fmt: skip
        self._finish_entity("classes", Section, "sections")

    def _primary_teachers(self):
        """{class: teacher} from a first pass over enrollments.csv: a class's primary teacher, else its first."""
        teachers, primary = {}, set()
        if not self.manifest.present("enrollments"):
            return teachers
        for _sourced_id, row in self.rows("enrollments"):
            if row.text("role") != "teacher":
                continue
            klass, user = row.text("classSourcedId"), row.text("userSourcedId")
            if row.text("primary") == "true" and klass not in primary:
                teachers[klass] = user
                primary.add(klass)
            teachers.setdefault(klass, user)
        return teachers

    def enrollments(self):
        if not self.manifest.present("enrollments"):
            return
        bulk = self.manifest.bulk("enrollments")
        sections = self.writer.keys(Section, "sections", seen_only=self.manifest.bulk("classes"))
        students = self.student_keys
        if students is None:
            students = self.writer.keys(Student, "students", seen_only=False)
        staff = self.staff_keys if self.staff_keys is not None else self.writer.keys(Staff, "staff", seen_only=False)
        for sourced_id, row in self.rows("enrollments"):
            klass = row.text("classSourcedId", required=True)
            user = row.text("userSourcedId", required=True)
            role = row.choice("role", ENROLLMENT_ROLES, required=True)
            row.boolean("primary")
            if klass not in sections:
                raise row.error("classSourcedId", f"“{klass}” is not in classes.csv (an enrollment needs its class).")
            people = students if role == "student" else staff
            if user not in people:
                kind = "student" if role == "student" else "teacher or administrator"
                raise row.error(
                    "userSourcedId", f"“{user}” is not a {kind} in users.csv (an enrollment needs its user)."
                )
            if role != "student":
                continue
            first, last = self._class_dates(klass)
            entry = row.date("beginDate") or first
            exit_ = row.date("endDate") or last
            if entry is None or exit_ is None:
                raise row.error("beginDate", "the enrollment has no dates and its class's term is not in this set.")
            self.writer.add(Enrollment, "enrollments", sourced_id, {
                "student_id": students[user],
                "section_id": sections[klass],
                "ps_id": None,
                "entry_date": entry,
                "exit_date": exit_,
                "dropped": False,
            })  # fmt: skip
        if bulk:
            self.writer.deactivate_missing(Enrollment, "enrollments")
        else:
            self.writer.deactivate(Enrollment, "enrollments", self.deleted)

    def _class_dates(self, klass):
        """The first and last day of a class's term: from this set, or for a delta set, as imported before."""
        if klass not in self.seen.classes:
            self.seen.classes[klass] = self.writer.section_term_dates(klass)
        return self.seen.classes[klass] or (None, None)

    def demographics(self):
        if not self.manifest.present("demographics"):
            return
        known = self.seen.users if self.manifest.bulk("users") else None
        for sourced_id, row in self.rows("demographics"):
            row.date("birthDate")
            row.choice("sex", SEXES)
            if known is not None and sourced_id not in known:
                raise row.error("sourcedId", f"“{sourced_id}” is not in users.csv (a demographic belongs to a user).")


def earlier_roles(writer, sourced_id):
    """A delta users.csv may change a user whose roles did not change (so roles.csv does not list them): the
    roles and schools they were imported with."""
    mine = {"district": writer.district, "source": writer.source, "key": sourced_id}
    student = Student.objects.filter(**mine).values_list("school__key", flat=True).first()
    if student is not None or Student.objects.filter(**mine).exists():
        return [("student", student or "")]
    places = StaffSchool.objects.filter(district=writer.district, source=writer.source, staff__key=sourced_id)
    if Staff.objects.filter(**mine).exists():
        return [("teacher", school) for school in places.values_list("school__key", flat=True)] or [("teacher", "")]
    if Contact.objects.filter(**mine).exists():
        return [("guardian", "")]
    return []


def _kind(roles):
    if "student" in roles:
        return STUDENT
    if roles & STAFF_ROLES:
        return STAFF
    if roles & GUARDIAN_ROLES:
        return GUARDIAN
    return OTHER
