from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from raptorlink.models import School
from sis_sync.models import (
    AttendanceCode,
    BellSchedule,
    CalendarDay,
    Contact,
    Enrollment,
    Period,
    Section,
    Staff,
    Student,
    StudentContact,
    SyncIssue,
    SyncPause,
    SyncRun,
    SyncSettings,
    Term,
)
from sis_sync.schedules import schedule_name
from tests.world import PASSWORD

ADMIN = "/admin/sis_sync"
STUDENT_READERS = ["superuser", "district_admin", "building_admin"]
SYNC_READERS = ["superuser", "district_admin", "it_viewer"]
EVERYONE = ["superuser", "district_admin", "building_admin", "front_desk", "it_viewer", "outsider", "other_admin"]
CHANGELISTS = [
    "syncrun",
    "syncissue",
    "syncsettings",
    "syncpause",
    "student",
    "contact",
    "staff",
    "section",
    "enrollment",
    "term",
    "calendarday",
    "bellschedule",
    "period",
    "attendancecode",
]
SYNC_LOG = {"syncrun", "syncissue"}
BUILDING_DATA = {"student", "section", "enrollment", "term", "calendarday", "bellschedule", "period", "attendancecode"}
# The pages each console role opens; front desk and outsiders have no console and are sent to its login (302).
OPENS = {
    "superuser": set(CHANGELISTS),
    "district_admin": set(CHANGELISTS),
    "other_admin": set(CHANGELISTS),
    "building_admin": BUILDING_DATA,  # their buildings' synced rows; no sync log, settings, contacts or staff
    "it_viewer": SYNC_LOG,  # read-only: the sync log, no student data
}


def page_status(role, page):
    if role not in OPENS:
        return 302
    return 200 if page in OPENS[role] else 403


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def synced(model, district, key, **fields):
    return model.objects.create(district=district, key=str(key), fingerprint="f", synced_at=timezone.now(), **fields)


class Records:
    """A few synced rows of Lincoln: a school in each building, a student in each school, their ties."""

    def __init__(self, world):
        self.north_school = School.objects.create(
            district=world.district, building=world.north, dcid=11, number=100, name="Lincoln High"
        )
        self.south_school = School.objects.create(
            district=world.district, building=world.south, dcid=12, number=200, name="Lincoln Elementary"
        )
        self.north_student = synced(
            Student, world.district, 501, student_number="90501", first_name="Nora", last_name="Northman",
            school=self.north_school, dcid=501, ps_id=9501,
        )  # fmt: skip
        self.south_student = synced(
            Student, world.district, 502, student_number="90502", first_name="Sam", last_name="Southby",
            school=self.south_school, dcid=502, ps_id=9502,
        )  # fmt: skip
        self.contact = synced(Contact, world.district, 701, first_name="Gail", last_name="Guardian")
        synced(StudentContact, world.district, "701-501", student=self.north_student, contact=self.contact,
               relationship="Mother", school_pickup=True)  # fmt: skip
        self.staff = synced(Staff, world.district, 801, first_name="Tess", last_name="Teacher")
        self.term = synced(Term, world.district, 901, school=self.north_school, ps_id=3600, year_id=36,
                           name="2026-2027", first_day=date(2026, 8, 20), last_day=date(2027, 6, 1), portion=1,
                           is_year=True)  # fmt: skip
        self.section = synced(Section, world.district, 1001, school=self.north_school, ps_id=1001, term=self.term,
                              course_number="ENG9", course_name="English 9")  # fmt: skip
        synced(Enrollment, world.district, 1101, student=self.north_student, section=self.section, ps_id=1101,
               entry_date=date(2026, 8, 20), exit_date=date(2027, 6, 1))  # fmt: skip
        bells = synced(BellSchedule, world.district, 1201, school=self.north_school, ps_id=1201, year_id=36,
                       name="Regular Day")  # fmt: skip
        synced(Period, world.district, 1301, school=self.north_school, ps_id=1301, year_id=36, number=1)
        synced(CalendarDay, world.district, 1401, school=self.north_school, ps_id=1401, date=date(2026, 10, 14),
               in_session=True, bell_schedule=bells)  # fmt: skip
        synced(AttendanceCode, world.district, 1501, school=self.north_school, ps_id=1501, year_id=36, code="T",
               description="Tardy")  # fmt: skip
        now = timezone.now()
        self.run = SyncRun.objects.create(
            district=world.district, kind="full", trigger="schedule", status="succeeded",
            started_at=now - timedelta(seconds=95), finished_at=now, requests=42,
            counts={"students": {"created": 2, "updated": 0, "unchanged": 1996, "deactivated": 1, "failed": 1}},
        )  # fmt: skip
        SyncIssue.objects.create(run=self.run, entity="students", record_key="503", message="No school 999",
                                 data={"id": 503, "school_id": 999})  # fmt: skip
        self.other_school = School.objects.create(
            district=world.other_district, building=world.other_building, dcid=21, number=300, name="Riverside High"
        )
        self.other_student = synced(Student, world.other_district, 601, student_number="70601", first_name="Rory",
                                    last_name="Riversider", school=self.other_school)  # fmt: skip


