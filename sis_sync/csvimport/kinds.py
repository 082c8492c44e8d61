"""Reading each kind of CSV file into the roster tables, batch by batch as the file streams past.

Every row is checked in full (all its problems are reported); once a file has an error nothing more is written,
but the rest is still read so every error can be listed. A row whose record belongs to the SIS (PowerSchool,
OneRoster, Clever) is left alone unless the import takes such records over: then the record becomes the CSV's.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from raptorlink.models import School
from sis_sync.csvimport.findings import Cells
from sis_sync.csvimport.formats import FULL
from sis_sync.engine.keys import KeySet
from sis_sync.models import Contact, Source, Staff, StaffSchool, Student, StudentContact
from sis_sync.rosters.csvfiles import RosterError
from sis_sync.rosters.records import compound_key, grade_level

BATCH = 1000
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
YES, NO = ("yes", "y", "true", "1", "x"), ("no", "n", "false", "0", "")
UNGRADED = ("UG", "Ungraded")


@dataclass
class Pending:
    """A checked row waiting for its batch: its record's key, values and name, and its row number."""

    row: int
    key: str
    values: dict
    label: str
    extra: object = None


class KindImport:
    """One file of one kind. Subclasses say how a row is read (`parse`) and written (`write`)."""

    model = None
    entity = ""

    def __init__(self, writer, findings, name, *, mode, take_over):
        self.writer = writer
        self.name = name
        self.findings = findings
        self.district = writer.district
        self.full = mode == FULL
        self.take_over = take_over
        self.seen = KeySet()
        self.rows = 0
        self._schools = None

    def run(self, rows):
        batch = []
        for row in rows:
            self.rows += 1
            pending = self.parse(Cells(row, self.findings))
            if pending is not None:
                batch.append(pending)
            if len(batch) >= BATCH:
                self._write(batch)
                batch = []
        self._write(batch)
        if not self.findings.failed:
            self.finish()

    def _write(self, batch):
        if batch and not self.findings.failed:
            self.write(batch)

    def unique(self, cells, column, key, what):
        if not self.seen.add(key):
            cells.fail(column, f"“{key}” appears earlier in the file; list each {what} once.")

    def school_pk(self, cells, column, number_text):
        """The pk of the district's active school with this number, or None (and an error) when it has none."""
        if self._schools is None:
            schools = School.objects.filter(district=self.district, active=True)
            self._schools = dict(schools.values_list("number", "pk"))
        number = int(number_text) if number_text.isdecimal() and number_text.isascii() else None
        if number not in self._schools:
            known = ", ".join(str(number) for number in sorted(self._schools)[:20]) or "none yet"
            cells.fail(column, f"“{number_text}” is not the number of a school of {self.district.name} (its schools: "
                               f"{known}).")  # fmt: skip
            return None
        return self._schools[number]

    def email(self, cells, column):
        value = cells.read("text", column) or ""
        try:
            if value:
                validate_email(value)
        except ValidationError:
            cells.fail(column, f"“{value}” is not an e-mail address.")
        return value[:254]

    def flag(self, cells, column):
        value = (cells.read("text", column) or "").lower()
        if value not in YES + NO:
            cells.fail(column, f"“{value}” is not yes or no.")
        return value in YES

    def owned_elsewhere(self, pending, owner):
        """Whether a row must be skipped because its record belongs to the SIS; noted for the preview either way.
        Taken over, the record becomes the CSV's, found again by the row's key."""
        if owner is None:
            return False
        self.note_sis_row(pending, owner)
        if not self.take_over:
            return True
        type(owner).objects.filter(pk=owner.pk).update(source=Source.CSV, key=pending.key, fingerprint="")
        # The upserter skips its lookups while it believes the CSV has no rows yet; now it has this one.
        self.writer.upserter(self.model, self.entity).nothing_stored = False
        return False

    def note_sis_row(self, pending, owner):
        source = Source(owner.source).label if owner.source in Source.values else owner.source
        self.findings.sis_row(pending.row, pending.label, f"{owner} from {source}", taken_over=self.take_over)

    def ours(self, keys):
        rows = self.model.objects.filter(district=self.district, source=Source.CSV, key__in=keys)
        return set(rows.values_list("key", flat=True))

    def deactivate_missing(self, *models_and_entities):
        if self.full:
            for model, entity in models_and_entities:
                self.writer.deactivate_missing(model, entity)


