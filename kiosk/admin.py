"""Reasons and their code mappings, the write-back pre-flight check, the events' read-only history, kiosk
devices and the sign-ins kiosks could not record.

District admins manage every reason of their district; building admins manage their own buildings' reasons and
read the district-wide ones. Events change only through kiosk.services, so their admin is read-only.
"""

import segno
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe

from kiosk.devices import enrolment_issue, kiosk_create, kiosk_revoke
from kiosk.forms import DatalistInput, ReasonCodeForm, ReasonCodeFormSet, ReasonForm, code_suggestions
from kiosk.models import KioskDevice, Reason, ReasonCode, StudentEvent, StudentEventChange, UnrecordedSignIn
from kiosk.preflight import next_year_id, rollover_report, writeback_problems, year_label
from raptorlink.admin.scoping import BuildingScopedAdmin
from raptorlink.permissions import (
    Action,
    buildings_for,
    district_to_act_on,
    districts_for,
    districts_reached,
    may,
    rows_q,
    schools_for,
)
from sis_sync.models import SyncRun
from sis_sync.services import run_sync


def reasons_where(user, action):
    """The reasons on which `user` may take `action`: their districts' or their buildings' (and shared ones)."""
    return Reason.objects.filter(rows_q(user, action, building_path="building"))


def may_change_reason(user, reason):
    if reason is None:
        return may(user, Action.MANAGE_REASONS)
    return reasons_where(user, Action.MANAGE_REASONS).filter(pk=reason.pk).exists()