@pytest.fixture
def records(world):
    return Records(world)


# --- who sees which page ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", CHANGELISTS)
@pytest.mark.parametrize("role", EVERYONE)
def test_each_sync_page_opens_only_for_those_who_read_a_district(client, world, records, page, role):
    response = login(client, world.users_by_role()[role]).get(f"{ADMIN}/{page}/")
    assert response.status_code == page_status(role, page)


@pytest.mark.parametrize(
    "page, lincoln_text",
    [("student", "Northman"), ("contact", "Guardian"), ("syncrun", "1 min 35 s"), ("section", "English 9")],
)
def test_another_districts_admin_never_sees_lincolns_records(client, world, records, page, lincoln_text):
    page_text = login(client, world.other_admin).get(f"{ADMIN}/{page}/").content.decode()
    assert lincoln_text not in page_text
    assert "Lincoln" not in page_text


def test_the_riverside_admin_sees_riversides_students(client, world, records):
    assert "Riversider" in login(client, world.other_admin).get(f"{ADMIN}/student/").content.decode()


@pytest.mark.parametrize("role", STUDENT_READERS)
def test_students_can_be_found_by_number_and_name(client, world, records, role):
    login(client, world.users_by_role()[role])
    assert "Northman" in client.get(f"{ADMIN}/student/?q=90501").content.decode()
    assert "Southby" not in client.get(f"{ADMIN}/student/?q=Northman").content.decode()


# --- sync runs: a log nobody edits ----------------------------------------------------------------


@pytest.mark.parametrize("role", SYNC_READERS)
def test_nobody_adds_changes_or_deletes_sync_runs(client, world, records, role):
    login(client, world.users_by_role()[role])
    change_url = f"{ADMIN}/syncrun/{records.run.pk}/change/"
    assert client.get(f"{ADMIN}/syncrun/add/").status_code == 403
    assert client.post(change_url, {"status": "failed", "message": "edited"}).status_code == 403
    assert client.post(f"{ADMIN}/syncrun/{records.run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert 'name="_save"' not in client.get(change_url).content.decode()
    assert SyncRun.objects.get(pk=records.run.pk).status == "succeeded"


@pytest.mark.parametrize("role", SYNC_READERS)
def test_nobody_changes_the_failed_records_of_a_run(client, world, records, role):
    issue = records.run.issues.get()
    response = login(client, world.users_by_role()[role]).post(
        f"{ADMIN}/syncissue/{issue.pk}/change/", {"message": "edited"}
    )
    assert response.status_code == 403


def test_a_run_shows_its_counts_per_entity_as_a_table_and_links_to_its_failed_records(client, world, records):
    page = login(client, world.it_viewer).get(f"{ADMIN}/syncrun/{records.run.pk}/change/").content.decode()
    assert "<th>unchanged</th>" in page
    assert "<td>students</td><td>2</td><td>0</td><td>1996</td><td>1</td><td>1</td>" in page
    assert "1 min 35 s" in page
    assert f"{ADMIN}/syncissue/?run__id__exact={records.run.pk}" in page
    assert "1 record — see why" in page


def test_the_failed_records_show_why_and_what_was_received(client, world, records):
    login(client, world.district_admin)
    listing = client.get(f"{ADMIN}/syncissue/?run__id__exact={records.run.pk}").content.decode()
    assert "No school 999" in listing
    issue = records.run.issues.get()
    detail = client.get(f"{ADMIN}/syncissue/{issue.pk}/change/").content.decode()
    assert "&quot;school_id&quot;: 999" in detail


def test_an_it_viewer_reads_why_a_record_failed_but_not_the_students_details_it_held(client, world, records):
    login(client, world.it_viewer)
    issue = records.run.issues.get()

    detail = client.get(f"{ADMIN}/syncissue/{issue.pk}/change/").content.decode()

    assert "No school 999" in detail and "Fields: id, school_id" in detail
    assert "&quot;school_id&quot;: 999" not in detail and "999</" not in detail.split("Fields:")[1]


def test_runs_filter_by_status_kind_and_date(client, world, records):
    login(client, world.it_viewer)
    assert "1 min 35 s" in client.get(f"{ADMIN}/syncrun/?status__exact=succeeded&kind__exact=full").content.decode()
    assert "1 min 35 s" not in client.get(f"{ADMIN}/syncrun/?status__exact=failed").content.decode()
    year = records.run.started_at.year
    assert client.get(f"{ADMIN}/syncrun/?started_at__year={year}").status_code == 200


# --- students: only the local fields, only where the user manages ----------------------------------


def student_form(student, **changes):
    return {"preferred_name": student.preferred_name, "note": student.note, **changes} | {
        f"{prefix}-{suffix}": value
        for prefix in ("contacts", "enrollments")
        for suffix, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}.items()
    }


