"""The sync's public entry points: what the scheduler, the command, the admin and the front desk call.

`progress`, when given, is called as `progress(entity, processed, message)` while a run works:
- `entity` is the name the run's counts use ("schools", "terms", "students", "student_contacts", …);
- `processed` is how many of that entity's records this run has handled so far;
- `message` is "started" when the entity's pull begins, "finished" when it ends, "" in between (after each
  batch written), so a caller can show records per second.
"""

from django.utils import timezone

from sis_sync.engine.runner import execute, start_run
from sis_sync.models import ENTITIES, RosterSource, Source, SyncRun, SyncSettings

# What write-back needs from PowerSchool whoever owns the roster: school numbers, the calendar (years, bell
# schedules, periods) and attendance codes. Sections and enrollments too, where Meeting mode needs them.
WRITEBACK_ENTITIES = ("schools", "calendar", "attendance_codes")
SCHEDULE_ENTITIES = ("sections", "enrollments")


def run_sync(district, *, kind="full", trigger="command", entities=None, progress=None, client=None):
    """Sync `district` from PowerSchool and return the SyncRun that records it.

    `kind` is "full" (everything, then deactivate what PowerSchool no longer has), "manual" (the same, asked
    for by a person), or "delta" (only what changed since the last run; a full pass when PowerSchool cannot
    say). `entities` limits the run to some of sis_sync.models.ENTITIES. In a district whose roster comes from
    Clever or OneRoster, students, contacts and staff are never pulled (see `roster_district_entities`); each run
    links the roster's students to PowerSchool's instead (their STUDENTS.ID and DCID, see engine/links.py), and
    one that pulls all the district's PowerSchool sync is responsible for is complete. A run that would overlap
    another one of the district is not started: the returned run is `skipped`, with the reason in its message.
    Never raises for PowerSchool's failures: the run is `failed`, with the reason and its fix.
    """
    owner = roster_owner(district)
    everything = ENTITIES
    if owner != Source.POWERSCHOOL:
        entities = roster_district_entities(district, entities)
        everything = roster_district_entities(district)
    run = start_run(district, kind, trigger)
    if run.status == SyncRun.Status.SKIPPED:
        return run
    if owner != Source.POWERSCHOOL and not entities:
        return _skip(run, f"Skipped: {roster_note(district, owner)}, and nothing else was asked for.")
    run = execute(run, client, entities=entities, progress=progress, everything=everything)
    if owner != Source.POWERSCHOOL:
        run.message = " ".join(part for part in (f"{roster_note(district, owner)}.", run.message) if part)
        run.save(update_fields=["message"])
    return run


def roster_owner(district):
    return RosterSource.owner_of(district)


def roster_district_entities(district, entities=None):
    """What a PowerSchool sync may pull in a district whose roster comes from another source: what write-back
    needs, and sections and enrollments only where the district's sync settings name them; within `entities`
    when given. Students, contacts and staff are the roster's."""
    settings = SyncSettings.objects.filter(district=district).first()
    asked = settings.entities if settings else []
    allowed = set(WRITEBACK_ENTITIES) | {entity for entity in SCHEDULE_ENTITIES if entity in asked}
    return [entity for entity in ENTITIES if entity in allowed and (entities is None or entity in entities)]


def roster_without_schedules(district):
    """The source of the district's roster when it is not PowerSchool and the PowerSchool sync leaves out sections
    or enrollments (Meeting mode needs both), else None."""
    owner = roster_owner(district)
    if owner == Source.POWERSCHOOL or set(SCHEDULE_ENTITIES) <= set(roster_district_entities(district)):
        return None
    return Source(owner)


def roster_note(district, owner):
    return f"Students, contacts and staff were not pulled: {district.name}'s roster comes from {Source(owner).label}"


def _skip(run, message):
    run.status = SyncRun.Status.SKIPPED
    run.finished_at = timezone.now()
    run.message = message
    run.save()
    return run


def sync_student(district, *, student_dcid=None, student_number=None, trigger="front desk", client=None):
    """Sync one student now (record, contacts, this year's schedule), by DCID or student number; returns the
    SyncRun (kind "spot"). It may run while a district sync is under way."""
    if (student_dcid is None) == (student_number is None):
        raise ValueError("Give exactly one of student_dcid and student_number")
    run = start_run(district, SyncRun.Kind.SPOT, trigger)
    student = {"student_dcid": student_dcid, "student_number": student_number}
    return execute(run, client, student=student)
