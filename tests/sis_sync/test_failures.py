from sandbox.faults import FaultSpec
from sandbox.plugin import regenerate_credentials
from sis_sync.models import Student, SyncRun


def on_entity(entity, action):
    """A progress callback that does `action` once, when `entity` starts."""

    def progress(name, processed, message):
        if (name, message) == (entity, "started"):
            action()

    return progress


def delete_a_student(store):
    dcid = store.query_one("SELECT dcid FROM students ORDER BY dcid DESC LIMIT 1")["dcid"]
    with store.transaction() as conn:
        conn.execute("DELETE FROM students WHERE dcid = ?", (dcid,))
    return str(dcid)


def test_a_run_powerschool_stops_answering_is_failed_and_deactivates_nothing(powerschool):
    powerschool.sync()
    gone = delete_a_student(powerschool.store)
    fail_everything = on_entity("enrollments", lambda: powerschool.app.faults.replace(FaultSpec(error_rate=1)))

    run = powerschool.sync(progress=fail_everything)

    assert run.status == SyncRun.Status.FAILED and run.error_category == "unavailable"
    assert "not answering" in run.message and run.finished_at is not None
    assert Student.objects.get(key=gone).active is True
    assert Student.objects.filter(active=False).count() == 0
    powerschool.district.refresh_from_db()
    assert powerschool.district.last_sync_succeeded_at < run.started_at


def test_the_run_after_a_failed_one_completes_and_deactivates(powerschool):
    powerschool.sync()
    gone = delete_a_student(powerschool.store)
    powerschool.sync(progress=on_entity("contacts", lambda: powerschool.app.faults.replace(FaultSpec(error_rate=1))))
    powerschool.app.faults.replace(FaultSpec())

    run = powerschool.sync()

    assert run.status == SyncRun.Status.SUCCEEDED
    assert Student.objects.get(key=gone).active is False


def test_credentials_revoked_mid_run_fail_the_run_with_the_fix(transactional_db, powerschool):
    # Committed rows: the first request after the revocation comes from a thread that reads pages ahead, and
    # renewing the token reads the connection's row through that thread's own database connection.
    run = powerschool.sync(progress=on_entity("contacts", lambda: regenerate_credentials(powerschool.store)))

    assert run.status == SyncRun.Status.FAILED and run.error_category == "auth"
    assert "client secret in PowerSchool Setup" in run.message
    assert run.counts["students"]["created"] == 60


def test_a_delta_run_that_fails_keeps_the_version_it_started_from(powerschool):
    from sis_sync.models import SyncSettings

    powerschool.sync()
    version = SyncSettings.objects.get(district=powerschool.district).data_version
    powerschool.app.faults.replace(FaultSpec(error_rate=1))

    run = powerschool.sync("delta")

    assert run.status == SyncRun.Status.FAILED
    assert SyncSettings.objects.get(district=powerschool.district).data_version == version


def test_a_district_without_a_connection_fails_with_what_to_do(powerschool):
    from sis_sync.services import run_sync

    powerschool.district.powerschool.delete()
    powerschool.district.refresh_from_db()

    run = run_sync(powerschool.district)

    assert run.status == SyncRun.Status.FAILED and run.error_category == "auth"
    assert "PowerSchool Setup" in run.message
