"""The scheduled import of a district's drop folder: files by kind, filed into processed/ or failed/ with a log,
a SyncRun per file; its schedule follows the district's drop-folder settings."""

from io import StringIO

from django.core.management import call_command
from django_q.models import Schedule

from sis_sync.csvimport.dropfolder import drop_folder_task
from sis_sync.models import CsvDropFolder, Source, Staff, Student, SyncRun
from sis_sync.schedules import CSV_DROP_TASK, csv_drop_schedule_name
from tests.csvimport.conftest import STUDENTS_HEADER, TEMPLATES, deliver
from tests.world import PASSWORD


def filed(folder, where):
    return sorted(path.name.split("-", 1)[1] for path in (folder / where).iterdir())


def test_delivered_files_are_imported_students_first_and_filed_with_their_logs(world, schools, lincoln_folder):
    deliver(lincoln_folder, "contacts-2026-11-22.csv", (TEMPLATES / "contacts.csv").read_text())
    deliver(lincoln_folder, "students-2026-11-22.csv", (TEMPLATES / "students.csv").read_text())
    deliver(lincoln_folder, "staff.csv", (TEMPLATES / "staff.csv").read_text())

    lines = drop_folder_task(world.district.pk)

    assert [line.split(":")[0] for line in lines] == ["students-2026-11-22.csv", "contacts-2026-11-22.csv", "staff.csv"]
    assert filed(lincoln_folder, "processed") == [
        "contacts-2026-11-22.csv", "contacts-2026-11-22.csv.log", "staff.csv", "staff.csv.log",
        "students-2026-11-22.csv", "students-2026-11-22.csv.log",
    ]  # fmt: skip
    runs = SyncRun.objects.filter(source=Source.CSV, trigger="drop folder")
    assert runs.count() == 3 and set(runs.values_list("status", flat=True)) == {"succeeded"}
    assert Student.objects.count() == 3 and Staff.objects.count() == 3
    log = next((lincoln_folder / "processed").glob("*students-2026-11-22.csv.log")).read_text()
    assert log.startswith("students-2026-11-22.csv (students, add) imported.")
    assert "students" in log and "created" in log


def test_a_refused_file_goes_to_failed_with_its_errors_and_imports_nothing(world, schools, lincoln_folder):
    deliver(lincoln_folder, "students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,999\n")

    drop_folder_task(world.district.pk)

    assert filed(lincoln_folder, "failed") == ["students.csv", "students.csv.log"]
    log = next((lincoln_folder / "failed").glob("*.log")).read_text()
    assert "students.csv row 2, column school_number: “999” is not the number of a school" in log
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED
    assert not Student.objects.exists()


def test_a_file_named_for_no_kind_is_failed_with_the_naming_rule(world, schools, lincoln_folder):
    deliver(lincoln_folder, "roster.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    drop_folder_task(world.district.pk)

    log = next((lincoln_folder / "failed").glob("*.log")).read_text()
    assert "a file's name must start with students, contacts or staff and end with .csv" in log
    assert not SyncRun.objects.exists()


def test_a_file_still_arriving_waits_for_the_next_run(world, schools, lincoln_folder):
    deliver(lincoln_folder, "students.csv", (TEMPLATES / "students.csv").read_text(), age=0)

    assert drop_folder_task(world.district.pk) == []
    assert (lincoln_folder / "students.csv").exists() and not Student.objects.exists()


def test_a_full_drop_folder_deactivates_students_a_later_file_leaves_out(world, schools, lincoln_folder):
    CsvDropFolder.objects.update(mode="full")
    deliver(lincoln_folder, "students.csv", (TEMPLATES / "students.csv").read_text())
    drop_folder_task(world.district.pk)
    deliver(lincoln_folder, "students.csv", f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    drop_folder_task(world.district.pk)

    assert list(Student.objects.filter(active=True).values_list("student_number", flat=True)) == ["900101"]


def test_a_disabled_drop_folder_is_left_alone(world, schools, lincoln_folder):
    CsvDropFolder.objects.update(enabled=False)
    deliver(lincoln_folder, "students.csv", (TEMPLATES / "students.csv").read_text())

    assert drop_folder_task(world.district.pk) == []
    assert not Student.objects.exists()


def test_setup_schedules_schedules_each_enabled_drop_folder(world, lincoln_folder):
    output = StringIO()
    call_command("setup_schedules", stdout=output)

    schedule = Schedule.objects.get(name=csv_drop_schedule_name(world.district.pk))
    assert (schedule.func, schedule.args, schedule.minutes) == (CSV_DROP_TASK, f"({world.district.pk},)", 15)
    assert "lincoln: CSV drop folder created" in output.getvalue()

    CsvDropFolder.objects.update(enabled=False)
    call_command("setup_schedules", stdout=StringIO())
    assert not Schedule.objects.filter(func=CSV_DROP_TASK).exists()


def test_the_console_schedules_the_districts_own_drop_folder_named_by_the_server(
    client, world, drop_root, django_capture_on_commit_callbacks
):
    assert client.login(username=world.district_admin.username, password=PASSWORD)
    page = "/admin/sis_sync/csvdropfolder/add/"
    form = {"district": world.district.pk, "enabled": "on", "mode": "add", "interval_minutes": 30}

    with django_capture_on_commit_callbacks(execute=True):
        # A folder of its choosing is not the console's to give: it is ignored.
        saved = client.post(page, {**form, "folder": "riverside"})

    assert saved.status_code == 302
    drop = CsvDropFolder.objects.get()
    assert drop.folder == "lincoln"
    assert Schedule.objects.get(name=csv_drop_schedule_name(world.district.pk)).minutes == 30
    shown = client.get(f"/admin/sis_sync/csvdropfolder/{drop.pk}/change/").content.decode()
    assert str(drop_root.resolve() / "lincoln") in shown


def test_two_districts_never_share_a_drop_folder(world, drop_root):
    lincoln = CsvDropFolder.objects.create(district=world.district)
    riverside = CsvDropFolder.objects.create(district=world.other_district)

    assert (lincoln.folder, riverside.folder) == ("lincoln", "riverside")


def test_a_drop_folder_that_links_to_another_districts_imports_nothing_of_it(world, schools, drop_root):
    CsvDropFolder.objects.create(district=world.district)
    riverside = drop_root / "riverside"
    riverside.mkdir(parents=True)
    delivered = deliver(riverside, "students.csv", (TEMPLATES / "students.csv").read_text())
    (drop_root / "lincoln").symlink_to(riverside, target_is_directory=True)

    assert drop_folder_task(world.district.pk) == []

    assert delivered.exists() and not Student.objects.exists()


def test_a_link_delivered_into_the_folder_is_never_followed(world, schools, lincoln_folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = deliver(elsewhere, "students.csv", (TEMPLATES / "students.csv").read_text())
    (lincoln_folder / "students.csv").symlink_to(target)

    assert drop_folder_task(world.district.pk) == []

    assert target.exists() and not Student.objects.exists()


def test_processed_files_are_never_filed_through_a_link(world, schools, lincoln_folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (lincoln_folder / "processed").symlink_to(elsewhere, target_is_directory=True)
    delivered = deliver(lincoln_folder, "students.csv", (TEMPLATES / "students.csv").read_text())

    assert drop_folder_task(world.district.pk) == []

    assert delivered.exists() and list(elsewhere.iterdir()) == []


def test_only_district_admins_open_the_drop_folder_settings(client, world):
    for user, status in ((world.district_admin, 200), (world.building_admin, 403)):
        assert client.login(username=user.username, password=PASSWORD)
        assert client.get("/admin/sis_sync/csvdropfolder/").status_code == status
