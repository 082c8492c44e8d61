"""Guardians and emergency contacts: one Contact per person however many siblings share them, and one
StudentContact per student and contact with the flags the front desk checks at pickup.

From PowerSchool 12 they come from the contact tables (PERSON, STUDENTCONTACTASSOC/DETAIL, the phone and
e-mail tables, CODESET), keyed by PERSON.ID. Before 12 the student record's single-record fields are all
there is (mother, father, two emergency contacts, the guardian e-mail); such a person gets a key derived
from their normalised name and phone, so siblings listing the same parent share one Contact.
"""

import hashlib
import re
import unicodedata
from contextlib import closing
from itertools import islice

from django.db.models.functions import Length

from sis_sync.engine.joins import SortedGroups, TextsById
from sis_sync.engine.keys import as_number
from sis_sync.engine.lookups import NumberMap
from sis_sync.engine.prefetch import prefetched
from sis_sync.engine.upsert import Upserter
from sis_sync.models import Contact, Source, StudentContact

BATCH = 500
CONTACTS, LINKS = "contacts", "student_contacts"


def batches(rows, size=BATCH):
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


class ContactSync:
    """Upserts contacts and their links to students, a batch of links at a time."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.contacts = Upserter(ctx, Contact, CONTACTS)
        self.links = Upserter(ctx, StudentContact, LINKS)
        self.contact_pks = {}
        ctx.report(CONTACTS, 0, "started")
        ctx.report(LINKS, 0, "started")

    def finish(self, *, full=False, students=None):
        """Write what is left. A full pass deactivates every contact and link it did not see; a pass over some
        students' complete contact lists deactivates those students' links it did not see."""
        self.contacts.finish()
        self.links.finish()
        self.ctx.report(CONTACTS, self.contacts.processed, "finished")
        self.ctx.report(LINKS, self.links.processed, "finished")
        if full:
            self.contacts.deactivate_missing(_synced(self.ctx, Contact))
            self.links.deactivate_missing(_synced(self.ctx, StudentContact))
        elif students:
            self.links.deactivate_missing(_synced(self.ctx, StudentContact).filter(student__dcid__in=students))
        self.ctx.forget("contact")

    def save_contacts(self, keys):
        """Write pending contacts and learn the primary keys of `keys`."""
        self.contacts.finish()
        self.contact_pks.update(self.stored_contacts([key for key in keys if key not in self.contact_pks]))

    def stored_contacts(self, keys):
        """{key: primary key} of the stored contacts among `keys`."""
        return dict(_synced(self.ctx, Contact).filter(key__in=keys).values_list("key", "pk"))

    def add_link(self, key, student_dcid, contact_key, values, row):
        student = self.ctx.lookup("student_dcid").get(student_dcid)
        contact = self.contact_pks.get(contact_key)
        if student is None or contact is None:
            missing = f"Student (DCID) {student_dcid}" if student is None else f"Contact {contact_key}"
            self.ctx.issue(LINKS, key, f"{missing} is not known to RaptorLink", row)
            return
        self.links.add(key, {"student_id": student, "contact_id": contact, **values})


def _synced(ctx, model):
    return model.objects.filter(district=ctx.district, source=Source.POWERSCHOOL)


# --- the contact tables (PowerSchool 12 and later) ---------------------------------------------------------


class ContactTables(ContactSync):
    def __init__(self, ctx, labels=None):
        super().__init__(ctx)
        self.labels = codeset_labels(ctx.client) if labels is None else labels

    def take_links(self, links):
        """Upsert the contacts behind these STUDENTCONTACTASSOC rows, then the links themselves."""
        for batch in batches(links):
            details = self._details([link["studentcontactassocid"] for link in batch])
            self.take_people({link["personid"] for link in batch if link["personid"] is not None})
            for link in batch:
                self._take_link(link, details.get(link["studentcontactassocid"]))

    def take_people(self, person_ids):
        """Upsert these people (each once per run) with their phones and e-mail addresses."""
        fresh = sorted(pid for pid in person_ids if str(pid) not in self.contacts.seen)
        for batch in batches(fresh):
            phones, emails = self._phones(batch), self._emails(batch)
            for person in self.ctx.client.rows_by_keys("person", "id", batch):
                contact = self._contact_values(person, phones.get(person["id"], []), emails.get(person["id"], []))
                self.contacts.add(person["id"], contact)
            self.save_contacts([str(pid) for pid in batch])

    @staticmethod
    def _contact_values(person, phones, emails):
        return {
            "first_name": person["firstname"] or "",
            "last_name": person["lastname"] or "",
            "phones": phones,
            "emails": emails,
        }

    def _take_link(self, link, detail):
        """`detail` is the link's current detail as `_detail_flags` keeps it."""
        key = link["studentcontactassocid"]
        if detail is None:
            self.ctx.issue(LINKS, key, "The link has no active contact detail", link)
            return
        relationship, *flags = detail
        values = {
            "relationship": self.labels.get(relationship or link["currreltypecodesetid"], ""),
            "priority": link["contactpriorityorder"] or 1,
            **dict(zip(DETAIL_FLAGS.values(), flags, strict=True)),
        }
        self.add_link(key, link["studentdcid"], str(link["personid"]), values, link)

    def _details(self, assoc_ids):
        """{link id: its current detail}: a link's history may hold several; an ended one never wins."""
        rows = self.ctx.client.rows_by_keys("studentcontactdetail", "studentcontactassocid", assoc_ids)
        return current_details(rows, self.ctx.today)

    def _phones(self, person_ids):
        links = list(self.ctx.client.rows_by_keys("personphonenumberassoc", "personid", person_ids))
        numbers = self.ctx.client.rows_by_keys(
            "phonenumber", "phonenumberid", [link["phonenumberid"] for link in links]
        )
        return by_person(links, phone_texts(numbers), self.labels, person_phones)

    def _emails(self, person_ids):
        links = list(self.ctx.client.rows_by_keys("personemailaddressassoc", "personid", person_ids))
        addresses = self.ctx.client.rows_by_keys(
            "emailaddress", "emailaddressid", [link["emailaddressid"] for link in links]
        )
        return by_person(links, email_texts(addresses), self.labels, person_emails)

    def take_everything(self, reads):
        """A full pass: every table read once from start to end (a few pages per thousand students), in order of
        the id it is joined on, and joined as it streams in (see joins.py); `reads` (a FullReads) has the phone
        numbers and e-mail addresses."""
        client = self.ctx.client
        with (
            closing(prefetched(client.person_phone_links())) as phone_links,
            closing(prefetched(client.person_email_links())) as email_links,
        ):
            phones = SortedGroups(phone_links, "personid", "personphonenumberassoc")
            emails = SortedGroups(email_links, "personid", "personemailaddressassoc")
            self._take_people(client.contact_people(), phones, reads.numbers.result(), emails, reads.addresses.result())
        reads.numbers = reads.addresses = None
        with closing(prefetched(client.student_contact_details())) as details:
            details = SortedGroups(details, "studentcontactassocid", "studentcontactdetail")
            self._take_links(client.student_contact_links(), details)

    def _take_people(self, people, phone_links, numbers, email_links, addresses):
        for person in prefetched(people):
            phones = person_phones(phone_links.take(person["id"]), numbers, self.labels)
            emails = person_emails(email_links.take(person["id"]), addresses, self.labels)
            self.contacts.add(person["id"], self._contact_values(person, phones, emails))
        self.contacts.finish()

    def _take_links(self, links, details):
        # Every contact is written by now (`_take_people` finished), so all their keys are read at once.
        self.contact_pks = EveryContact(self.ctx)
        for batch in batches(prefetched(links)):
            for link in batch:
                group = details.take(link["studentcontactassocid"])
                self._take_link(link, current_details(group, self.ctx.today).get(link["studentcontactassocid"]))


