"""Clever's SFTP CSV format (schools, students with their contact columns, teachers, staff, sections, enrollments)
into RaptorLink's roster tables.

Clever's rules that are checked: each file has its required columns, in any order (other columns are ignored);
ids are unique (a teacher or staff member at several schools has a row per school, so there the pair is unique);
`DOB`, `Term_start` and `Term_end` are dates (MM/DD/YYYY, or YYYY-MM-DD); `Grade` is one of Clever's grades; every
`School_id`, `Teacher_id`, `Section_id` and `Student_id` a row points at is in its file. A Clever set is always
complete: what it no longer lists is deactivated. `staff.csv` is optional; the other five files are required.

How the records land: a school is a School (`School_number` is PowerSchool's school number); a student is a
Student (`Student_number` what people type; PowerSchool's DCID or ID from the column the district's roster source
settings name, `Student_id` by default) and the contact in its row a Contact and StudentContact; teachers and staff
are Staff with a StaffSchool per school; a section is a Section with its Term (from `Term_name`, `Term_start`,
`Term_end`) and its teacher; an enrollment is an Enrollment dated by its section's term (or, without one, the
current school year).
"""

from datetime import date

from sis_sync.models import Contact, Enrollment, Section, Staff, StaffSchool, Student, StudentContact, Term
from sis_sync.rosters.csvfiles import RosterError, read_rows, required_header
from sis_sync.rosters.records import compound_key, grade_level

REQUIRED = {
    "schools.csv": ["School_id", "School_name", "School_number"],
    "students.csv": ["School_id", "Student_id", "Student_number", "Last_name", "First_name"],
    "teachers.csv": ["School_id", "Teacher_id", "Last_name", "First_name"],
    "staff.csv": ["School_id", "Staff_id", "Staff_email", "First_name", "Last_name"],
    "sections.csv": ["School_id", "Section_id", "Teacher_id"],
    "enrollments.csv": ["School_id", "Section_id", "Student_id"],
}
OPTIONAL_FILES = {"staff.csv"}
GRADES = (
    "InfantToddler", "Preschool", "PreKindergarten", "TransitionalKindergarten", "Kindergarten",
    *(str(number) for number in range(1, 14)), "PostGraduate", "Ungraded", "Other",
)  # fmt: skip
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
CUSTODIAL_TYPES = {"primary", "guardian", "parent/guardian", "parent"}


def import_clever(writer, files, notes):
    for name in REQUIRED:
        if name not in OPTIONAL_FILES and not files.exists(name):
            raise RosterError(
                f"The set has no {name}; a Clever set needs {', '.join(sorted(set(REQUIRED) - OPTIONAL_FILES))}."
            )
    CleverImport(writer, files, notes).run()
    return False


