"""One row of every kind the console shows, in North, in South and in Riverside, so each role's reach is visible."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from kiosk.models import EventKind, KioskDevice, StudentEvent, UnrecordedSignIn
from raptorlink.models import AuditEntry, Incident, MaintenanceWindow, NotificationContact
from sis_sync.models import (
    AttendanceCode,
    BellSchedule,
    CalendarDay,
    Contact,
    CsvDropFolder,
    CsvUpload,
    Enrollment,
    Period,
    RosterSource,
    Section,
    Staff,
    SyncIssue,
    SyncPause,
    SyncRun,
    SyncSettings,
    Term,
)
from tests.kiosk.synced import add_reason, add_school, add_student, synced
from tests.world import PASSWORD
from writeback.models import Intent


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def school_rows(prefix, school, key):
    """The synced rows of one school: a term, a section with an enrolment, bells, a period, a day and a code."""
    district = school.district
    term = Term.objects.create(
        **synced(district, f"term-{key}"),
        school=school,
        ps_id=key,
        year_id=36,
        name="2026-2027",
        first_day=date(2026, 8, 20),
        last_day=date(2027, 6, 1),
        portion=1,
        is_year=True,
    )
    section = Section.objects.create(
        **synced(district, f"section-{key}"),
        school=school,
        ps_id=key,
        term=term,
        course_number="ENG9",
        course_name="English 9",
    )
    bells = BellSchedule.objects.create(
        **synced(district, f"bells-{key}"), school=school, ps_id=key, year_id=36, name="Regular Day"
    )
    return {
        f"{prefix}_term": term,
        f"{prefix}_section": section,
        f"{prefix}_bellschedule": bells,
        f"{prefix}_period": Period.objects.create(
            **synced(district, f"period-{key}"), school=school, ps_id=key, year_id=36, number=1
        ),
        f"{prefix}_calendarday": CalendarDay.objects.create(
            **synced(district, f"day-{key}"),
            school=school,
            ps_id=key,
            date=date(2026, 10, 14),
            in_session=True,
            bell_schedule=bells,
        ),
        f"{prefix}_attendancecode": AttendanceCode.objects.create(
            **synced(district, f"code-{key}"), school=school, ps_id=key, year_id=36, code="T"
        ),
    }


def building_rows(prefix, world, building, school_number):
    """A school in `building` with a student, an enrolment, a reason, a sign-in, its write-back and a kiosk."""
    school = add_school(building.district, building, school_number, f"{building.name} School")
    student = add_student(school, school_number, first=prefix.title(), last="Student")
    rows = school_rows(prefix, school, school_number)
    reason = add_reason(building.district, f"{prefix.title()} only", building=building)
    now = timezone.now()
    event = StudentEvent.objects.create(
        kind=EventKind.LATE_CHECK_IN,
        district=building.district,
        student=student,
        building=building,
        school=school,
        occurred_at=now,
        reason=reason,
        source="desk",
    )
    local = timezone.localtime(now, building.zone)
    intent = Intent.objects.create(
        district=building.district,
        school=school,
        building=building,
        student=student,
        kind=Intent.Kind.LATE_CHECK_IN,
        event_ref=f"RL-{school_number}",
        occurred_at=now,
        att_date=local.date(),
        seconds=local.hour * 3600,
        reason=reason.label,
        code_text="T",
        source="desk",
        mode="daily",
        idempotency_key=f"RL-{school_number}:1",
        status=Intent.Status.FAILED,
        attempts=1,
        finished_at=now,
    )
    return {
        **rows,
        f"{prefix}_building": building,
        f"{prefix}_school": school,
        f"{prefix}_student": student,
        f"{prefix}_enrollment": Enrollment.objects.create(
            **synced(building.district, f"enrol-{school_number}"),
            student=student,
            section=rows[f"{prefix}_section"],
            ps_id=school_number,
            entry_date=date(2026, 8, 20),
            exit_date=date(2027, 6, 1),
        ),
        f"{prefix}_reason": reason,
        f"{prefix}_event": event,
        f"{prefix}_intent": intent,
        f"{prefix}_kiosk": KioskDevice.objects.create(building=building, name=f"{building.name} door"),
        f"{prefix}_unrecorded": UnrecordedSignIn.objects.create(
            building=building,
            student_id_typed=f"X-{prefix}",
            kind=EventKind.LATE_CHECK_IN,
            occurred_at=now,
            problem="No such student",
            idempotency_key=f"unrecorded-{prefix}",
        ),
        f"{prefix}_audit": AuditEntry.objects.create(
            district=building.district,
            building=building,
            actor_name="someone",
            action=AuditEntry.Action.CHANGED,
            object_type="building",
            object_id=str(building.pk),
            object_label=building.name,
        ),
    }


def district_rows(prefix, district):
    """The rows that belong to a whole district: settings, contacts, the sync log and its synced people."""
    now = timezone.now()
    run = SyncRun.objects.create(
        district=district,
        kind="full",
        trigger="schedule",
        status="succeeded",
        started_at=now - timedelta(seconds=95),
        finished_at=now,
    )
    return {
        f"{prefix}_district": district,
        f"{prefix}_shared_reason": add_reason(district, f"{prefix.title()} bus"),
        f"{prefix}_contact": NotificationContact.objects.create(
            district=district, name="Ian IT", email=f"ian@{prefix}.example"
        ),
        f"{prefix}_incident": Incident.objects.create(district=district, kind=Incident.Kind.SYNC_FAILED),
        f"{prefix}_maintenance": MaintenanceWindow.objects.create(
            district=district,
            title="Upgrade",
            message="Down",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=1),
        ),
        f"{prefix}_syncrun": run,
        f"{prefix}_syncissue": SyncIssue.objects.create(run=run, entity="students", record_key="1", message="Bad"),
        f"{prefix}_syncsettings": SyncSettings.objects.get_or_create(district=district)[0],
        f"{prefix}_syncpause": SyncPause.objects.create(
            district=district, starts_on=date(2026, 12, 20), ends_on=date(2027, 1, 4), reason="Winter break"
        ),
        f"{prefix}_rostersource": RosterSource.objects.get_or_create(district=district)[0],
        f"{prefix}_csvupload": CsvUpload.objects.create(
            district=district, kind="students", name="students.csv", digest="0" * 64
        ),
        f"{prefix}_csvdropfolder": CsvDropFolder.objects.create(district=district),
        f"{prefix}_guardian": Contact.objects.create(
            **synced(district, f"contact-{prefix}"), first_name="Gail", last_name="Guardian"
        ),
        f"{prefix}_staff": Staff.objects.create(
            **synced(district, f"staff-{prefix}"), first_name="Tess", last_name="Teacher"
        ),
    }


@pytest.fixture
def rows(world):
    """Every row by name (e.g. `north_kiosk`, `lincoln_syncrun`, `riverside_student`)."""
    return {
        **district_rows("lincoln", world.district),
        **district_rows("riverside", world.other_district),
        **building_rows("north", world, world.north, 101),
        **building_rows("south", world, world.south, 201),
        **building_rows("riverside", world, world.other_building, 301),
        "lincoln_connection": world.connection,
        "front_desk_membership": world.front_desk.memberships.get(),
        "front_desk_user": world.front_desk,
        "other_admin_user": world.other_admin,
        "group": Group.objects.create(name="Auditors"),
    }
