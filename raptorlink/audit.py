"""The audit log: who changed which configuration, when, and the changed values before and after.

Configuration changes are caught by model signals (pre_save, post_save, post_delete, m2m_changed) on the audited
models, with the acting user taken from the request by `AuditMiddleware` through a context variable. Signals were
chosen over a ModelAdmin mixin because they see every save whichever admin page (or inline, or admin action such
as revoking a kiosk) made it, with one mechanism and no change to each app's admin classes. Only saves made while
a signed-in person's request is being served are recorded: that is who did it; a sync, a command or a test fixture
is not a configuration change by a person.

Event edits and voids are recorded explicitly by `kiosk.services` through `audit_record`, which is given the
person (or the kiosk) that made them.

Values are stored readably (a related object by its name, a choice by its label). Encrypted fields (the
PowerSchool client secret and the cached token) are written as changed without any value.
"""

import csv
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from raptorlink.fields import EncryptedTextField
from raptorlink.models import AuditEntry

SECRET_BEFORE = "(hidden)"
SECRET_AFTER = "(changed, hidden)"
# A field moving from empty to set turns "changed" into what it means.
STATE_ACTIONS = {"revoked_at": AuditEntry.Action.REVOKED, "cancelled_at": AuditEntry.Action.CANCELLED}


@dataclass(frozen=True)
class Audited:
    """How one model is audited: which fields (default: every editable one) and where its district and building
    are found (dotted attribute paths)."""

    fields: tuple = ()
    district: str = "district_id"
    building: str = ""
    many_to_many: tuple = ()


# Models of the apps above the core are named by their labels, so the core imports none of them.
AUDITED = {
    "raptorlink.District": Audited(district="pk"),
    "raptorlink.Building": Audited(building="pk"),
    "raptorlink.School": Audited(
        fields=("building", "writeback_enabled", "attendance_mode", "checkout_policy"), building="building_id"
    ),
    "raptorlink.Membership": Audited(many_to_many=("buildings",)),
    "raptorlink.PowerSchoolConnection": Audited(fields=("base_url", "client_id", "client_secret")),
    "raptorlink.NotificationContact": Audited(),
    "raptorlink.MaintenanceWindow": Audited(fields=("title", "message", "starts_at", "ends_at", "cancelled_at")),
    "kiosk.Reason": Audited(building="building_id"),
    "kiosk.ReasonCode": Audited(district="reason.district_id", building="school.building_id"),
    "kiosk.KioskDevice": Audited(
        fields=("building", "name", "revoked_at"), district="building.district_id", building="building_id"
    ),
    "sis_sync.SyncSettings": Audited(),
    "sis_sync.SyncPause": Audited(),
}

_request = ContextVar("audit_request", default=None)


class AuditMiddleware:
    """Makes the request's user the actor of the configuration changes saved while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_actor():
    """The signed-in user whose request is being served, or None."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- recording -------------------------------------------------------------------------------------------------


def audit_record(
    *,
    action,
    obj,
    actor=None,
    actor_name="",
    label="",
    before=None,
    after=None,
    reason="",
    district_id=None,
    building_id=None,
):
    """Write one entry about `obj`; `actor_name` defaults to the actor's username (kept should the user go), and
    `label` to the object's name."""
    return AuditEntry.objects.create(
        district_id=district_id,
        building_id=building_id,
        actor=actor,
        actor_name=(actor_name or (actor.get_username() if actor else "RaptorLink"))[:200],
        action=action,
        object_type=str(obj._meta.verbose_name),
        object_id=str(obj.pk),
        object_label=(label or str(obj))[:300],
        before=before or {},
        after=after or {},
        reason=reason[:300],
    )


def audited_fields(model):
    spec = AUDITED[model._meta.label]
    if spec.fields:
        return [model._meta.get_field(name) for name in spec.fields]
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and not field.auto_created
    ]


def raw_values(instance):
    return {field.name: field.value_from_object(instance) for field in audited_fields(type(instance))}


def readable(field, value):
    if value is None:
        return None
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def differences(model, before, after):
    """The changed fields' readable values before and after; secrets only as changed."""
    old, new = {}, {}
    for field in audited_fields(model):
        if before.get(field.name) == after.get(field.name):
            continue
        if isinstance(field, EncryptedTextField):
            old[field.name], new[field.name] = SECRET_BEFORE, SECRET_AFTER
        else:
            old[field.name] = readable(field, before.get(field.name))
            new[field.name] = readable(field, after.get(field.name))
    return old, new