class ReasonCodeInline(admin.TabularInline):
    model = ReasonCode
    form = ReasonCodeForm
    formset = ReasonCodeFormSet
    extra = 1
    verbose_name = "attendance code at a school"
    verbose_name_plural = "attendance codes (by their text, per PowerSchool school)"

    # Mappings are part of their reason: whoever may change the reason may change them (`obj` is the reason).
    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return may_change_reason(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return may_change_reason(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return may_change_reason(request.user, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "code":
            kwargs["widget"] = DatalistInput(code_suggestions(mappable_schools(request.user)))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "school":
            kwargs["queryset"] = mappable_schools(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def mappable_schools(user):
    """The schools whose codes `user` may map: their districts' as a district admin, their buildings' otherwise."""
    return schools_for(user, Action.MANAGE_REASONS).filter(active=True).select_related("district")


@admin.register(Reason)
class ReasonAdmin(BuildingScopedAdmin):
    read_action = Action.READ_REASONS
    manage_action = Action.MANAGE_REASONS
    form = ReasonForm
    inlines = [ReasonCodeInline]
    list_display = ["label", "kind", "district", "where", "excused", "enabled", "codes_mapped"]
    list_filter = ["kind", "enabled", ("district", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label"]
    list_select_related = ["district", "building"]

    @admin.display(description="Offered in")
    def where(self, reason):
        return reason.building or "every building"

    @admin.display(description="Codes")
    def codes_mapped(self, reason):
        return ", ".join(f"{mapping.school.name}: {mapping.code}" for mapping in reason.codes.all()) or "none"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("codes__school")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        whole = districts_for(request.user, Action.MANAGE_REASONS).values_list("pk", flat=True)
        own = buildings_for(request.user, Action.MANAGE_REASONS).values_list("pk", flat=True)
        scope = {"whole_district_ids": frozenset(whole), "building_ids": frozenset(own)}
        return type(form.__name__, (form,), scope)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "district":
            kwargs["queryset"] = districts_reached(request.user, Action.MANAGE_REASONS)
        if db_field.name == "building":
            kwargs["queryset"] = buildings_for(request.user, Action.MANAGE_REASONS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path("preflight/", self.admin_site.admin_view(self.preflight_view), name="kiosk_reason_preflight"),
            path(
                "import-codes/<int:district_id>/",
                self.admin_site.admin_view(self.import_codes_view),
                name="kiosk_reason_import_codes",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        importable = districts_for(request.user, Action.RUN_SYNC)
        return super().changelist_view(request, {**(extra_context or {}), "import_districts": importable})

    def preflight_view(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied
        districts = districts_reached(request.user, Action.READ_REASONS)
        context = {
            **self.admin_site.each_context(request),
            "title": "Write-back setup check",
            "opts": self.model._meta,
            "reports": [district_report(district, request.user) for district in districts],
        }
        return render(request, "admin/kiosk/reason/preflight.html", context)

    def import_codes_view(self, request, district_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        district = district_to_act_on(request.user, Action.RUN_SYNC, district_id)
        run = attendance_codes_import(district, request.user)
        level = messages.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else messages.ERROR
        self.message_user(request, import_outcome(run), level)
        return HttpResponseRedirect(reverse("admin:kiosk_reason_changelist"))


def attendance_codes_import(district, user):
    trigger = f"admin:{user.get_username()}"[: SyncRun._meta.get_field("trigger").max_length]
    return run_sync(district, kind="manual", trigger=trigger, entities=["attendance_codes"])


def import_outcome(run):
    if run.status == SyncRun.Status.SUCCEEDED:
        counts = run.counts.get("attendance_codes", {})
        new = counts.get("created", 0)
        return f"Attendance codes of {run.district} imported: {new} new, {counts.get('updated', 0)} changed."
    return f"Attendance codes of {run.district} were not imported: {run.message}"


def district_report(district, user):
    """The district's problems that `user` is concerned with: all of them, or their buildings' schools'."""
    next_year = next_year_id(district)
    problems = writeback_problems(district)
    upcoming = rollover_report(district, next_year)
    if not may(user, Action.READ_REASONS, district):
        buildings = set(buildings_for(user, Action.READ_REASONS).values_list("pk", flat=True))
        problems = [problem for problem in problems if problem.school.building_id in buildings]
        upcoming = [problem for problem in upcoming if problem.school.building_id in buildings]
    return {"district": district, "problems": problems, "next_year": year_label(next_year), "upcoming": upcoming}


class StudentEventChangeInline(admin.TabularInline):
    model = StudentEventChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "action", "changed_by", "reason", "before", "after"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StudentEvent)
class StudentEventAdmin(BuildingScopedAdmin):
    """Events as they stand and their history; they change through the front-desk pages, never here."""

    read_action = Action.READ_EVENTS

    inlines = [StudentEventChangeInline]
    list_display = ["reference", "kind", "student", "building", "local_time_display", "reason", "source", "active"]
    list_filter = ["kind", "source", "active", ("building", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["student__first_name", "student__last_name", "student__student_number"]
    list_select_related = ["student", "building", "reason"]
    fields = [
        "reference",
        "kind",
        "student",
        "school",
        "building",
        "local_time_display",
        "reason",
        "excused",
        "note",
        "source",
        "recorded_by",
        "active",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="When (building time)", ordering="occurred_at")
    def local_time_display(self, event):
        return f"{event.local_time:%m/%d/%Y %H:%M %Z}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- kiosk devices and the sign-ins they could not record -----------------------------------------


def building_time(moment, building):
    return f"{moment.astimezone(building.zone):%m/%d/%Y %H:%M %Z}" if moment else "—"


class KioskDeviceForm(forms.ModelForm):
    class Meta:
        model = KioskDevice
        fields = ["building", "name"]

    def clean_name(self):
        # Once created, the building is read-only and absent from the form, where Django's own check would skip.
        name = self.cleaned_data["name"].strip()
        building = self.cleaned_data.get("building") or (self.instance.building if self.instance.pk else None)
        twins = KioskDevice.objects.filter(building=building, name=name).exclude(pk=self.instance.pk)
        if building and twins.exists():
            raise ValidationError(f"{building} already has a kiosk named “{name}”; choose another name.")
        return name


class KioskStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", "Not enrolled yet"), ("enrolled", "Enrolled"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        return {
            "waiting": queryset.filter(enrolled_at=None, revoked_at=None),
            "enrolled": queryset.filter(revoked_at=None).exclude(enrolled_at=None),
            "revoked": queryset.exclude(revoked_at=None),
        }.get(self.value(), queryset)


def kiosk_state(device):
    if device.revoked:
        return f"Revoked {building_time(device.revoked_at, device.building)}"
    link = ""
    if device.enrolment_open:
        link = f"enrolment link open until {building_time(device.enrolment_expires_at, device.building)}"
    if device.enrolled_at:
        return "Enrolled" + (f"; a new {link}" if link else "")
    return f"Not enrolled yet; {link or 'the enrolment link expired — issue a new one'}"


@admin.register(KioskDevice)
class KioskDeviceAdmin(BuildingScopedAdmin):
    """Kiosks are created here and enrolled through a link shown once; they are revoked, never edited into
    another building."""

    district_path = "building__district"
    read_action = Action.READ_KIOSKS
    manage_action = Action.MANAGE_KIOSKS

    form = KioskDeviceForm
    list_display = ["name", "building", "state", "enrolled", "last_seen", "revoked"]
    list_filter = [KioskStateFilter, ("building", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "building__name"]
    list_select_related = ["building"]
    actions = ["revoke_selected"]
    STATUS = ["state", "enrolled", "last_seen", "revoked", "created", "created_by"]

    @admin.display(description="State")
    def state(self, device):
        return kiosk_state(device)

    @admin.display(description="Enrolled", ordering="enrolled_at")
    def enrolled(self, device):
        return building_time(device.enrolled_at, device.building)

    @admin.display(description="Last seen", ordering="last_seen_at")
    def last_seen(self, device):
        if not device.last_seen_at:
            return "never"
        return (
            f"{building_time(device.last_seen_at, device.building)} from {device.last_seen_ip or 'an unknown address'}"
        )

    @admin.display(description="Revoked", ordering="revoked_at")
    def revoked(self, device):
        return building_time(device.revoked_at, device.building)

    @admin.display(description="Created")
    def created(self, device):
        return building_time(device.created_at, device.building)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["building", "name"]})]
        return [(None, {"fields": ["building", "name"]}), ("Status", {"fields": self.STATUS})]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["building", *self.STATUS]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            kwargs["queryset"] = buildings_for(request.user, Action.MANAGE_KIOSKS).select_related("district")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- who may do what

    def may_manage(self, request, device=None):
        return self.may_on(request, Action.MANAGE_KIOSKS, device)

    def has_manage_permission(self, request):
        return self.may_manage(request)

    def has_delete_permission(self, request, obj=None):
        # Revoking is the way to retire a kiosk; deleting would blur which kiosk recorded past events.
        return obj is not None and self.may_manage(request, obj) and not obj.events.exists()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- creating shows the enrolment link once

    def add_view(self, request, form_url="", extra_context=None):
        once = {"show_save_and_add_another": False, "show_save_and_continue": False}
        return super().add_view(request, form_url, {**(extra_context or {}), **once})

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        device, token = kiosk_create(building=data["building"], name=data["name"], created_by=request.user)
        # Kept on the object only until response_add shows it; it is never stored.
        device.enrolment_token = token
        return device

    # On add, save_form has created the kiosk through kiosk_create already, and the form has nothing else to save.
    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"The kiosk “{obj.name}” was created. Open its enrolment link on the tablet.")
        return self.enrolment_link_page(request, obj, obj.enrolment_token)

    def enrolment_link_page(self, request, device, token):
        url = request.build_absolute_uri(reverse("enrol:enrol", args=[token]))
        qr_code = segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Enrolment link for {device.name}",
            "opts": self.model._meta,
            "device": device,
            "url": url,
            "qr_code": mark_safe(qr_code),  # segno's own SVG; the URL inside it is escaped by segno
            "expires_at": building_time(device.enrolment_expires_at, device.building),
        }
        response = render(request, "admin/kiosk/kioskdevice/enrolment_link.html", context)
        add_never_cache_headers(response)
        return response

    # --- new link and revoke, each confirmed on its own page

    def get_urls(self):
        return [
            path(
                "<path:object_id>/enrolment-link/",
                self.admin_site.admin_view(self.new_link_view),
                name="kiosk_kioskdevice_new_link",
            ),
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="kiosk_kioskdevice_revoke",
            ),
            *super().get_urls(),
        ]

    def managed_device(self, request, object_id):
        device = self.get_object(request, object_id)
        if device is None:
            raise Http404("No such kiosk.")
        if not self.may_manage(request, device):
            raise PermissionDenied
        return device

    def new_link_view(self, request, object_id):
        device = self.managed_device(request, object_id)
        if device.revoked:
            self.message_user(request, "A revoked kiosk cannot be enrolled again; add a new kiosk.", messages.ERROR)
            return self.back_to(device)
        if request.method == "POST":
            token = enrolment_issue(device)
            self.log_change(request, device, "Issued a new enrolment link.")
            return self.enrolment_link_page(request, device, token)
        return self.confirmation_page(request, device, "new_link")

    def revoke_view(self, request, object_id):
        device = self.managed_device(request, object_id)
        if device.revoked:
            self.message_user(request, f"The kiosk “{device.name}” is already revoked.", messages.WARNING)
            return self.back_to(device)
        if request.method == "POST":
            kiosk_revoke(device)
            self.log_change(request, device, "Revoked.")
            self.message_user(request, f"The kiosk “{device.name}” was revoked; it stops at its next request.")
            return self.back_to(device)
        return self.confirmation_page(request, device, "revoke")

    def confirmation_page(self, request, device, step):
        titles = {"new_link": f"New enrolment link for {device.name}?", "revoke": f"Revoke {device.name}?"}
        context = {
            **self.admin_site.each_context(request),
            "title": titles[step],
            "opts": self.model._meta,
            "device": device,
            "step": step,
        }
        return render(request, "admin/kiosk/kioskdevice/confirm.html", context)

    def back_to(self, device):
        return HttpResponseRedirect(reverse("admin:kiosk_kioskdevice_change", args=[device.pk]))

    @admin.action(description="Revoke selected kiosks", permissions=["manage"])
    def revoke_selected(self, request, queryset):
        devices = list(queryset.filter(building__in=buildings_for(request.user, Action.MANAGE_KIOSKS), revoked_at=None))
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Revoke these kiosks?",
                "opts": self.model._meta,
                "devices": devices,
                "action": "revoke_selected",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return render(request, "admin/kiosk/kioskdevice/revoke_selected.html", context)
        for device in devices:
            kiosk_revoke(device)
            self.log_change(request, device, "Revoked.")
        self.message_user(request, f"{len(devices)} kiosk(s) revoked; each stops at its next request.")
        return None


@admin.register(UnrecordedSignIn)
class UnrecordedSignInAdmin(BuildingScopedAdmin):
    """Sign-ins a kiosk kept offline and the server refused on arrival: for the front desk to follow up."""

    district_path = "building__district"
    read_action = Action.READ_KIOSKS
    manage_action = Action.MANAGE_KIOSKS

    list_display = ["occurred", "building", "student_id_typed", "kind", "reason_label", "problem", "kiosk", "resolved"]
    list_filter = [
        ("resolved_at", admin.EmptyFieldListFilter),
        ("building", admin.RelatedOnlyFieldListFilter),
        "kind",
    ]
    search_fields = ["student_id_typed", "problem"]
    list_select_related = ["building", "kiosk", "resolved_by"]
    actions = ["mark_resolved"]
    fields = [
        "occurred",
        "building",
        "kiosk",
        "student_id_typed",
        "kind",
        "reason_label",
        "note",
        "problem",
        "received",
        "resolved",
    ]
    readonly_fields = fields

    @admin.display(description="When (building time)", ordering="occurred_at")
    def occurred(self, sign_in):
        return building_time(sign_in.occurred_at, sign_in.building)

    @admin.display(description="Received")
    def received(self, sign_in):
        return building_time(sign_in.received_at, sign_in.building)

    @admin.display(description="Resolved", ordering="resolved_at")
    def resolved(self, sign_in):
        if not sign_in.resolved_at:
            return "no"
        who = f" by {sign_in.resolved_by}" if sign_in.resolved_by else ""
        return building_time(sign_in.resolved_at, sign_in.building) + who

    def has_resolve_permission(self, request):
        return may(request.user, Action.MANAGE_KIOSKS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Mark selected as resolved", permissions=["resolve"])
    def mark_resolved(self, request, queryset):
        open_ones = queryset.filter(building__in=buildings_for(request.user, Action.MANAGE_KIOSKS), resolved_at=None)
        count = open_ones.update(resolved_at=timezone.now(), resolved_by=request.user)
        self.message_user(request, f"{count} unrecorded sign-in(s) marked resolved.")