def post_student(client, student, **changes):
    return client.post(f"{ADMIN}/student/{student.pk}/change/", student_form(student, **changes))


@pytest.mark.parametrize("role, student_attr", [("district_admin", "south_student"), ("superuser", "north_student")])
def test_district_admins_may_set_the_preferred_name_and_a_note(client, world, records, role,
                                                                                student_attr):  # fmt: skip
    student = getattr(records, student_attr)
    login(client, world.users_by_role()[role])
    response = post_student(client, student, preferred_name="Nory", note="Uses the side door", first_name="Hacked")
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.preferred_name, student.note, student.first_name) == ("Nory", "Uses the side door",
                                                                           student.first_name)  # fmt: skip
    assert student.first_name != "Hacked"


@pytest.mark.parametrize("student_attr", ["north_student", "south_student"])
def test_a_building_admin_reads_but_does_not_edit_students(client, world, records, student_attr):
    student = getattr(records, student_attr)
    response = post_student(login(client, world.building_admin), student, preferred_name="X")
    assert response.status_code == 403
    assert Student.objects.get(pk=student.pk).preferred_name == ""


@pytest.mark.parametrize("role", ["it_viewer", "other_admin", "outsider"])
def test_others_cannot_edit_a_student(client, world, records, role):
    response = post_student(login(client, world.users_by_role()[role]), records.north_student, preferred_name="X")
    assert response.status_code in (403, 404, 302)
    assert Student.objects.get(pk=records.north_student.pk).preferred_name == ""


def test_a_students_page_shows_contacts_with_their_pickup_flag(client, world, records):
    page = (
        login(client, world.building_admin).get(f"{ADMIN}/student/{records.north_student.pk}/change/").content.decode()
    )
    assert "Gail Guardian" in page
    assert "Mother" in page


def test_a_contacts_page_lists_the_students_it_belongs_to(client, world, records):
    page = login(client, world.district_admin).get(f"{ADMIN}/contact/{records.contact.pk}/change/").content.decode()
    assert "Northman, Nora (90501)" in page


@pytest.mark.parametrize("page", ["contact", "staff", "section", "enrollment", "term", "calendarday",
                                  "bellschedule", "period", "attendancecode"])  # fmt: skip
def test_nobody_edits_what_powerschool_owns(client, world, records, page):
    login(client, world.superuser)
    model_page = client.get(f"{ADMIN}/{page}/")
    assert model_page.status_code == 200
    assert client.get(f"{ADMIN}/{page}/add/").status_code == 403


# --- sync settings and pause windows ----------------------------------------------------------------


