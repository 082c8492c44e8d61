from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from kiosk.models import EventKind, EventSource, StudentEvent, StudentEventChange
from kiosk.services import edit_event, record_bulk_check_in, record_event, void_event
from sis_sync.models import CalendarDay
from tests.kiosk.synced import synced
from writeback.models import Intent


def check_in(campus, world, **overrides):
    fields = {
        "student": campus.ada,
        "building": world.north,
        "kind": EventKind.LATE_CHECK_IN,
        "reason": campus.doctor,
        "source": EventSource.KIOSK,
    }
    return record_event(**{**fields, **overrides})


def refusal(callable_, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        callable_(*args, **kwargs)
    return " ".join(caught.value.messages)


def test_a_kiosk_check_in_records_the_event_its_history_and_its_intent(campus, world):
    event = check_in(campus, world)

    assert (event.school, event.district, event.excused, event.active) == (
        campus.north_high,
        world.district,
        True,
        True,
    )
    change = event.changes.get()
    assert change.action == StudentEventChange.Action.CREATED
    assert change.after["reason_label"] == "Doctor appointment"
    intent = Intent.objects.get()
    assert intent.event_ref == event.reference == f"RL-{event.pk}"
    assert intent.idempotency_key == f"{event.reference}:{change.pk}"
    assert (intent.kind, intent.operation, intent.code_text) == ("late_check_in", "write", "TE")
    assert (intent.school, intent.building, intent.student) == (campus.north_high, world.north, campus.ada)
    assert (str(intent.att_date), intent.seconds) == ("2026-10-14", 8 * 3600 + 47 * 60)
    assert intent.comment == f"Late check-in 08:47 — Doctor appointment (kiosk) [{event.reference}]"


def test_the_date_and_time_are_those_of_the_building_not_of_utc(campus, world, frozen):
    frozen.move_to(datetime.fromisoformat("2026-10-14T23:30:00-05:00"))
    check_in(campus, world)
    intent = Intent.objects.get()
    assert (str(intent.att_date), intent.seconds) == ("2026-10-14", 23 * 3600 + 30 * 60)


def test_the_comment_follows_the_district_template(campus, world):
    world.district.comment_template = "{reason}: {note} ({date})"
    world.district.save()
    check_in(campus, world, note="Dentist")
    assert Intent.objects.get().comment == "Doctor appointment: Dentist (10/14/2026)"


def test_a_repeated_idempotency_key_returns_the_first_event(campus, world):
    first = check_in(campus, world, idempotency_key="tap-1")
    again = check_in(campus, world, idempotency_key="tap-1", reason=campus.bus)
    assert again.pk == first.pk
    assert StudentEvent.objects.count() == Intent.objects.count() == 1


def test_an_unmapped_reason_still_records_and_leaves_the_code_empty(campus, world):
    check_in(campus, world, student=campus.cleo, building=world.south, reason=campus.bus)
    campus.bus.codes.all().delete()
    check_in(campus, world, student=campus.cleo, building=world.south, reason=campus.bus)
    assert [intent.code_text for intent in Intent.objects.order_by("id")] == ["T", ""]


def test_mapping_a_reason_gives_its_waiting_intents_the_code_so_a_retry_can_write_them(campus, world):
    campus.bus.codes.all().delete()
    failed = check_in(campus, world, student=campus.cleo, building=world.south, reason=campus.bus)
    Intent.objects.filter(event_ref=failed.reference).update(status=Intent.Status.FAILED, category="unmapped_reason")
    pending = check_in(campus, world, student=campus.cleo, building=world.south, reason=campus.bus)
    campus.bus.codes.create(school=campus.cleo.school, code="TB")

    assert {intent.event_ref: intent.code_text for intent in Intent.objects.all()} == {
        failed.reference: "TB",
        pending.reference: "TB",
    }


def test_mapping_a_reason_leaves_intents_already_written_alone(campus, world):
    campus.bus.codes.all().delete()
    done = check_in(campus, world, student=campus.cleo, building=world.south, reason=campus.bus)
    Intent.objects.filter(event_ref=done.reference).update(status=Intent.Status.SUCCEEDED)
    campus.bus.codes.create(school=campus.cleo.school, code="TB")

    assert Intent.objects.get(event_ref=done.reference).code_text == ""


def test_an_inactive_student_is_refused(campus, world):
    campus.ada.active = False
    campus.ada.save()
    assert "Ada Lovelace is no longer enrolled" in refusal(check_in, campus, world)


def test_a_student_of_another_building_is_refused(campus, world):
    assert "Cleo Martin does not attend a school in North Campus" in refusal(
        check_in, campus, world, student=campus.cleo
    )


def test_a_disabled_reason_is_refused(campus, world):
    campus.doctor.enabled = False
    campus.doctor.save()
    assert "“Doctor appointment” is no longer offered" in refusal(check_in, campus, world)


def test_a_reason_of_the_other_kind_is_refused(campus, world):
    message = refusal(check_in, campus, world, reason=campus.appointment)
    assert "“Appointment” is a reason for early check-outs, not for late check-ins." in message


def test_another_buildings_own_reason_is_refused(campus, world):
    message = refusal(check_in, campus, world, student=campus.cleo, building=world.south, reason=campus.north_only)
    assert "“Overslept” is not a reason offered in South Campus" in message


def test_a_buildings_own_reason_is_offered_there(campus, world):
    assert check_in(campus, world, reason=campus.north_only).reason == campus.north_only


def test_a_time_in_the_future_is_refused(campus, world):
    message = refusal(check_in, campus, world, occurred_at=datetime.fromisoformat("2026-10-14T09:30:00-05:00"))
    assert "10/14/2026 09:30 is in the future" in message


def test_a_delayed_entry_needs_a_time_and_a_staff_member(campus, world):
    message = refusal(check_in, campus, world, source=EventSource.DELAYED_ENTRY)
    assert "A delayed entry needs the date and time it happened." in message
    yesterday = datetime(2026, 10, 13, 9, 5)
    message = refusal(check_in, campus, world, source=EventSource.DELAYED_ENTRY, occurred_at=yesterday)
    assert "A delayed entry must be made by a staff member" in message


def test_a_delayed_entry_by_the_front_desk_is_read_in_the_buildings_zone(campus, world):
    event = check_in(
        campus,
        world,
        source=EventSource.DELAYED_ENTRY,
        occurred_at=datetime(2026, 10, 13, 9, 5),
        recorded_by=world.front_desk,
    )
    assert event.occurred_at == datetime.fromisoformat("2026-10-13T09:05:00-05:00")
    intent = Intent.objects.get()
    assert (str(intent.att_date), intent.seconds, intent.source) == ("2026-10-13", 9 * 3600 + 300, "delayed_entry")
    assert "(delayed entry)" in intent.comment


@pytest.mark.parametrize("role", ["it_viewer", "outsider", "other_admin"])
def test_people_without_a_desk_in_the_building_cannot_record(campus, world, role):
    user = world.users_by_role()[role]
    assert "may not record or change student events in North Campus" in refusal(
        check_in, campus, world, recorded_by=user
    )


def test_the_front_desk_of_one_building_cannot_record_in_the_other(campus, world):
    message = refusal(check_in, campus, world, student=campus.cleo, building=world.south, recorded_by=world.front_desk)
    assert "may not record" in message


def test_an_edit_writes_history_and_a_new_intent_with_the_new_code(campus, world, frozen):
    event = check_in(campus, world)
    frozen.shift(timedelta(minutes=5))
    edit_event(event, changed_by=world.front_desk, reason_text="Wrong button", reason=campus.bus, note="Bus 12")

    event.refresh_from_db()
    assert (event.reason, event.excused, event.note) == (campus.bus, False, "Bus 12")
    change = event.changes.get(action=StudentEventChange.Action.EDITED)
    assert (change.before["reason_label"], change.after["reason_label"]) == ("Doctor appointment", "Late bus")
    assert change.reason == "Wrong button"
    first, second = Intent.objects.order_by("id")
    assert (first.code_text, second.code_text, second.operation) == ("TE", "T", "write")
    assert second.idempotency_key == f"{event.reference}:{change.pk}"


def test_an_edit_that_changes_nothing_records_nothing(campus, world):
    event = check_in(campus, world, note="x")
    edit_event(event, changed_by=world.district_admin, note="x", reason=campus.doctor)
    assert event.changes.count() == Intent.objects.count() == 1


def test_an_edited_time_is_read_in_the_buildings_zone(campus, world):
    event = check_in(campus, world)
    edit_event(event, changed_by=world.building_admin, occurred_at=datetime(2026, 10, 14, 8, 15))
    assert Intent.objects.order_by("id").last().seconds == 8 * 3600 + 15 * 60


def test_only_the_time_reason_and_note_can_be_edited(campus, world):
    event = check_in(campus, world)
    assert "not student" in refusal(edit_event, event, changed_by=world.district_admin, student=campus.ben)


def test_an_edit_needs_someone_who_may_record_there(campus, world):
    event = check_in(campus, world)
    assert "may not record" in refusal(edit_event, event, changed_by=world.it_viewer, note="x")
    assert "Nobody may not" in refusal(edit_event, event, changed_by=None, note="x")


def test_a_void_hands_the_outbox_a_void_intent(campus, world):
    event = check_in(campus, world)
    void_event(event, changed_by=world.district_admin, reason_text="Signed in the wrong student")

    event.refresh_from_db()
    assert not event.active
    change = event.changes.get(action=StudentEventChange.Action.VOIDED)
    assert (change.before["active"], change.after["active"]) == (True, False)
    assert Intent.objects.order_by("id").last().operation == Intent.Operation.VOID


def test_a_void_needs_a_reason_and_happens_once(campus, world):
    event = check_in(campus, world)
    assert "Say why the event is voided." in refusal(
        void_event, event, changed_by=world.district_admin, reason_text=" "
    )
    void_event(event, changed_by=world.district_admin, reason_text="Duplicate")
    assert "was voided" in refusal(void_event, event, changed_by=world.district_admin, reason_text="Again")
    assert "was voided" in refusal(edit_event, event, changed_by=world.district_admin, note="late")


def test_several_events_of_one_student_on_one_day_are_separate_intents_in_order(campus, world, frozen):
    check_in(campus, world)
    frozen.shift(timedelta(hours=3))
    check_in(campus, world, kind=EventKind.EARLY_CHECK_OUT, reason=campus.appointment)
    assert [intent.kind for intent in Intent.objects.order_by("id")] == ["late_check_in", "early_check_out"]


def test_a_bulk_check_in_records_every_student(campus, world):
    events = record_bulk_check_in(
        [campus.ada, campus.ben], building=world.north, reason=campus.bus, recorded_by=world.front_desk
    )
    assert [event.student for event in events] == [campus.ada, campus.ben]
    assert {event.occurred_at for event in events} == {events[0].occurred_at}
    assert Intent.objects.count() == 2


def test_a_bulk_check_in_records_nobody_when_one_student_is_refused(campus, world):
    message = refusal(record_bulk_check_in, [campus.ada, campus.cleo], building=world.north, reason=campus.bus)
    assert "Cleo Martin: Cleo Martin does not attend a school in North Campus." in message
    assert not StudentEvent.objects.exists()
    assert not Intent.objects.exists()


def test_a_repeated_bulk_check_in_records_each_student_once(campus, world):
    for _ in range(2):
        record_bulk_check_in([campus.ada, campus.ben], building=world.north, reason=campus.bus, idempotency_key="bus-7")
    assert StudentEvent.objects.count() == Intent.objects.count() == 2


def test_a_rolled_back_request_leaves_neither_event_nor_intent(campus, world):
    with pytest.raises(RuntimeError), transaction.atomic():
        check_in(campus, world)
        raise RuntimeError("the request failed later")
    assert not StudentEvent.objects.exists()
    assert not Intent.objects.exists()


def calendar(school, days):
    """Synced calendar days of `school`: {date text: in session}."""
    for number, (text, in_session) in enumerate(days.items()):
        CalendarDay.objects.create(
            **synced(school.district, f"day-{school.number}-{number}"),
            school=school,
            ps_id=school.number * 1000 + number,
            date=text,
            in_session=in_session,
        )


def delayed_entry(campus, world, when):
    return check_in(campus, world, source=EventSource.DELAYED_ENTRY, occurred_at=when, recorded_by=world.front_desk)


def test_a_day_the_synced_calendar_has_out_of_session_is_refused_up_front(campus, world):
    calendar(campus.north_high, {"2026-10-09": True, "2026-10-12": False, "2026-10-13": True})

    message = refusal(delayed_entry, campus, world, datetime(2026, 10, 12, 9, 5))

    assert "Monday 10/12/2026 is not a school day at North High." in message
    assert not StudentEvent.objects.exists() and not Intent.objects.exists()


def test_a_weekend_between_synced_school_days_is_refused(campus, world):
    calendar(campus.north_high, {"2026-10-09": True, "2026-10-12": True})

    message = refusal(delayed_entry, campus, world, datetime(2026, 10, 10, 10, 0))

    assert "Saturday 10/10/2026 is not a school day at North High." in message


def test_a_school_day_in_the_synced_calendar_is_recorded(campus, world):
    calendar(campus.north_high, {"2026-10-09": True, "2026-10-12": False, "2026-10-13": True})

    event = delayed_entry(campus, world, datetime(2026, 10, 13, 9, 5))

    assert event.active and Intent.objects.get().att_date.isoformat() == "2026-10-13"


def test_a_day_the_calendar_does_not_cover_is_allowed(campus, world):
    calendar(campus.south_middle, {"2026-10-09": True, "2026-10-12": False, "2026-10-13": True})
    calendar(campus.north_high, {"2026-10-01": True, "2026-10-02": True})

    event = delayed_entry(campus, world, datetime(2026, 10, 12, 9, 5))

    assert event.active


def test_an_edit_that_moves_an_event_onto_a_day_off_is_refused(campus, world):
    calendar(campus.north_high, {"2026-10-09": True, "2026-10-12": False, "2026-10-14": True})
    event = check_in(campus, world)

    message = refusal(edit_event, event, changed_by=world.front_desk, occurred_at=datetime(2026, 10, 12, 9, 5))

    assert "Monday 10/12/2026 is not a school day at North High." in message
    assert Intent.objects.count() == 1