class CleverImport:
    def __init__(self, writer, files, notes):
        self.writer = writer
        self.files = files
        self.notes = notes
        self.schools = {}  # School_id -> School pk
        self.staff_schools = set()  # (staff id, School_id)
        self.staff_written = set()  # a teacher at several schools has a row for each
        self.section_dates = {}  # Section_id -> (first day, last day)

    def run(self):
        self.read_schools()
        self.read_students()
        self.read_staff("teachers.csv", "Teacher_id", "Teacher_email", "Teacher_number")
        if self.files.exists("staff.csv"):
            self.read_staff("staff.csv", "Staff_id", "Staff_email", None)
        self.link_staff()
        self.read_sections()
        self.read_enrollments()

    def rows(self, name, id_columns):
        """The rows of `name`; the values of `id_columns` together may appear only once in a file."""
        ids = set()
        for row in read_rows(self.files, name, required_header(REQUIRED[name]), notes=self.notes):
            key = tuple(row.text(column, required=True) for column in id_columns)
            if key in ids:
                raise row.error(id_columns[0], _repeated(name, id_columns, key))
            ids.add(key)
            yield row

    def school_of(self, row):
        school = row.text("School_id", required=True)
        if school not in self.schools:
            raise row.error("School_id", f"“{school}” is not in schools.csv.")
        return school

    def read_schools(self):
        numbers = {}
        for row in self.rows("schools.csv", ("School_id",)):
            key = row.text("School_id")
            number = row.whole_number("School_number", required=True, meaning="a school number (a whole number)")
            if number in numbers:
                raise row.error(
                    "School_number", f"school number {number} is already the number of “{numbers[number]}”."
                )
            numbers[number] = key
            low, high = (self._grade(row, column) for column in ("Low_grade", "High_grade"))
            values = {"number": number, "name": row.text("School_name", required=True)[:200],
                      "low_grade": grade_level(low) if low else None, "high_grade": grade_level(high) if high else None}  # fmt: skip
            self.schools[key] = self.writer.school(key, values)
        self.writer.deactivate_schools(list(self.schools.values()))

    def _grade(self, row, column):
        return row.choice(column, GRADES)

    def read_students(self):
        contacts = {}
        for row in self.rows("students.csv", ("Student_id",)):
            key = row.text("Student_id")
            ids = self.writer.student_ids(row, "Student_id", "Student_number")
            row.date("DOB", formats=DATE_FORMATS)
            grade = self._grade(row, "Grade")
            self.writer.add(Student, "students", key, {
                **ids,
                "student_number": row.text("Student_number", required=True)[:50],
                "state_number": row.text("State_id")[:50],
                "first_name": row.text("First_name", required=True)[:100],
                "middle_name": row.text("Middle_name")[:100],
                "last_name": row.text("Last_name", required=True)[:100],
                "grade_level": grade_level(grade) if grade else None,
                "school_id": self.schools[self.school_of(row)],
                "enroll_status": Student.EnrollStatus.ACTIVE,
                "entry_date": None,
                "exit_date": None,
                "phone": "",
            })  # fmt: skip
            contact = self._contact(row, key)
            if contact:
                contacts[key] = contact
        self.writer.deactivate_missing(Student, "students")
        self.writer.deactivate_missing(Contact, "contacts")
        self._link_contacts(contacts)

    def _contact(self, row, student):
        """The contact in a student's row, as (contact key, relationship, type); None when the row has none."""
        name = row.text("Contact_name")
        phone, email = row.text("Contact_phone"), row.text("Contact_email")
        if not (name or phone or email):
            return None
        key = row.text("Contact_sis_id") or compound_key(student, "contact")
        first, _, last = name.rpartition(" ")
        phones = [{"number": phone[:50], "type": row.text("Contact_phone_type"), "preferred": True, "sms": False}]
        self.writer.add(Contact, "contacts", key, {
            "first_name": first[:100],
            "last_name": last[:100],
            "phones": phones if phone else [],
            "emails": [{"address": email, "type": "", "primary": True}] if email else [],
        })  # fmt: skip
        return key, row.text("Contact_relationship")[:100], row.text("Contact_type").lower()

    def _link_contacts(self, contacts):
        students = self.writer.keys(Student, "students", seen_only=True)
        people = self.writer.keys(Contact, "contacts", seen_only=True)
        for student, (contact, relationship, kind) in contacts.items():
            custodial = kind in CUSTODIAL_TYPES
            self.writer.add(StudentContact, "student_contacts", compound_key(student, contact), {
                "student_id": students[student],
                "contact_id": people[contact],
                "relationship": relationship,
                "priority": 1,
                "custodial": custodial,
                "emergency": kind == "emergency" or custodial,
                "lives_with": False,
                "school_pickup": custodial,
                "receives_mail": custodial,
            })  # fmt: skip
        self.writer.deactivate_missing(StudentContact, "student_contacts")

    def read_staff(self, name, id_column, email_column, number_column):
        for row in self.rows(name, (id_column, "School_id")):
            key = row.text(id_column)
            self.staff_schools.add((key, self.school_of(row)))
            if key in self.staff_written:
                continue
            self.staff_written.add(key)
            self.writer.add(Staff, "staff", key, {
                "first_name": row.text("First_name", required=True)[:100],
                "last_name": row.text("Last_name", required=True)[:100],
                "email": row.text(email_column)[:254],
                "teacher_number": row.text(number_column)[:50] if number_column else "",
                "title": row.text("Title")[:100],
            })  # fmt: skip

    def link_staff(self):
        self.writer.deactivate_missing(Staff, "staff")
        staff = self.writer.keys(Staff, "staff", seen_only=True)
        for person, school in sorted(self.staff_schools):
            self.writer.add(StaffSchool, "staff_schools", compound_key(person, school), {
                "staff_id": staff[person], "school_id": self.schools[school], "ps_id": None,
            })  # fmt: skip
        self.writer.deactivate_missing(StaffSchool, "staff_schools")

    def read_sections(self):
        sections = []
        terms = {}
        for row in self.rows("sections.csv", ("Section_id",)):
            school = self.school_of(row)
            teacher = row.text("Teacher_id", required=True)
            if (teacher, school) not in self.staff_schools:
                raise row.error("Teacher_id", f"“{teacher}” is not a teacher of school “{school}” in teachers.csv.")
            term = self._term(row, school, terms)
            sections.append((row.text("Section_id"), school, teacher, term, {
                "course_number": (row.text("Course_number") or row.text("Section_id"))[:50],
                "course_name": (row.text("Course_name") or row.text("Name"))[:200],
                "section_number": row.text("Section_number")[:50],
                "expression": row.text("Period")[:100],
            }))  # fmt: skip
        self.writer.deactivate_missing(Term, "terms")
        term_pks = self.writer.keys(Term, "terms", seen_only=True)
        staff_schools = self.writer.keys(StaffSchool, "staff_schools", seen_only=True)
        for key, school, teacher, term, values in sections:
            self.section_dates[key] = terms.get(term) or self._school_year()
            self.writer.add(Section, "sections", key, {
                "school_id": self.schools[school],
                "ps_id": None,
                "term_id": term_pks.get(term),
                **values,
                "teacher_id": staff_schools[compound_key(teacher, school)],
            })  # fmt: skip
        self.writer.deactivate_missing(Section, "sections")

    def _term(self, row, school, terms):
        """The key of the section's term, added once per school; None when the row names no term."""
        name = row.text("Term_name")
        first = row.date("Term_start", formats=DATE_FORMATS)
        last = row.date("Term_end", formats=DATE_FORMATS)
        if not (name or first or last):
            return None
        if not (first and last):
            missing = "Term_end" if first else "Term_start"
            raise row.error(missing, "a section's term needs both Term_start and Term_end.")
        if last < first:
            raise row.error("Term_end", f"the term ends ({last}) before it starts ({first}).")
        key = compound_key(school, name, first.isoformat(), last.isoformat())
        if key not in terms:
            terms[key] = (first, last)
            self.writer.add(Term, "terms", key, _term_values(self.schools[school], name or "Term", first, last))
        return key

    def _school_year(self):
        today = self.writer.ctx.today
        start = today.year if today.month >= 7 else today.year - 1
        return date(start, 7, 1), date(start + 1, 6, 30)

    def read_enrollments(self):
        sections = self.writer.keys(Section, "sections", seen_only=True)
        students = self.writer.keys(Student, "students", seen_only=True)
        for row in self.rows("enrollments.csv", ("Section_id", "Student_id")):
            self.school_of(row)
            section, student = row.text("Section_id"), row.text("Student_id")
            if section not in sections:
                raise row.error("Section_id", f"“{section}” is not in sections.csv (an enrollment needs its section).")
            if student not in students:
                raise row.error("Student_id", f"“{student}” is not in students.csv (an enrollment needs its student).")
            first, last = self.section_dates[section]
            self.writer.add(Enrollment, "enrollments", compound_key(section, student), {
                "student_id": students[student],
                "section_id": sections[section],
                "ps_id": None,
                "entry_date": first,
                "exit_date": last,
                "dropped": False,
            })  # fmt: skip
        self.writer.deactivate_missing(Enrollment, "enrollments")


def _repeated(name, columns, values):
    if len(columns) == 1:
        return f"“{values[0]}” appears twice in {name}; every {columns[0]} must be unique."
    pairs = " and ".join(f"{column} “{value}”" for column, value in zip(columns, values, strict=True))
    return f"{pairs} appear together twice in {name}; list each pair once."


def _term_values(school_pk, name, first, last):
    """A Clever term as PowerSchool would hold it: its school year (starting in July) and how much of it it is."""
    start_year = first.year if first.month >= 7 else first.year - 1
    days = (last - first).days
    portion = 1 if days > 250 else 2 if days > 120 else 4
    return {
        "school_id": school_pk,
        "year_id": start_year - 1990,
        "name": name[:100],
        "abbreviation": "",
        "first_day": first,
        "last_day": last,
        "portion": portion,
        "is_year": portion == 1,
    }
