import csv
import io
import json

import pytest

from kiosk.devices import kiosk_create
from kiosk.models import EventKind, EventSource
from kiosk.services import edit_event, record_event, void_event
from raptorlink.models import AuditEntry, Building, NotificationContact, Role
from tests.kiosk.synced import add_reason, add_school, add_student
from tests.operations.conftest import login
from tests.world import make_user

LOG = "/admin/raptorlink/auditentry/"
EXPORT = f"{LOG}export.csv"


def current_form_data(response):
    """The admin page's form and inline forms with the values they show, as a browser would send them unchanged."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management[name].html_name: management[name].value() for name in management.fields})
        forms += inline.formset.forms
    for form in forms:
        for name in form.fields:
            field_data(data, form[name])
    return data


def field_data(data, bound):
    value = bound.value()
    if isinstance(value, bool):
        if value:
            data[bound.html_name] = "on"
    elif isinstance(value, list | tuple):
        data[bound.html_name] = [str(item) for item in value]
    else:
        data[bound.html_name] = "" if value is None else str(value)


def admin_change(client, url, **changes):
    data = {**current_form_data(client.get(url)), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def test_nothing_is_recorded_for_saves_outside_a_signed_in_request(world):
    Building.objects.create(district=world.district, name="East Campus")
    assert AuditEntry.objects.count() == 0


def test_a_building_change_in_admin_records_who_what_and_before_and_after(client, world):
    url = f"/admin/raptorlink/building/{world.north.pk}/change/"
    admin_change(login(client, world.district_admin), url, self_serve_check_out="on", tardy_cutoff="08:05")
    (entry,) = entries(object_type="building")
    assert (entry.actor, entry.actor_name, entry.action) == (world.district_admin, "dana.admin", "changed")
    assert (entry.district, entry.building, entry.object_label) == (world.district, world.north, "North Campus")
    assert entry.before == {"self_serve_check_out": False, "tardy_cutoff": None}
    assert entry.after == {"self_serve_check_out": True, "tardy_cutoff": "08:05:00"}


def test_saving_a_form_unchanged_records_nothing(client, world):
    admin_change(login(client, world.district_admin), f"/admin/raptorlink/building/{world.north.pk}/change/")
    assert AuditEntry.objects.count() == 0


def test_a_new_client_secret_is_recorded_as_changed_without_any_value(client, world):
    url = f"/admin/raptorlink/powerschoolconnection/{world.connection.pk}/change/"
    admin_change(login(client, world.district_admin), url, client_secret="brand-new-secret-value")
    (entry,) = entries(object_type="PowerSchool connection")
    assert entry.before == {"client_secret": "(hidden)"}
    assert entry.after == {"client_secret": "(changed, hidden)"}
    stored = json.dumps([entry.before, entry.after, entry.object_label, entry.reason])
    assert "brand-new-secret" not in stored and "s3cr3t" not in stored
    exported = b"".join(login(client, world.district_admin).get(EXPORT).streaming_content).decode()
    assert "brand-new-secret" not in exported and "s3cr3t" not in exported


def test_a_memberships_buildings_are_recorded_in_the_same_entry_as_its_role(client, world):
    membership = world.building_admin.memberships.get()
    url = f"/admin/raptorlink/membership/{membership.pk}/change/"
    admin_change(login(client, world.district_admin), url, buildings=[str(world.north.pk), str(world.south.pk)])
    (entry,) = entries(object_type="membership")
    assert entry.action == "changed"
    assert entry.before == {"buildings": ["North Campus"]}
    assert entry.after == {"buildings": ["North Campus", "South Campus"]}


def test_a_new_membership_is_recorded_with_its_buildings(client, world):
    newcomer = make_user("nina.new", staff=False)
    data = {"user": newcomer.pk, "district": world.district.pk, "role": Role.FRONT_DESK, "buildings": [world.south.pk]}
    # An account with no role anywhere is the platform's to place: a superuser gives it its first district.
    response = login(client, world.superuser).post("/admin/raptorlink/membership/add/", data)
    assert response.status_code == 302
    (entry,) = entries(object_type="membership")
    assert entry.action == "created"
    assert entry.after["role"] == "Front desk"
    assert entry.after["buildings"] == ["South Campus"]


def test_contacts_added_and_removed_are_recorded(client, world):
    login(client, world.district_admin)
    data = {"district": world.district.pk, "name": "Ann Ops", "email": "ann@example.org", "active": "on"}
    assert client.post("/admin/raptorlink/notificationcontact/add/", data).status_code == 302
    contact = NotificationContact.objects.get(email="ann@example.org")
    url = f"/admin/raptorlink/notificationcontact/{contact.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    created, deleted = entries(object_type="notification contact")
    assert (created.action, created.after["email"], created.district) == ("created", "ann@example.org", world.district)
    assert (deleted.action, deleted.before["name"], deleted.object_label) == ("deleted", "Ann Ops", str(contact))


def test_a_sync_pause_is_recorded(client, world):
    data = {"district": world.district.pk, "starts_on": "2026-12-21", "ends_on": "2027-01-04", "reason": "Winter"}
    assert login(client, world.district_admin).post("/admin/sis_sync/syncpause/add/", data).status_code == 302
    (entry,) = entries(object_type="sync pause")
    assert entry.after == {
        "district": "Lincoln County Schools",
        "starts_on": "2026-12-21",
        "ends_on": "2027-01-04",
        "reason": "Winter",
    }


def test_creating_and_revoking_a_kiosk_are_recorded_for_its_building(client, world):
    login(client, world.district_admin)
    assert client.post("/admin/kiosk/kioskdevice/add/", {"building": world.south.pk, "name": "Gym"}).status_code == 200
    device = world.south.kiosks.get()
    assert client.post(f"/admin/kiosk/kioskdevice/{device.pk}/revoke/").status_code == 302
    created, revoked = entries(object_type="kiosk device")
    assert (created.action, created.building, created.after["name"]) == ("created", world.south, "Gym")
    assert (revoked.action, revoked.building) == ("revoked", world.south)
    assert revoked.before == {"revoked_at": None} and revoked.after["revoked_at"]


def test_a_reason_code_mapping_changed_with_its_reason_is_recorded_for_the_schools_building(client, world):
    school = add_school(world.district, world.north, 101, "North High")
    reason = add_reason(world.district, "Late bus", codes={school: "T"})
    url = f"/admin/kiosk/reason/{reason.pk}/change/"
    login(client, world.district_admin)
    data = current_form_data(client.get(url))
    code_field = next(name for name, value in data.items() if value == "T")
    admin_change(client, url, **{code_field: "TX", "label": "Late school bus"})
    reason_entry, code_entry = entries(action="changed")
    assert (reason_entry.before, reason_entry.after) == ({"label": "Late bus"}, {"label": "Late school bus"})
    assert (code_entry.object_type, code_entry.building) == ("reason code", world.north)
    assert (code_entry.before, code_entry.after) == ({"code": "T"}, {"code": "TX"})


def test_sync_settings_changes_are_recorded(client, world):
    login(client, world.district_admin)
    data = {"district": world.district.pk, "enabled": "on", "full_interval_hours": 8, "delta_interval_minutes": 15}
    assert client.post("/admin/sis_sync/syncsettings/add/", data).status_code == 302
    settings_row = world.district.sync_settings
    admin_change(client, f"/admin/sis_sync/syncsettings/{settings_row.pk}/change/", delta_interval_minutes="30")
    created, changed = entries(object_type="sync settings")
    assert created.action == "created"
    assert (changed.before, changed.after) == ({"delta_interval_minutes": 15}, {"delta_interval_minutes": 30})


def test_moving_a_school_to_another_building_is_recorded_with_who_moved_it(client, world):
    school = add_school(world.district, world.north, 7, "Lincoln Middle")
    url = f"/admin/raptorlink/building/{world.south.pk}/change/"
    admin_change(login(client, world.district_admin), url, schools=[str(school.pk)])
    (entry,) = entries(object_type="school")
    assert (entry.actor, entry.action, entry.object_label) == (world.district_admin, "changed", "Lincoln Middle (7)")
    assert (entry.before, entry.after) == ({"building": "North Campus"}, {"building": "South Campus"})


def test_a_deleted_building_is_recorded_and_its_entry_outlives_it(client, world):
    url = f"/admin/raptorlink/building/{world.south.pk}/delete/"
    assert login(client, world.superuser).post(url, {"post": "yes"}).status_code == 302
    (entry,) = entries(action="deleted", object_type="building")
    assert (entry.building_id, entry.district, entry.before["name"]) == (world.south.pk, world.district, "South Campus")
    assert client.get(f"{LOG}{entry.pk}/change/").status_code == 200
    assert "South Campus" in client.get(LOG).content.decode()


def test_deleting_a_district_records_what_went_with_it(client, world):
    url = f"/admin/raptorlink/district/{world.other_district.pk}/delete/"
    assert login(client, world.superuser).post(url, {"post": "yes"}).status_code == 302
    deleted = {entry.object_type for entry in entries(action="deleted", district_id=world.other_district.pk)}
    assert deleted == {"district", "building", "membership"}


# --- event edits and voids ---------------------------------------------------------------------------------------


@pytest.fixture
def event(world, frozen):
    school = add_school(world.district, world.north, 101, "North High")
    student = add_student(school, 1, "Ada", "Lovelace")
    doctor = add_reason(world.district, "Doctor appointment", codes={school: "TE"})
    bus = add_reason(world.district, "Late bus", codes={school: "T"})
    recorded = record_event(
        student=student,
        building=world.north,
        kind=EventKind.LATE_CHECK_IN,
        reason=doctor,
        source=EventSource.FRONT_DESK,
        recorded_by=world.front_desk,
    )
    return recorded, bus


def test_an_event_edit_records_who_why_and_the_fields_before_and_after(world, event):
    recorded, bus = event
    edit_event(recorded, changed_by=world.front_desk, reason_text="Wrong reason picked", reason=bus, note="Bus 12")
    (entry,) = entries(action="edited")
    assert (entry.actor, entry.district, entry.building) == (world.front_desk, world.district, world.north)
    assert entry.object_type == "student event"
    assert entry.object_label.startswith(f"{recorded.reference}: late check-in of")
    assert entry.before == {"reason_label": "Doctor appointment", "note": "", "reason": recorded.reason_id}
    assert entry.after == {"reason_label": "Late bus", "note": "Bus 12", "reason": bus.pk}
    assert entry.reason == "Wrong reason picked"


def test_an_event_void_is_recorded(world, event):
    recorded, _ = event
    void_event(recorded, changed_by=world.district_admin, reason_text="Signed in by mistake")
    (entry,) = entries(action="voided")
    assert (entry.actor_name, entry.before, entry.after) == ("dana.admin", {"active": True}, {"active": False})
    assert entry.reason == "Signed in by mistake"


def test_a_kiosk_signing_a_student_in_again_is_recorded_with_the_kiosk_as_who(world, event):
    recorded, bus = event
    device, _ = kiosk_create(building=world.north, name="Main entrance")
    edit_event(recorded, changed_by=None, kiosk=device, reason=bus)
    (entry,) = entries(action="edited")
    assert entry.actor is None
    assert entry.actor_name == "Kiosk Main entrance (North Campus)"


def test_an_edit_that_changes_nothing_records_nothing(world, event):
    recorded, _ = event
    edit_event(recorded, changed_by=world.front_desk, note="")
    assert AuditEntry.objects.count() == 0


# --- reading the log ---------------------------------------------------------------------------------------------


@pytest.fixture
def logged(world):
    """One entry about each of Lincoln's buildings, one about the district itself, one in Riverside."""

    def entry(district, building, label, actor="dana.admin"):
        return AuditEntry.objects.create(
            district=district,
            building=building,
            actor_name=actor,
            action="changed",
            object_type="building" if building else "district",
            object_id="1",
            object_label=label,
            before={"name": "old"},
            after={"name": label},
        )

    return {
        "north": entry(world.district, world.north, "North Campus"),
        "south": entry(world.district, world.south, "South Campus"),
        "district": entry(world.district, None, "Lincoln County Schools"),
        "other": entry(world.other_district, world.other_building, "Riverside High", actor="rita.riverside"),
    }


