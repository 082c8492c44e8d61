import datetime

from sandbox import mutations
from sis_sync.models import Contact, Enrollment, Student, StudentContact, SyncRun, SyncSettings

CHANGE_DAY = datetime.date(2026, 10, 14)


def changed(run):
    """{entity: {outcome: n}} of what the run wrote (created, updated or deactivated)."""
    return {
        entity: {outcome: n for outcome, n in counts.items() if n and outcome != "unchanged"}
        for entity, counts in run.counts.items()
        if any(n for outcome, n in counts.items() if outcome != "unchanged")
    }


def a_student(powerschool, status=0):
    return powerschool.store.query_one(
        "SELECT * FROM students WHERE enroll_status = ? AND entrydate < '2026-10-01' ORDER BY dcid LIMIT 1", (status,)
    )


def test_a_full_sync_records_the_data_version_it_started_at(powerschool):
    powerschool.sync()

    settings = SyncSettings.objects.get(district=powerschool.district)
    assert settings.data_version == str(powerschool.store.current_dataversion())


def test_a_delta_sync_with_nothing_changed_asks_little_and_writes_nothing(powerschool):
    powerschool.sync()

    run = powerschool.sync("delta")

    assert (run.status, run.kind) == (SyncRun.Status.SUCCEEDED, SyncRun.Kind.DELTA)
    assert changed(run) == {} and run.requests <= 3


def test_a_delta_sync_picks_up_a_rename_and_only_it(powerschool):
    powerschool.sync()
    student = a_student(powerschool)
    mutations.rename_student(powerschool.store, student["dcid"], last_name="Okafor")

    run = powerschool.sync("delta")

    assert changed(run) == {"students": {"updated": 1}}
    assert Student.objects.get(key=str(student["dcid"])).last_name == "Okafor"
    assert SyncSettings.objects.get(district=powerschool.district).data_version == str(
        powerschool.store.current_dataversion()
    )


def test_a_renamed_or_withdrawn_students_contacts_are_not_read_again(powerschool):
    powerschool.sync()
    renamed, withdrawn = powerschool.store.query(
        "SELECT dcid FROM students WHERE enroll_status = 0 AND entrydate < '2026-10-01' ORDER BY dcid LIMIT 2"
    )
    mutations.rename_student(powerschool.store, renamed["dcid"], last_name="Okafor")
    mutations.withdraw_student(powerschool.store, withdrawn["dcid"], exitdate=CHANGE_DAY)
    links = StudentContact.objects.filter(student__dcid__in=[renamed["dcid"], withdrawn["dcid"]], active=True)
    linked = set(links.values_list("pk", flat=True))
    assert linked

    run = powerschool.sync("delta")

    read = {entity: sum(counts.values()) for entity, counts in run.counts.items()}
    assert read.get("contacts", 0) == read.get("student_contacts", 0) == 0
    assert changed(run)["students"] == {"updated": 2}
    assert set(links.values_list("pk", flat=True)) == linked


def test_a_delta_sync_picks_up_a_new_student_with_contacts_and_schedule(powerschool):
    powerschool.sync()
    keys = mutations.enroll_student(
        powerschool.store,
        school_number=2001,
        grade_level=7,
        first_name="Ada",
        last_name="Quist",
        entrydate=CHANGE_DAY,
        contacts=[{"first_name": "Mona", "last_name": "Quist", "relationship": "Mother", "phone": "617-555-0142"}],
    )

    run = powerschool.sync("delta")

    student = Student.objects.get(key=str(keys["dcid"]))
    assert (student.first_name, student.school.number, student.ps_id) == ("Ada", 2001, keys["id"])
    assert student.enrollments.count() == Enrollment.objects.filter(student=student).count() > 0
    mother = student.contacts.get().contact
    assert mother.last_name == "Quist" and mother.phones[0]["number"] == "617-555-0142"
    assert changed(run) == {
        "students": {"created": 1},
        "contacts": {"created": 1},
        "student_contacts": {"created": 1},
        "enrollments": {"created": student.enrollments.count()},
    }