class EveryContact:
    """{PERSON.ID as text: primary key} of every stored contact, read in one query, at 16 bytes a contact (a
    NumberMap). Asking for each batch of links' contacts took a query per 500 links, which on PostgreSQL read the
    whole table a first sync had just filled (its planner still took it for empty): a quarter of the sync."""

    def __init__(self, ctx):
        # In order of length, then text, decimal keys come in ascending order of their number, as NumberMap needs.
        rows = _synced(ctx, Contact).annotate(key_length=Length("key")).order_by("key_length", "key")
        pairs = rows.values_list("key", "pk").iterator(chunk_size=5000)
        self._pks = NumberMap((number, pk) for key, pk in pairs if (number := as_number(key)) is not None)

    def get(self, key, default=None):
        return self._pks.get(as_number(key), default)


class FullReads:
    """The phone numbers and e-mail addresses a full contact pass joins with its people, read with `read` (see
    prefetch.background_reads) from the moment this is made, and the code set labels. A full pass makes it
    before its first entity, so PowerSchool serves these tables while the entities before the contacts are
    written, instead of the contact pass waiting for them."""

    def __init__(self, ctx, read):
        client = ctx.client
        self.labels = codeset_labels(client)
        self.numbers = read(phone_texts, client.phone_numbers())
        self.addresses = read(email_texts, client.email_addresses())