def listed(client, query=""):
    response = client.get(f"{LOG}{query}")
    assert response.status_code == 200
    return {entry.object_label for entry in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "role, expected",
    [
        ("superuser", {"North Campus", "South Campus", "Lincoln County Schools", "Riverside High"}),
        ("district_admin", {"North Campus", "South Campus", "Lincoln County Schools"}),
        ("building_admin", {"North Campus"}),
        ("other_admin", {"Riverside High"}),
    ],
)
def test_each_reader_sees_only_the_entries_of_their_district_or_buildings(client, world, logged, role, expected):
    assert listed(login(client, world.users_by_role()[role])) == expected


@pytest.mark.parametrize("role", ["it_viewer", "outsider", "front_desk"])
def test_others_cannot_open_the_log_or_its_export(client, world, logged, role):
    login(client, world.users_by_role()[role])
    assert client.get(LOG).status_code in (302, 403)
    assert client.get(EXPORT).status_code in (302, 403)
    assert client.get(f"{LOG}{logged['north'].pk}/change/").status_code in (302, 403)


def test_a_building_admin_cannot_open_another_buildings_entry(client, world, logged):
    response = login(client, world.building_admin).get(f"{LOG}{logged['south'].pk}/change/")
    assert response.status_code in (302, 403, 404)
    assert "South Campus" not in response.content.decode()