def settings_form(world, **changes):
    return {"district": world.district.pk, "enabled": "on", "full_interval_hours": 8, "delta_interval_minutes": 15,
            **changes}  # fmt: skip


def test_a_district_admin_saving_sync_settings_schedules_the_district(client, world):
    response = login(client, world.district_admin).post(f"{ADMIN}/syncsettings/add/", settings_form(world))
    assert response.status_code == 302
    schedules = Schedule.objects.filter(name__in=[schedule_name(world.district.pk, k) for k in ("full", "delta")])
    assert sorted(schedules.values_list("minutes", flat=True)) == [15, 480]


def test_changing_the_intervals_updates_the_schedules(client, world):
    login(client, world.district_admin).post(f"{ADMIN}/syncsettings/add/", settings_form(world))
    sync_settings = SyncSettings.objects.get(district=world.district)
    response = client.post(
        f"{ADMIN}/syncsettings/{sync_settings.pk}/change/",
        settings_form(world, full_interval_hours=24, delta_interval_minutes=30, entities=["students", "contacts"]),
    )
    assert response.status_code == 302
    assert Schedule.objects.get(name=schedule_name(world.district.pk, "full")).minutes == 24 * 60
    assert Schedule.objects.get(name=schedule_name(world.district.pk, "delta")).minutes == 30
    assert SyncSettings.objects.get(pk=sync_settings.pk).entities == ["students", "contacts"]


def test_turning_scheduled_syncs_off_removes_the_schedules(client, world):
    login(client, world.district_admin).post(f"{ADMIN}/syncsettings/add/", settings_form(world))
    sync_settings = SyncSettings.objects.get(district=world.district)
    client.post(f"{ADMIN}/syncsettings/{sync_settings.pk}/change/", settings_form(world, enabled=""))
    assert not Schedule.objects.exists()


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"full_interval_hours": 0}, "greater than or equal to 1"),
        ({"full_interval_hours": 25}, "less than or equal to 24"),
        ({"delta_interval_minutes": 4}, "greater than or equal to 5"),
        ({"delta_interval_minutes": 1441}, "less than or equal to 1440"),
        ({"entities": ["students", "grades"]}, "grades is not one of the available choices"),
    ],
)
def test_sync_settings_out_of_range_are_refused(client, world, changes, error):
    response = login(client, world.district_admin).post(f"{ADMIN}/syncsettings/add/", settings_form(world, **changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not SyncSettings.objects.exists()


@pytest.mark.parametrize("role", ["it_viewer", "building_admin"])
def test_readers_cannot_change_sync_settings_or_pauses(client, world, role):
    sync_settings = SyncSettings.objects.create(district=world.district)
    login(client, world.users_by_role()[role])
    response = client.post(
        f"{ADMIN}/syncsettings/{sync_settings.pk}/change/", settings_form(world, full_interval_hours=1)
    )
    assert response.status_code == 403
    assert client.post(f"{ADMIN}/syncpause/add/", pause_form(world)).status_code == 403
    assert SyncSettings.objects.get(pk=sync_settings.pk).full_interval_hours == 8


def test_another_districts_admin_cannot_set_lincolns_sync(client, world):
    response = login(client, world.other_admin).post(f"{ADMIN}/syncsettings/add/", settings_form(world))
    assert response.status_code == 200
    assert not SyncSettings.objects.filter(district=world.district).exists()


def pause_form(world, **changes):
    return {"district": world.district.pk, "starts_on": "2027-06-10", "ends_on": "2027-08-15",
            "reason": "Building next year's schedules", **changes}  # fmt: skip


def test_a_district_admin_adds_a_pause_window(client, world):
    response = login(client, world.district_admin).post(f"{ADMIN}/syncpause/add/", pause_form(world))
    assert response.status_code == 302
    assert SyncPause.objects.get().ends_on == date(2027, 8, 15)


def test_a_pause_cannot_end_before_it_starts(client, world):
    response = login(client, world.district_admin).post(
        f"{ADMIN}/syncpause/add/", pause_form(world, ends_on="2027-06-01")
    )
    assert "The pause cannot end before it starts." in response.content.decode()
    assert not SyncPause.objects.exists()


# --- sync now ---------------------------------------------------------------------------------------


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr("sis_sync.admin.async_task", lambda *args, **kwargs: calls.append(args))
    return calls


def sync_now_url(district):
    return f"{ADMIN}/syncrun/sync-now/{district.pk}/"


def test_sync_now_queues_a_sync_after_commit_and_says_so(client, world, queued, django_capture_on_commit_callbacks):
    login(client, world.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sync_now_url(world.district), follow=True)
    assert queued == [("sis_sync.tasks.sync_now", world.district.pk, "manual", "admin:dana.admin")]
    assert "Sync started" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"{ADMIN}/syncrun/?district__id__exact={world.district.pk}"


@pytest.mark.parametrize("role", ["it_viewer", "building_admin", "outsider", "other_admin"])
def test_only_district_admins_can_start_a_sync(client, world, queued, role, django_capture_on_commit_callbacks):
    login(client, world.users_by_role()[role])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sync_now_url(world.district))
    # Refused, or (no console role at all) sent to the login; another district's admin is not told it exists.
    assert response.status_code == {"outsider": 302, "other_admin": 404}.get(role, 403)
    assert queued == []


def test_sync_now_needs_a_post(client, world, queued):
    assert login(client, world.district_admin).get(sync_now_url(world.district)).status_code == 405
    assert queued == []


def test_the_sync_now_button_shows_for_district_admins_only(client, world, records):
    button = f'action="{sync_now_url(world.district)}"'
    assert button in login(client, world.district_admin).get(f"{ADMIN}/syncrun/").content.decode()
    assert button not in login(client, world.it_viewer).get(f"{ADMIN}/syncrun/").content.decode()
    sync_settings = SyncSettings.objects.create(district=world.district)
    page = login(client, world.district_admin).get(f"{ADMIN}/syncsettings/{sync_settings.pk}/change/")
    assert button in page.content.decode()


def test_the_sync_now_action_queues_each_chosen_district(client, world, queued, django_capture_on_commit_callbacks):
    sync_settings = SyncSettings.objects.create(district=world.district)
    login(client, world.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ADMIN}/syncsettings/", {"action": "sync_now", "_selected_action": [sync_settings.pk]}, follow=True
        )
    assert queued == [("sis_sync.tasks.sync_now", world.district.pk, "manual", "admin:dana.admin")]
    assert "Sync started for Lincoln County Schools" in response.content.decode()


