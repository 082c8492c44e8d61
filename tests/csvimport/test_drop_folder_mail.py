"""A drop-folder file that fails to import e-mails the district's sync contacts once per incident, naming the file,
its first errors and its log; the next pass whose files import announces the recovery once."""

import pytest

from raptorlink.models import Incident, NotificationContact
from raptorlink.notifications import open_incident
from sis_sync.csvimport.dropfolder import drop_folder_task
from sis_sync.models import SyncRun
from tests.csvimport.conftest import STUDENTS_HEADER, TEMPLATES, deliver

BAD_SCHOOL = f"{STUDENTS_HEADER}\n900101,Amara,Okafor,999\n"


@pytest.fixture
def contacts(world):
    NotificationContact.objects.create(district=world.district, name="Ian IT", email="ian@lincoln.example")
    NotificationContact.objects.create(
        district=world.district, name="Wanda Writeback", email="wanda@lincoln.example", about_sync=False
    )
    NotificationContact.objects.create(district=world.other_district, name="Rita", email="rita@riverside.example")


def deliver_and_run(world, folder, name, text):
    deliver(folder, name, text)
    return drop_folder_task(world.district.pk)


def test_a_failed_file_emails_the_sync_contacts_its_name_first_errors_and_log(
    world, schools, lincoln_folder, contacts, mailoutbox
):
    deliver_and_run(world, lincoln_folder, "students-monday.csv", BAD_SCHOOL)

    (mail,) = mailoutbox
    assert mail.to == ["ian@lincoln.example"]
    assert mail.subject == "[RaptorLink] Lincoln County Schools: CSV drop-folder import failed"
    log = next((lincoln_folder / "failed").glob("*-students-monday.csv.log"))
    run = SyncRun.objects.get()
    assert (
        "File: students-monday.csv\n"
        "- students-monday.csv row 2, column school_number: “999” is not the number of a school of Lincoln County "
        "Schools (its schools: 101, 102).\n"
        f"Log: {log}\n"
        f"The sync run in RaptorLink admin: /admin/sis_sync/syncrun/{run.pk}/change/"
    ) in mail.body


def test_only_the_first_errors_are_mailed_and_the_rest_counted(world, schools, lincoln_folder, contacts, mailoutbox):
    rows = "".join(f"90010{n},Given,Family,999\n" for n in range(8))
    deliver_and_run(world, lincoln_folder, "students.csv", f"{STUDENTS_HEADER}\n{rows}")

    body = mailoutbox[0].body
    assert body.count("column school_number: “999” is not the number of a school") == 5
    assert "- … and 3 more (see the log)." in body


def test_a_file_that_keeps_failing_is_announced_once(world, schools, lincoln_folder, contacts, mailoutbox):
    deliver_and_run(world, lincoln_folder, "students.csv", BAD_SCHOOL)
    deliver_and_run(world, lincoln_folder, "students-again.csv", BAD_SCHOOL)
    deliver_and_run(world, lincoln_folder, "roster.csv", BAD_SCHOOL)

    assert len(mailoutbox) == 1
    assert Incident.objects.get(kind=Incident.Kind.CSV_IMPORT_FAILED).closed_at is None


def test_the_next_pass_that_imports_announces_the_recovery_once(world, schools, lincoln_folder, contacts, mailoutbox):
    deliver_and_run(world, lincoln_folder, "students.csv", BAD_SCHOOL)
    deliver_and_run(world, lincoln_folder, "students-fixed.csv", (TEMPLATES / "students.csv").read_text())
    deliver_and_run(world, lincoln_folder, "staff.csv", (TEMPLATES / "staff.csv").read_text())

    failure, recovery = mailoutbox
    assert recovery.subject == "[RaptorLink] Lincoln County Schools: resolved — CSV drop-folder import failed"
    assert "The latest files from the CSV drop folder were imported: students-fixed.csv." in recovery.body
    assert Incident.objects.get(kind=Incident.Kind.CSV_IMPORT_FAILED).closed_at is not None


def test_a_pass_with_a_failed_file_is_no_recovery_even_if_another_file_imported(
    world, schools, lincoln_folder, contacts, mailoutbox
):
    deliver_and_run(world, lincoln_folder, "students.csv", BAD_SCHOOL)
    deliver(lincoln_folder, "students.csv", (TEMPLATES / "students.csv").read_text())
    deliver(lincoln_folder, "contacts.csv", "contact_id,student_number,first_name,last_name\nC-1,111,Bo,Lee\n")

    drop_folder_task(world.district.pk)

    assert len(mailoutbox) == 1
    assert Incident.objects.get(kind=Incident.Kind.CSV_IMPORT_FAILED).closed_at is None


def test_imports_that_never_failed_and_empty_passes_send_nothing(world, schools, lincoln_folder, contacts, mailoutbox):
    deliver_and_run(world, lincoln_folder, "students.csv", (TEMPLATES / "students.csv").read_text())
    drop_folder_task(world.district.pk)

    assert mailoutbox == []
    assert not Incident.objects.exists()


def test_an_open_powerschool_sync_incident_does_not_silence_a_failed_file(
    world, schools, lincoln_folder, contacts, mailoutbox
):
    open_incident(world.district, Incident.Kind.SYNC_FAILED)

    deliver_and_run(world, lincoln_folder, "students.csv", BAD_SCHOOL)

    assert [mail.subject.split(": ")[1] for mail in mailoutbox] == ["CSV drop-folder import failed"]
