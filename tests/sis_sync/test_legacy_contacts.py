from sandbox import mutations
from sis_sync.models import Contact, StudentContact, SyncRun


def siblings(store):
    return store.query(
        "SELECT s.* FROM students s JOIN (SELECT mother, home_phone FROM students WHERE mother != '' "
        "GROUP BY mother, home_phone HAVING COUNT(*) > 1 LIMIT 1) f ON f.mother = s.mother AND f.home_phone = s.home_phone"
    )


def test_before_powerschool_12_contacts_come_from_the_student_record(legacy_powerschool):
    run = legacy_powerschool.sync()
    row = legacy_powerschool.store.query_one(
        "SELECT * FROM students WHERE mother != '' AND emerg_contact_1 != '' ORDER BY dcid LIMIT 1"
    )

    links = StudentContact.objects.filter(student__dcid=row["dcid"]).select_related("contact")

    assert run.status == SyncRun.Status.SUCCEEDED
    mother = links.get(relationship="Mother")
    last, first = (part.strip() for part in row["mother"].split(","))
    assert (mother.contact.last_name, mother.contact.first_name) == (last, first)
    assert mother.custodial and mother.school_pickup and mother.contact.phones
    emergency_names = {f"{link.contact.last_name}, {link.contact.first_name}" for link in links if link.emergency}
    assert row["emerg_contact_1"] in emergency_names
    assert row["guardianemail"].split(",")[0] in [email["address"] for email in mother.contact.emails]


def test_siblings_on_old_powerschool_share_their_parents(legacy_powerschool):
    legacy_powerschool.sync()
    family = siblings(legacy_powerschool.store)

    mothers = {
        link.contact_id
        for link in StudentContact.objects.filter(student__dcid__in=[s["dcid"] for s in family], relationship="Mother")
    }

    assert len(family) > 1 and len(mothers) == 1
    assert Contact.objects.get(pk=mothers.pop()).key.startswith("legacy-")


def test_a_second_legacy_sync_writes_nothing_and_a_delta_sees_a_new_guardian(legacy_powerschool):
    legacy_powerschool.sync()
    again = legacy_powerschool.sync()
    assert {outcome for counts in again.counts.values() for outcome, n in counts.items() if n} == {"unchanged"}
    row = legacy_powerschool.store.query_one("SELECT * FROM students WHERE father = '' ORDER BY dcid LIMIT 1")
    mutations.change_contacts(
        legacy_powerschool.store,
        row["dcid"],
        add=[{"first_name": "Abe", "last_name": "Lindqvist", "relationship": "Father", "phone": "508-555-0100"}],
    )

    legacy_powerschool.sync("delta")

    father = StudentContact.objects.get(student__dcid=row["dcid"], relationship="Father")
    assert (father.contact.first_name, father.contact.last_name) == ("Abe", "Lindqvist")
