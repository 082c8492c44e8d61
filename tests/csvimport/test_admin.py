"""The console upload: district admins upload a file, see its preview, then apply or cancel it; Apply imports the
stored file as previewed, never a file posted again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sis_sync.csvimport.uploads import stored_path
from sis_sync.models import CsvUpload, Source, Student, SyncRun
from tests.csvimport.conftest import STUDENTS_HEADER, TEMPLATES, sis_student
from tests.world import PASSWORD

ADD = "/admin/sis_sync/csvupload/add/"
LIST = "/admin/sis_sync/csvupload/"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CSV_UPLOAD_DIR = tmp_path / "uploads"
    return settings.CSV_UPLOAD_DIR


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(client, world, content, *, kind="students", take_over=False, district=None, name="students.csv"):
    data = {"district": (district or world.district).pk, "kind": kind, "mode": "add",
            "file": SimpleUploadedFile(name, content.encode(), content_type="text/csv")}  # fmt: skip
    if take_over:
        data["take_over"] = "on"
    return client.post(ADD, data)


def previewed(client, world, content, **options):
    response = upload(client, world, content, **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    return CsvUpload.objects.latest("pk")


@pytest.mark.parametrize(
    ("role", "status"),
    [("superuser", 200), ("district_admin", 200), ("building_admin", 403), ("it_viewer", 403), ("outsider", 302)],
)
def test_only_district_admins_open_the_csv_upload(client, world, role, status):
    response = login(client, world.users_by_role()[role]).get(ADD)

    assert response.status_code == status


def test_a_district_admin_may_upload_only_for_their_district(client, world, schools):
    login(client, world.district_admin)

    response = upload(client, world, (TEMPLATES / "students.csv").read_text(), district=world.other_district)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CsvUpload.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored_or_read(client, world, schools, settings):
    settings.CSV_UPLOAD_MAX_MB = 1
    login(client, world.district_admin)
    rows = "".join(f"{700000 + n},Given{n},Family{n},101\n" for n in range(50_000))

    response = upload(client, world, f"{STUDENTS_HEADER}\n{rows}")

    assert response.status_code == 200
    assert "students.csv is 1.6 MB; the console takes files up to 1 MB. Deliver a larger file to the district&#x27;s " \
           "CSV drop folder instead." in response.content.decode()  # fmt: skip
    assert not CsvUpload.objects.exists() and not list(settings.CSV_UPLOAD_DIR.glob("*"))


def test_the_upload_page_states_the_size_limit(client, world, settings):
    settings.CSV_UPLOAD_MAX_MB = 7

    page = login(client, world.district_admin).get(ADD).content.decode()

    assert "saved as UTF-8, up to 7 MB." in page


def test_a_file_that_is_not_utf8_previews_its_row_and_cannot_be_applied(client, world, schools):
    login(client, world.district_admin)
    data = {"district": world.district.pk, "kind": "students", "mode": "add",
            "file": SimpleUploadedFile("students.csv", f"{STUDENTS_HEADER}\n900101,Zoë,Lee,101\n".encode("cp1252"))}  # fmt: skip

    client.post(ADD, data)
    page = client.get(f"{LIST}{CsvUpload.objects.get().pk}/change/").content.decode()

    assert "students.csv row 2: the file must be UTF-8 but has the byte 0xEB, which is not UTF-8, in “Zoë”" in page
    assert 'value="Apply"' not in page


def test_the_preview_shows_what_would_change_and_changes_nothing(client, world, schools, upload_dir):
    login(client, world.district_admin)

    csv_upload = previewed(client, world, (TEMPLATES / "students.csv").read_text())
    page = client.get(f"{LIST}{csv_upload.pk}/change/").content.decode()

    assert not Student.objects.exists() and not SyncRun.objects.exists()
    assert stored_path(csv_upload.digest).is_file()
    assert csv_upload.preview["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "deactivated": 0}
    assert "created: students Zoë Lindqvist (900103)" in page
    assert 'value="Apply"' in page and csv_upload.digest in page


def test_apply_imports_exactly_the_previewed_file(client, world, schools, upload_dir):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, (TEMPLATES / "students.csv").read_text())

    response = client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": csv_upload.digest})

    assert response.status_code == 302
    csv_upload.refresh_from_db()
    assert csv_upload.status == "applied" and csv_upload.run.source == Source.CSV
    assert csv_upload.run.trigger == "admin:dana.admin"
    assert Student.objects.filter(source=Source.CSV).count() == 3
    assert not stored_path(csv_upload.digest).exists()
    assert client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": csv_upload.digest}).status_code == 302
    assert SyncRun.objects.count() == 1


def test_apply_ignores_a_file_posted_with_it(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")
    other = SimpleUploadedFile("students.csv", f"{STUDENTS_HEADER}\n666,Evil,Row,101\n".encode())

    client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": csv_upload.digest, "file": other})

    assert list(Student.objects.values_list("student_number", flat=True)) == ["900101"]


def test_apply_refuses_a_stored_file_altered_since_the_preview(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")
    stored_path(csv_upload.digest).write_text(f"{STUDENTS_HEADER}\n666,Evil,Row,101\n")

    response = client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": csv_upload.digest}, follow=True)

    assert "The stored file is missing or was altered since the preview" in response.content.decode()
    assert not Student.objects.exists()


def test_apply_with_another_digest_is_refused(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")

    response = client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": "0" * 64})

    assert response.status_code == 403
    assert not Student.objects.exists()


def test_apply_renews_a_preview_the_districts_records_have_outdated(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")
    sis_student(world, schools[0])

    response = client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": csv_upload.digest}, follow=True)

    page = response.content.decode()
    assert "The district&#x27;s records changed since the preview; review the renewed preview." in page
    assert "1 row matches records owned by the SIS" in page
    assert not Student.objects.filter(source=Source.CSV).exists()


def test_a_file_with_errors_previews_every_error_and_cannot_be_applied(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, f"{STUDENTS_HEADER}\n900101,,Okafor,101\n900102,Luca,Bianchi,999\n")

    page = client.get(f"{LIST}{csv_upload.pk}/change/").content.decode()

    assert "2 errors: nothing will be imported" in page
    assert "students.csv row 2, column first_name: this column must not be empty." in page
    assert "students.csv row 3, column school_number: “999” is not the number" in page
    assert 'value="Apply"' not in page
    client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": csv_upload.digest})
    assert not Student.objects.exists()


def test_the_preview_names_rows_that_touch_sis_records(client, world, schools):
    sis_student(world, schools[0])
    login(client, world.district_admin)

    csv_upload = previewed(client, world, f"{STUDENTS_HEADER}\n900101,Amara,Okafor,101\n")
    page = client.get(f"{LIST}{csv_upload.pk}/change/").content.decode()

    assert "Row 2: Amara Okafor (900101) — Powers, Amy (900101) from PowerSchool" in page
    assert "They will be left alone" in page


def test_cancel_discards_the_file_and_imports_nothing(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, (TEMPLATES / "students.csv").read_text())

    response = client.post(f"{LIST}{csv_upload.pk}/cancel/", {"digest": csv_upload.digest})

    assert response.status_code == 302
    csv_upload.refresh_from_db()
    assert csv_upload.status == "cancelled"
    assert not stored_path(csv_upload.digest).exists()
    assert not Student.objects.exists()


def test_another_districts_admin_can_neither_see_nor_apply_an_upload(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, (TEMPLATES / "students.csv").read_text())
    client.logout()
    login(client, world.other_admin)

    assert client.get(f"{LIST}{csv_upload.pk}/change/").status_code == 404
    assert client.post(f"{LIST}{csv_upload.pk}/apply/", {"digest": csv_upload.digest}).status_code == 404
    assert "students.csv" not in client.get(LIST).content.decode()
    assert not Student.objects.exists()


def test_apply_and_cancel_are_not_links(client, world, schools):
    login(client, world.district_admin)
    csv_upload = previewed(client, world, (TEMPLATES / "students.csv").read_text())

    assert client.get(f"{LIST}{csv_upload.pk}/apply/").status_code == 403
    assert not Student.objects.exists()
