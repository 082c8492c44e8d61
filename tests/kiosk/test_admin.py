import pytest
from django.utils import timezone

from kiosk.models import EventKind, EventSource, Reason
from kiosk.services import record_event
from sis_sync.models import SyncRun
from tests.world import PASSWORD

REASONS = "/admin/kiosk/reason/"
EVENTS = "/admin/kiosk/studentevent/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def reason_data(world, campus, **overrides):
    data = {
        "district": world.district.pk,
        "building": "",
        "kind": EventKind.LATE_CHECK_IN,
        "label": "Snow day",
        "enabled": "on",
        "sort_order": 0,
        "codes-TOTAL_FORMS": 1,
        "codes-INITIAL_FORMS": 0,
        "codes-0-school": campus.north_high.pk,
        "codes-0-code": "T",
    }
    return {**data, **overrides}


# (role, sees the district-wide reasons, sees North's own reason)
READERS = [
    ("superuser", True, True),
    ("district_admin", True, True),
    ("building_admin", True, True),
]


@pytest.mark.parametrize(("role", "wide", "own"), READERS)
def test_readers_see_the_reasons_of_their_district(client, world, campus, role, wide, own):
    html = login(client, world.users_by_role()[role]).get(REASONS).content.decode()
    assert ("Late bus" in html) is wide
    assert ("Overslept" in html) is own


@pytest.mark.parametrize("role", ["front_desk", "outsider", "it_viewer"])
def test_people_without_a_reading_role_cannot_open_the_reasons(client, world, campus, role):
    response = login(client, world.users_by_role()[role]).get(REASONS)
    assert response.status_code in (302, 403)


def test_another_districts_admin_sees_none_of_the_reasons(client, world, campus):
    html = login(client, world.other_admin).get(REASONS).content.decode()
    assert "Late bus" not in html and "Overslept" not in html


def test_a_building_admin_changes_their_buildings_reason_but_not_the_district_wide_ones(client, world, campus):
    login(client, world.building_admin)
    own = client.get(f"{REASONS}{campus.north_only.pk}/change/").content.decode()
    assert 'name="label"' in own
    wide = client.get(f"{REASONS}{campus.bus.pk}/change/").content.decode()
    assert 'name="label"' not in wide
    response = client.post(f"{REASONS}{campus.bus.pk}/change/", reason_data(world, campus, label="Hijacked"))
    assert response.status_code == 403
    assert Reason.objects.get(pk=campus.bus.pk).label == "Late bus"


def test_a_building_admin_adds_reasons_only_to_their_own_building(client, world, campus):
    login(client, world.building_admin)
    response = client.post(f"{REASONS}add/", reason_data(world, campus))
    assert "Choose one of your buildings" in response.content.decode()
    response = client.post(f"{REASONS}add/", reason_data(world, campus, building=world.south.pk))
    assert "Select a valid choice" in response.content.decode()
    response = client.post(f"{REASONS}add/", reason_data(world, campus, building=world.north.pk))
    assert response.status_code == 302
    assert Reason.objects.get(label="Snow day").building == world.north


def test_a_district_admin_adds_a_reason_with_its_code_at_a_school(client, world, campus):
    response = login(client, world.district_admin).post(f"{REASONS}add/", reason_data(world, campus))
    assert response.status_code == 302
    assert Reason.objects.get(label="Snow day").codes.get().code == "T"


def test_a_code_the_school_does_not_have_this_year_is_refused_with_its_codes(client, world, campus):
    response = login(client, world.district_admin).post(
        f"{REASONS}add/", reason_data(world, campus, **{"codes-0-code": "TX"})
    )
    assert "North High has no code “TX” in 2026-27. Its codes: CO, T, TE." in response.content.decode()


def test_a_school_of_another_district_is_refused(client, world, campus):
    data = reason_data(world, campus, district=world.other_district.pk)
    response = login(client, world.superuser).post(f"{REASONS}add/", data)
    assert "Choose a school of the reason&#x27;s own district." in response.content.decode()
    assert not Reason.objects.filter(label="Snow day").exists()


def test_a_building_of_another_district_is_refused(client, world, campus):
    data = reason_data(world, campus, district=world.other_district.pk, building=world.north.pk)
    data["codes-TOTAL_FORMS"] = 0
    response = login(client, world.superuser).post(f"{REASONS}add/", data)
    assert "Choose a building of the reason&#x27;s own district." in response.content.decode()


def test_the_code_box_suggests_the_schools_codes_of_this_year(client, world, campus):
    html = login(client, world.district_admin).get(f"{REASONS}add/").content.decode()
    assert '<datalist id="attendance-code-texts">' in html
    assert '<option value="TE">TE — TE code · North High</option>' in html
    assert "TX — " not in html


