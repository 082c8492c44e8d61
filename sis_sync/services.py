"""The sync's public entry points: what the scheduler, the command, the admin and the front desk call.

`progress`, when given, is called as `progress(entity, processed, message)` while a run works:
- `entity` is the name the run's counts use ("schools", "terms", "students", "student_contacts", …);
- `processed` is how many of that entity's records this run has handled so far;
- `message` is "started" when the entity's pull begins, "finished" when it ends, "" in between (after each
  batch written), so a caller can show records per second.
"""

from sis_sync.engine.runner import execute, start_run
from sis_sync.models import SyncRun


def run_sync(district, *, kind="full", trigger="command", entities=None, progress=None, client=None):
    """Sync `district` from PowerSchool and return the SyncRun that records it.

    `kind` is "full" (everything, then deactivate what PowerSchool no longer has), "manual" (the same, asked
    for by a person), or "delta" (only what changed since the last run; a full pass when PowerSchool cannot
    say). `entities` limits the run to some of sis_sync.models.ENTITIES. A run that would overlap another
    one of the district is not started: the returned run is `skipped`, with the reason in its message.
    Never raises for PowerSchool's failures: the run is `failed`, with the reason and its fix.
    """
    run = start_run(district, kind, trigger)
    if run.status == SyncRun.Status.SKIPPED:
        return run
    return execute(run, client, entities=entities, progress=progress)


def sync_student(district, *, student_dcid=None, student_number=None, trigger="front desk", client=None):
    """Sync one student now (record, contacts, this year's schedule), by DCID or student number; returns the
    SyncRun (kind "spot"). It may run while a district sync is under way."""
    if (student_dcid is None) == (student_number is None):
        raise ValueError("Give exactly one of student_dcid and student_number")
    run = start_run(district, SyncRun.Kind.SPOT, trigger)
    student = {"student_dcid": student_dcid, "student_number": student_number}
    return execute(run, client, student=student)