class StudentImport(KindImport):
    model, entity = Student, "students"

    def parse(self, cells):
        number = cells.read("text", "student_number", required=True)
        if number:
            self.unique(cells, "student_number", number, "student")
        school = cells.read("text", "school_number", required=True)
        school_pk = self.school_pk(cells, "school_number", school) if school else None
        grade = self.grade(cells)
        entry = cells.read("date", "entry_date", formats=DATE_FORMATS)
        exit_ = cells.read("date", "exit_date", formats=DATE_FORMATS)
        if entry and exit_ and exit_ <= entry:
            cells.fail("exit_date", f"the exit date ({exit_}) is not after the entry date ({entry}).")
        first = cells.read("text", "first_name", required=True)
        last = cells.read("text", "last_name", required=True)
        if not cells.ok:
            return None
        values = {
            "dcid": None,
            "ps_id": None,
            "student_number": number[:50],
            "state_number": cells.row.text("state_number")[:50],
            "first_name": first[:100],
            "middle_name": cells.row.text("middle_name")[:100],
            "last_name": last[:100],
            "grade_level": grade,
            "school_id": school_pk,
            "enroll_status": Student.EnrollStatus.ACTIVE,
            "entry_date": entry,
            "exit_date": exit_,
            "phone": cells.row.text("phone")[:50],
        }
        return Pending(cells.row.number, number, values, f"{first} {last} ({number})")

    def grade(self, cells):
        text = cells.read("text", "grade") or ""
        if not text or text in UNGRADED:
            return None
        level = grade_level(text.upper() if len(text) <= 2 else text)
        if level is None:
            cells.fail("grade", f"“{text}” is not a grade (PK, TK, K, 1 to 12, or UG for ungraded).")
        return level

    def write(self, batch):
        keys = [pending.key for pending in batch]
        ours = self.ours(keys)
        theirs = Student.objects.filter(district=self.district, active=True, student_number__in=keys)
        theirs = {student.student_number: student for student in theirs.exclude(source=Source.CSV)}
        for pending in batch:
            owner = None if pending.key in ours else theirs.get(pending.key)
            if not self.owned_elsewhere(pending, owner):
                self.writer.add(Student, "students", pending.key, pending.values)

    def finish(self):
        self.deactivate_missing((Student, "students"))


class ContactImport(KindImport):
    """One row per contact and student; a contact of several students repeats their details in each row."""

    model, entity = Contact, "contacts"

    def __init__(self, *args, **options):
        super().__init__(*args, **options)
        self.details = {}  # contact_id -> (its values, the row that first gave them)
        self.written = KeySet()
        self.links = []

    def parse(self, cells):
        contact = cells.read("text", "contact_id", required=True)
        number = cells.read("text", "student_number", required=True)
        if contact and number:
            self.unique(cells, "student_number", compound_key(contact, number), "contact of a student")
        first = cells.read("text", "first_name", required=True)
        last = cells.read("text", "last_name", required=True)
        email, phone = self.email(cells, "email"), cells.row.text("phone")
        priority = cells.read("whole_number", "priority", meaning="a priority (1 is called first)")
        link = {
            "relationship": cells.row.text("relationship")[:100],
            "priority": priority or 1,
            **{field: self.flag(cells, column) for field, column in LINK_FLAGS.items()},
        }
        if not cells.ok:
            return None
        values = {
            "first_name": first[:100],
            "last_name": last[:100],
            "phones": [{"number": phone[:50], "type": cells.row.text("phone_type")[:50], "preferred": True,
                        "sms": False}] if phone else [],
            "emails": [{"address": email, "type": "", "primary": True}] if email else [],
        }  # fmt: skip
        self.same_details(cells, contact, values)
        if not cells.ok:
            return None
        return Pending(cells.row.number, contact, values, f"{first} {last} for student {number}", (number, link))

    def same_details(self, cells, contact, values):
        first = self.details.setdefault(contact, (values, cells.row.number))
        if first[0] != values:
            cells.fail("contact_id", f"contact “{contact}” has other details here than in row {first[1]}; "
                                     "a contact's name, phone and e-mail must be the same in each of their rows.")  # fmt: skip

    def write(self, batch):
        numbers = {pending.extra[0] for pending in batch}
        students = Student.objects.filter(district=self.district, active=True, student_number__in=numbers)
        by_number = {}
        # A number held by both a CSV student and a SIS one means the CSV's.
        for student in students.order_by("pk"):
            if student.source == Source.CSV or student.student_number not in by_number:
                by_number[student.student_number] = student
        for pending in batch:
            self.write_one(pending, by_number.get(pending.extra[0]))

    def _write(self, batch):
        # Students are looked up even once the file has failed: each contact of an unknown student is an error.
        if batch:
            self.write(batch)

    def write_one(self, pending, student):
        number, link = pending.extra
        if student is None:
            message = (
                f"no active student has the student number “{number}”; import the student (or check the number) first."
            )
            self.findings.error(RosterError(message, file=self.name, row=pending.row, column="student_number"))
            return
        owner = None if student.source == Source.CSV else student
        if self.owned_elsewhere(pending, owner) or self.findings.failed:
            return
        if self.written.add(pending.key):
            self.writer.add(Contact, "contacts", pending.key, pending.values)
        self.links.append((pending.key, number, student.pk, link))

    def owned_elsewhere(self, pending, owner):
        # A contact added to a SIS student changes what the front desk is told about that student, so it needs
        # the same explicit take-over; the student record itself stays the SIS's.
        if owner is None:
            return False
        self.note_sis_row(pending, owner)
        return not self.take_over

    def finish(self):
        contacts = self.writer.keys(Contact, "contacts", seen_only=True)
        for contact, number, student_pk, link in self.links:
            values = {"student_id": student_pk, "contact_id": contacts[contact], **link}
            self.writer.add(StudentContact, "student_contacts", compound_key(contact, number), values)
        self.deactivate_missing((Contact, "contacts"), (StudentContact, "student_contacts"))