def test_the_setup_check_lists_problems_with_what_to_do(client, world, campus):
    html = login(client, world.district_admin).get(f"{REASONS}preflight/").content.decode()
    assert "The reason “Appointment” (early check-out) has no attendance code at South Middle (201)." in html
    assert "Open the reason and choose the code it writes at this school." in html
    assert "Next school year (2027-28)" in html
    assert 'href="/admin/kiosk/reason/preflight/"' in login(client, world.district_admin).get(REASONS).content.decode()


def test_a_building_admin_sees_only_their_buildings_problems(client, world, campus):
    html = login(client, world.building_admin).get(f"{REASONS}preflight/").content.decode()
    assert "South Middle" not in html
    assert "No problems" in html


@pytest.mark.parametrize("role", ["front_desk", "outsider"])
def test_the_setup_check_is_closed_to_people_without_a_reading_role(client, world, campus, role):
    assert login(client, world.users_by_role()[role]).get(f"{REASONS}preflight/").status_code in (302, 403)


class FakeSync:
    def __init__(self):
        self.calls = []

    def __call__(self, district, **options):
        self.calls.append((district, options))
        return SyncRun(
            district=district,
            kind="manual",
            trigger=options["trigger"],
            status=SyncRun.Status.SUCCEEDED,
            started_at=timezone.now(),
            counts={"attendance_codes": {"created": 6, "updated": 1}},
        )


def test_a_district_admin_imports_the_attendance_codes(client, world, campus, monkeypatch):
    fake = FakeSync()
    monkeypatch.setattr("kiosk.admin.run_sync", fake)
    login(client, world.district_admin)
    assert "Import attendance codes" in client.get(REASONS).content.decode()
    response = client.post(f"{REASONS}import-codes/{world.district.pk}/", follow=True)
    assert "Attendance codes of Lincoln County Schools imported: 6 new, 1 changed." in response.content.decode()
    assert fake.calls == [
        (world.district, {"kind": "manual", "trigger": "admin:dana.admin", "entities": ["attendance_codes"]})
    ]


@pytest.mark.parametrize("role", ["building_admin", "it_viewer", "other_admin"])
def test_only_district_admins_import_codes(client, world, campus, role, monkeypatch):
    fake = FakeSync()
    monkeypatch.setattr("kiosk.admin.run_sync", fake)
    response = login(client, world.users_by_role()[role]).post(f"{REASONS}import-codes/{world.district.pk}/")
    # Another district's admin is not told the district exists.
    assert response.status_code == (404 if role == "other_admin" else 403)
    assert fake.calls == []


def test_a_comment_template_with_an_unknown_placeholder_is_refused(client, world):
    from django.forms.models import model_to_dict

    data = {key: value for key, value in model_to_dict(world.district).items() if value is not None}
    data["comment_template"] = "{kind} for {student}"
    response = login(client, world.district_admin).post(f"/admin/raptorlink/district/{world.district.pk}/change/", data)
    assert "Unknown placeholder {student}" in response.content.decode()


@pytest.fixture
def events(campus, world):
    north = record_event(
        student=campus.ada,
        building=world.north,
        kind=EventKind.LATE_CHECK_IN,
        reason=campus.bus,
        source=EventSource.KIOSK,
    )
    south = record_event(
        student=campus.cleo,
        building=world.south,
        kind=EventKind.LATE_CHECK_IN,
        reason=campus.bus,
        source=EventSource.KIOSK,
    )
    return north, south


@pytest.mark.parametrize(
    ("role", "sees_north", "sees_south"),
    [
        ("district_admin", True, True),
        ("it_viewer", False, False),
        ("building_admin", True, False),
        ("other_admin", False, False),
    ],
)
def test_events_are_listed_to_those_who_may_read_them(client, world, events, role, sees_north, sees_south):
    html = login(client, world.users_by_role()[role]).get(EVENTS).content.decode()
    assert (events[0].reference in html) is sees_north
    assert (events[1].reference in html) is sees_south


def test_an_event_is_read_only_with_its_history(client, world, events):
    login(client, world.district_admin)
    html = client.get(f"{EVENTS}{events[0].pk}/change/").content.decode()
    assert "10/14/2026 08:47 CDT" in html
    assert "Created" in html
    assert 'name="_save"' not in html
    assert client.get(f"{EVENTS}add/").status_code == 403
    assert client.post(f"{EVENTS}{events[0].pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_building_admin_cannot_open_another_buildings_event(client, world, events):
    response = login(client, world.building_admin).get(f"{EVENTS}{events[1].pk}/change/")
    assert response.status_code in (302, 404)