def codeset_labels(client):
    return {row["codesetid"]: row["displayvalue"] or row["code"] for row in client.codesets()}


def phone_texts(numbers):
    """{PHONENUMBERID: the number with its extension}, compactly, from PHONENUMBER rows."""
    return TextsById(
        (row["phonenumberid"], _with_extension(row["phonenumber"], row["phonenumberext"])) for row in numbers
    )


def email_texts(addresses):
    """{EMAILADDRESSID: the address}, compactly, from EMAILADDRESS rows."""
    return TextsById((row["emailaddressid"], row["emailaddress"]) for row in addresses)


def by_person(links, texts, labels, entries):
    """{PERSON.ID: [entry, …]} from the links of several people, each person's made by `entries`."""
    grouped = {}
    for link in links:
        grouped.setdefault(link["personid"], []).append(link)
    return {person: entries(group, texts, labels) for person, group in grouped.items()}


def person_phones(links, numbers, labels):
    """One person's phones in PowerSchool's order, from their PERSONPHONENUMBERASSOC rows and `numbers` (a
    TextsById of PHONENUMBER)."""
    phones = []
    for link in sorted(links, key=_phone_order):
        number = numbers.get(link["phonenumberid"])
        if number is not None:
            kind = labels.get(link["phonetypecodesetid"], "")
            phones.append(
                {"number": number, "type": kind, "preferred": bool(link["ispreferred"]), "sms": bool(link["issms"])}
            )
    return phones


def person_emails(links, addresses, labels):
    """One person's e-mail addresses in PowerSchool's order, from their PERSONEMAILADDRESSASSOC rows and
    `addresses` (a TextsById of EMAILADDRESS); an empty address is left out."""
    emails = []
    for link in sorted(links, key=_email_order):
        address = addresses.get(link["emailaddressid"])
        if address:
            kind = labels.get(link["emailtypecodesetid"], "")
            emails.append({"address": address, "type": kind, "primary": bool(link["isprimaryemailaddress"])})
    return emails


def _phone_order(link):
    return link["phonenumberpriorityorder"] or 0, link["personphonenumberassocid"]


def _email_order(link):
    return link["emailaddresspriorityorder"] or 0, link["personemailaddressassocid"]


def current_details(details, today):
    """{link id: its current detail, as `_detail_flags` keeps it}: a link's history may hold several; an ended
    one never wins."""
    return {detail["studentcontactassocid"]: _detail_flags(detail) for detail in details if _is_current(detail, today)}


def _is_current(detail, today):
    return detail["isactive"] is not False and not (detail["enddate"] and detail["enddate"] < today)