def test_nobody_can_add_change_or_delete_an_entry(client, world, logged):
    login(client, world.superuser)
    assert client.get(f"{LOG}add/").status_code == 403
    assert client.post(f"{LOG}{logged['north'].pk}/change/", {"object_label": "forged"}).status_code == 403
    assert client.post(f"{LOG}{logged['north'].pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(object_label="forged").count() == 0


def test_an_entry_shows_its_values_before_and_after(client, world, logged):
    page = login(client, world.district_admin).get(f"{LOG}{logged['north'].pk}/change/").content.decode()
    assert "<td>old</td><td>North Campus</td>" in page


def test_the_log_filters_and_searches(client, world, logged):
    login(client, world.superuser)
    assert listed(client, f"?district__id__exact={world.other_district.pk}") == {"Riverside High"}
    assert listed(client, "?object_type=district") == {"Lincoln County Schools"}
    assert listed(client, "?q=south") == {"South Campus"}
    assert listed(client, "?action=voided") == set()
    assert f'href="{EXPORT}?q=south"' in client.get(f"{LOG}?q=south").content.decode()


def test_the_export_follows_the_filters_and_defuses_formulas(client, world, logged):
    logged["north"].object_label = '=HYPERLINK("http://evil.example")'
    logged["north"].save()
    response = login(client, world.district_admin).get(f"{EXPORT}?q=evil")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["When (UTC)", "Who", "Action"]
    assert len(rows) == 2
    assert rows[1][5] == '\'=HYPERLINK("http://evil.example")'