def resolve(instance, path):
    value = instance
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def entry_place(instance):
    spec = AUDITED[instance._meta.label]
    return {
        "district_id": resolve(instance, spec.district),
        "building_id": resolve(instance, spec.building) if spec.building else None,
    }


def change_action(before, after):
    for field, action in STATE_ACTIONS.items():
        if field in after and before.get(field) is None and after[field] is not None:
            return action
    return AuditEntry.Action.CHANGED


# --- the signals -----------------------------------------------------------------------------------------------


def before_save(sender, instance, raw=False, **kwargs):
    instance._audit_before = None
    instance._audit_entry = None
    instance._audit_m2m_before = {}
    if raw or current_actor() is None or instance._state.adding:
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = raw_values(stored) if stored is not None else None


def after_save(sender, instance, created, raw=False, **kwargs):
    actor = current_actor()
    if raw or actor is None:
        return
    if created:
        _, after = differences(sender, {}, raw_values(instance))
        instance._audit_entry = audit_record(
            action=AuditEntry.Action.CREATED, obj=instance, actor=actor, after=after, **entry_place(instance)
        )
        return
    before, after = differences(sender, instance._audit_before or {}, raw_values(instance))
    if before or after:
        instance._audit_entry = audit_record(
            action=change_action(before, after),
            obj=instance,
            actor=actor,
            before=before,
            after=after,
            **entry_place(instance),
        )


def after_delete(sender, instance, **kwargs):
    actor = current_actor()
    if actor is None:
        return
    before, _ = differences(sender, raw_values(instance), {})
    audit_record(action=AuditEntry.Action.DELETED, obj=instance, actor=actor, before=before, **entry_place(instance))


def related_names(instance, field_name):
    return sorted(str(related) for related in getattr(instance, field_name).all())


def many_to_many_changed(field_name):
    """A receiver for one many-to-many field, folding its change into the entry of the save that preceded it
    (the admin saves the object, then its many-to-many fields), or into a new entry when there was none."""

    def receiver(sender, instance, action, reverse, **kwargs):
        if reverse or current_actor() is None:
            return
        pending = getattr(instance, "_audit_m2m_before", None)
        if pending is None:
            pending = instance._audit_m2m_before = {}
        if action.startswith("pre_"):
            pending.setdefault(field_name, related_names(instance, field_name))
        elif action.startswith("post_"):
            many_to_many_fold(instance, field_name, pending.get(field_name, []))

    return receiver


def many_to_many_fold(instance, field_name, before):
    now = related_names(instance, field_name)
    entry = getattr(instance, "_audit_entry", None)
    if entry is None:
        if now == before:
            return
        entry = instance._audit_entry = audit_record(
            action=AuditEntry.Action.CHANGED, obj=instance, actor=current_actor(), **entry_place(instance)
        )
    if entry.action != AuditEntry.Action.CREATED:
        entry.before.pop(field_name, None)
        if now != before:
            entry.before[field_name] = before
    entry.after.pop(field_name, None)
    if now != before or entry.action == AuditEntry.Action.CREATED:
        entry.after[field_name] = now
    entry.save(update_fields=["before", "after"])


def signals_connect():
    """Connect the receivers to each audited model (called once, when the app is ready)."""
    for label, spec in AUDITED.items():
        model = apps.get_model(label)
        uid = f"audit:{label}"
        pre_save.connect(before_save, sender=model, dispatch_uid=uid)
        post_save.connect(after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(after_delete, sender=model, dispatch_uid=uid)
        for field_name in spec.many_to_many:
            through = getattr(model, field_name).through
            m2m_changed.connect(
                many_to_many_changed(field_name), sender=through, dispatch_uid=f"{uid}.{field_name}", weak=False
            )


# --- reading ---------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["When (UTC)", "Who", "Action", "Type", "Object id", "What", "Before", "After", "Why"]


def csv_cell(value):
    """A spreadsheet would run a cell starting with = + - @ as a formula: such a cell gets an apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def changes_text(values):
    return "; ".join(f"{name}: {value}" for name, value in values.items())


def entry_row(entry):
    values = [
        f"{entry.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
        entry.actor_name,
        entry.get_action_display(),
        entry.object_type,
        entry.object_id,
        entry.object_label,
        changes_text(entry.before),
        changes_text(entry.after),
        entry.reason,
    ]
    return [csv_cell(value) for value in values]


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def csv_lines(entries):
    """The CSV text of `entries`, line by line, without holding them all in memory."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries.order_by("-at", "-id").iterator(chunk_size=500):
        yield writer.writerow(entry_row(entry))
