"""Lincoln's schools 101 (North) and 102 (South), the documented example files, a way to write a CSV file, and
Lincoln's drop folder with a way to deliver a file to it."""

import os
import time
from pathlib import Path

import pytest
from django.utils import timezone

from raptorlink.models import School
from sis_sync.csvimport.service import csv_import
from sis_sync.models import CsvDropFolder, Source, Staff, Student

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "docs" / "csv-templates"
STUDENTS_HEADER = "student_number,first_name,last_name,school_number"


@pytest.fixture
def schools(world):
    return (
        School.objects.create(district=world.district, building=world.north, number=101, name="Lincoln Elementary"),
        School.objects.create(district=world.district, building=world.south, number=102, name="Lincoln Middle"),
    )


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(name, text, encoding="utf-8") -> the file's path."""

    def write(name, text, encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def import_file(world, kind, path, **options):
    return csv_import(world.district, kind, path, **options)


def import_templates(world):
    for kind in ("students", "contacts", "staff"):
        result = import_file(world, kind, TEMPLATES / f"{kind}.csv")
        assert result.succeeded, result.run.message


def sis_student(world, school, number="900101", **values):
    """A student the PowerSchool sync owns."""
    defaults = {"first_name": "Amy", "last_name": "Powers", "dcid": 7001, "ps_id": 17001, "fingerprint": "ps"}
    return Student.objects.create(
        district=world.district,
        source=Source.POWERSCHOOL,
        key="7001",
        student_number=number,
        school=school,
        synced_at=timezone.now(),
        **{**defaults, **values},
    )


def sis_staff(world, email):
    return Staff.objects.create(
        district=world.district,
        source=Source.POWERSCHOOL,
        key="88",
        first_name="Pat",
        last_name="Synced",
        email=email,
        fingerprint="ps",
        synced_at=timezone.now(),
    )


@pytest.fixture
def drop_root(settings, tmp_path):
    settings.CSV_DROP_ROOT = tmp_path / "drop"
    return settings.CSV_DROP_ROOT


@pytest.fixture
def lincoln_folder(world, drop_root):
    CsvDropFolder.objects.create(district=world.district)
    folder = drop_root / "lincoln"
    folder.mkdir(parents=True)
    return folder


def deliver(folder, name, text, *, age=120):
    """Put a file in the drop folder as if it arrived `age` seconds ago (younger than a minute, it waits)."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))
    return path