def test_it_viewers_are_not_offered_the_sync_now_action(client, world):
    SyncSettings.objects.create(district=world.district)
    page = login(client, world.it_viewer).get(f"{ADMIN}/syncsettings/").content.decode()
    assert 'value="sync_now"' not in page


def test_sync_now_syncs_a_sandbox_district_through_the_task_queue(
    client, world, powerschool, monkeypatch, django_capture_on_commit_callbacks
):
    # The queue runs the task in-process, as a cluster worker would.
    monkeypatch.setattr("django_q.conf.Conf.SYNC", True)
    powerschool.district.memberships.create(user=world.district_admin, role="district_admin")
    login(client, world.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sync_now_url(powerschool.district))
    assert response.status_code == 302
    run = SyncRun.objects.get(district=powerschool.district)
    assert (run.status, run.kind, run.trigger) == ("succeeded", "manual", "admin:dana.admin")
    assert Student.objects.filter(district=powerschool.district).count() == 60


MODELS_BY_PAGE = {
    "syncrun": SyncRun,
    "student": Student,
    "contact": Contact,
    "staff": Staff,
    "section": Section,
    "enrollment": Enrollment,
    "term": Term,
    "calendarday": CalendarDay,
    "bellschedule": BellSchedule,
    "period": Period,
    "attendancecode": AttendanceCode,
}


def test_every_page_opens_over_a_synced_district(client, world, powerschool):
    powerschool.sync()
    login(client, world.superuser)
    for page, model in MODELS_BY_PAGE.items():
        assert client.get(f"{ADMIN}/{page}/").status_code == 200, page
        record = model.objects.filter(district=powerschool.district).first()
        assert client.get(f"{ADMIN}/{page}/{record.pk}/change/").status_code == 200, page