def test_a_delta_sync_picks_up_a_withdrawal(powerschool):
    powerschool.sync()
    student = a_student(powerschool)
    mutations.withdraw_student(powerschool.store, student["dcid"], exitdate=CHANGE_DAY)

    run = powerschool.sync("delta")

    synced = Student.objects.get(key=str(student["dcid"]))
    assert (synced.enroll_status, synced.exit_date, synced.active) == (2, CHANGE_DAY, True)
    assert set(changed(run)) == {"students", "enrollments"}
    assert all(enrollment.exit_date <= CHANGE_DAY for enrollment in synced.enrollments.filter(dropped=False))


def test_a_delta_sync_picks_up_contact_changes(powerschool):
    powerschool.sync()
    student = a_student(powerschool)
    link = powerschool.store.query_one(
        "SELECT * FROM studentcontactassoc WHERE studentdcid = ? ORDER BY contactpriorityorder LIMIT 1",
        (student["dcid"],),
    )
    mutations.change_contacts(
        powerschool.store,
        student["dcid"],
        edit=[{"person_id": link["personid"], "phone": "413-555-0199"}],
        add=[{"first_name": "Gus", "last_name": "Porter", "relationship": "Uncle", "school_pickup": False}],
    )

    run = powerschool.sync("delta")

    contact = Contact.objects.get(key=str(link["personid"]))
    assert "413-555-0199" in [phone["number"] for phone in contact.phones]
    uncle = StudentContact.objects.get(student__dcid=student["dcid"], contact__last_name="Porter")
    assert (uncle.relationship, uncle.school_pickup, uncle.emergency) == ("Uncle", False, True)
    assert changed(run)["contacts"] == {"created": 1, "updated": 1}
    assert changed(run)["student_contacts"] == {"created": 1}


def test_a_delta_sync_picks_up_a_pickup_permission_and_a_removed_contact(powerschool):
    powerschool.sync()
    student = a_student(powerschool)
    links = powerschool.store.query(
        "SELECT * FROM studentcontactassoc WHERE studentdcid = ? ORDER BY contactpriorityorder", (student["dcid"],)
    )
    first, last = links[0], links[-1]
    mutations.set_pickup(powerschool.store, student["dcid"], first["personid"], False)
    mutations.change_contacts(powerschool.store, student["dcid"], remove=[last["personid"]])

    powerschool.sync("delta")

    assert StudentContact.objects.get(key=str(first["studentcontactassocid"])).school_pickup is False
    assert StudentContact.objects.get(key=str(last["studentcontactassocid"])).active is False


def test_a_delta_sync_picks_up_a_schedule_change(powerschool):
    powerschool.sync()
    student = a_student(powerschool)
    cc = powerschool.store.query_one(
        "SELECT * FROM cc WHERE studentid = ? AND sectionid > 0 AND termid >= 3600 ORDER BY dcid LIMIT 1",
        (student["id"],),
    )
    mutations.change_schedule(powerschool.store, student["dcid"], drop=[cc["dcid"]], on=CHANGE_DAY)

    run = powerschool.sync("delta")

    enrollment = Enrollment.objects.get(key=str(cc["dcid"]))
    assert enrollment.dropped and enrollment.exit_date == CHANGE_DAY
    assert changed(run) == {"enrollments": {"updated": 1}}


def test_a_delta_sync_without_a_known_version_runs_a_full_pass(powerschool):
    run = powerschool.sync("delta")

    assert (run.status, run.kind) == (SyncRun.Status.SUCCEEDED, SyncRun.Kind.FULL)
    assert "full sync" in run.message
    assert Student.objects.count() == 60


def test_before_powerschool_9_3_a_delta_sync_is_a_full_pass(powerschool):
    powerschool.store.set_setting("profile", "9.2")
    powerschool.sync()
    assert SyncSettings.objects.get(district=powerschool.district).data_version == ""

    run = powerschool.sync("delta")

    assert run.kind == SyncRun.Kind.FULL and run.status == SyncRun.Status.SUCCEEDED