LINK_FLAGS = {
    "custodial": "custodial",
    "emergency": "emergency",
    "lives_with": "lives_with",
    "school_pickup": "may_pick_up",
    "receives_mail": "receives_mail",
}


class StaffImport(KindImport):
    model, entity = Staff, "staff"

    def __init__(self, *args, **options):
        super().__init__(*args, **options)
        self.places = []

    def parse(self, cells):
        key = cells.read("text", "staff_id", required=True)
        if key:
            self.unique(cells, "staff_id", key, "staff member")
        first = cells.read("text", "first_name", required=True)
        last = cells.read("text", "last_name", required=True)
        email = self.email(cells, "email")
        schools = [
            (number, self.school_pk(cells, "school_numbers", number))
            for number in dict.fromkeys(cells.read("items", "school_numbers") or [])
        ]
        if not cells.ok:
            return None
        values = {
            "first_name": first[:100],
            "last_name": last[:100],
            "email": email,
            "teacher_number": cells.row.text("teacher_number")[:50],
            "title": cells.row.text("title")[:100],
        }
        return Pending(cells.row.number, key, values, f"{first} {last} ({key})", schools)

    def write(self, batch):
        ours = self.ours([pending.key for pending in batch])
        emails = {pending.values["email"].lower() for pending in batch if pending.values["email"]}
        theirs = Staff.objects.filter(district=self.district, active=True).exclude(source=Source.CSV)
        theirs = theirs.annotate(lower_email=Lower("email")).filter(lower_email__in=emails)
        theirs = {staff.lower_email: staff for staff in theirs}
        for pending in batch:
            email = pending.values["email"].lower()
            owner = None if pending.key in ours or not email else theirs.get(email)
            if not self.owned_elsewhere(pending, owner):
                self.writer.add(Staff, "staff", pending.key, pending.values)
                self.places.extend((pending.key, number, school_pk) for number, school_pk in pending.extra)

    def finish(self):
        staff = self.writer.keys(Staff, "staff", seen_only=True)
        for key, number, school_pk in self.places:
            values = {"staff_id": staff[key], "school_id": school_pk, "ps_id": None}
            self.writer.add(StaffSchool, "staff_schools", compound_key(key, number), values)
        self.deactivate_missing((Staff, "staff"), (StaffSchool, "staff_schools"))


IMPORTS = {"students": StudentImport, "contacts": ContactImport, "staff": StaffImport}