# STUDENTCONTACTDETAIL's flags and the StudentContact fields they fill.
DETAIL_FLAGS = {
    "iscustodial": "custodial",
    "isemergency": "emergency",
    "liveswithflg": "lives_with",
    "schoolpickupflg": "school_pickup",
    "receivesmailflg": "receives_mail",
}


def _detail_flags(detail):
    """(relationship code id, *flags): what a link needs of its detail."""
    return (detail["relationshiptypecodesetid"], *(bool(detail[column]) for column in DETAIL_FLAGS))


def _with_extension(number, extension):
    return f"{number} x{extension}" if extension else number or ""


# --- the student record's own fields (before PowerSchool 12) -------------------------------------------------


class LegacyContacts(ContactSync):
    def take_students(self, students):
        """Upsert the contacts named on these STUDENTS rows (with the legacy columns), then the links."""
        for batch in batches(prefetched(students)):
            people = [(student, legacy_people(student)) for student in batch]
            for _, listed in people:
                for person in listed:
                    self.contacts.add(person.key, person.contact_values())
            self.save_contacts([person.key for _, listed in people for person in listed])
            for student, listed in people:
                for priority, person in enumerate(listed, start=1):
                    key = f"{student['dcid']}-{person.key}"
                    self.add_link(key, student["dcid"], person.key, person.link_values(priority), student)


class LegacyPerson:
    def __init__(self, name, phone, relationship, *, parent):
        self.name = " ".join(name.split())
        self.phone = phone or ""
        self.relationship = relationship
        self.parent = parent
        self.emergency = not parent
        self.emails = []
        self.key = "legacy-" + hashlib.md5(f"{_normal(self.name)}|{_digits(self.phone)}".encode()).hexdigest()[:24]

    def contact_values(self):
        last, _, first = self.name.partition(",") if "," in self.name else (self.name, "", "")
        return {
            "first_name": first.strip()[:100],
            "last_name": last.strip()[:100],
            "phones": [{"number": self.phone, "type": "", "preferred": True, "sms": False}] if self.phone else [],
            "emails": [
                {"address": address, "type": "", "primary": index == 0} for index, address in enumerate(self.emails)
            ],
        }

    def link_values(self, priority):
        return {
            "relationship": self.relationship,
            "priority": priority,
            "custodial": self.parent,
            "emergency": self.emergency,
            "lives_with": self.parent,
            "school_pickup": self.parent,
            "receives_mail": self.parent,
        }


def legacy_people(student):
    """The people on one student record: parents first, then emergency contacts who are not a parent."""
    emergency = [
        (student[f"emerg_contact_{n}"], student[f"emerg_phone_{n}"]) for n in (1, 2) if student[f"emerg_contact_{n}"]
    ]
    phones = {_normal(name): phone for name, phone in emergency}
    people = []
    for column, relationship in (("mother", "Mother"), ("father", "Father")):
        name = student[column]
        if name:
            phone = phones.get(_normal(name)) or student["home_phone"]
            people.append(LegacyPerson(name, phone, relationship, parent=True))
    parents = {_normal(person.name): person for person in people}
    for name, phone in emergency:
        if _normal(name) in parents:
            parents[_normal(name)].emergency = True
        else:
            people.append(LegacyPerson(name, phone, "Emergency contact", parent=False))
    _share_guardian_emails(people, student["guardianemail"])
    return people


def _share_guardian_emails(people, guardian_email):
    """GUARDIANEMAIL lists the parents' addresses in order; a single address belongs to the first parent."""
    addresses = [address.strip() for address in (guardian_email or "").replace(";", ",").split(",") if address.strip()]
    parents = [person for person in people if person.parent] or people[:1]
    for index, address in enumerate(addresses):
        if parents:
            parents[min(index, len(parents) - 1)].emails.append(address)


def _normal(name):
    """ "Doe,  Mary-Ann" and "doe, mary ann" name the same person."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _digits(phone):
    return re.sub(r"\D", "", phone or "")
