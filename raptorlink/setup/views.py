"""The PowerSchool Setup pages, served inside the console by console.urls: thin; the rules live in
raptorlink.setup.access (who may do what) and raptorlink.setup.services (what saving does)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from raptorlink.models import AttendanceMode, PowerSchoolConnection
from raptorlink.permissions import Action
from raptorlink.powerschool.access import FULL_ACCESS, PLUGIN_VERSION, plugin_name, render_plugin_xml, required_access
from raptorlink.powerschool.checks import V1_ACCESS_LEVEL_SINCE
from raptorlink.setup.access import (
    changeable_schools,
    district_for_setup,
    setup_districts,
    visible_buildings,
    visible_schools,
)
from raptorlink.setup.forms import ConnectionSettingsForm, DistrictSettingsForm, SchoolOverridesForm, school_formset
from raptorlink.setup.services import connection_test, school_setup_save, settings_save

TEMPLATES = "admin/powerschool_setup/"


def setup_index(request, context):
    """The districts whose setup the user may open; straight to the page when there is only one."""
    districts = list(setup_districts(request.user))
    if len(districts) == 1:
        return redirect("admin:powerschool_setup", district_id=districts[0].pk)
    return render(request, TEMPLATES + "index.html", {**context, "title": "PowerSchool Setup", "districts": districts})


def setup_home(request, context, district_id):
    """The Settings tab, or the first tab the user may see."""
    district, access = district_for_setup(request.user, district_id)
    if not access.reads_connection:
        first_tab = "admin:powerschool_setup_schools" if access.reads_schools else "admin:powerschool_setup_logs"
        return redirect(first_tab, district_id=district.pk)
    if request.method == "POST":
        return settings_post(request, context, district, access)
    return settings_page(request, context, district, access, *settings_forms(district, access))


def settings_forms(district, access, data=None):
    if not access.manages_connection:
        return None, None
    connection = PowerSchoolConnection.objects.filter(district=district).first()
    connection_form = ConnectionSettingsForm(data, instance=connection or PowerSchoolConnection(district=district))
    return connection_form, DistrictSettingsForm(data, instance=district)


def settings_post(request, context, district, access):
    if not access.manages_connection:
        raise PermissionDenied
    connection_form, district_form = settings_forms(district, access, request.POST)
    if not (connection_form.is_valid() and district_form.is_valid()):
        messages.error(request, "Nothing was saved: correct the fields marked below.")
        return settings_page(request, context, district, access, connection_form, district_form)
    applied = settings_save(connection_form, district_form, apply_to_schools="_apply" in request.POST)
    messages.success(request, "Saved the PowerSchool connection and the district's settings.")
    if applied is not None:
        messages.success(request, applied.describe())
    return redirect("admin:powerschool_setup", district_id=district.pk)


def settings_page(request, context, district, access, connection_form, district_form, checks=None):
    connection = PowerSchoolConnection.objects.filter(district=district).first()
    page = {
        "connection": connection,
        "token_status": token_status(connection),
        "connection_form": connection_form,
        "district_form": district_form,
        "checks": checks,
        "checks_passed": bool(checks) and all(check.ok for check in checks),
    }
    return tab(request, context, district, access, "settings", "Settings", page)


def token_status(connection):
    if connection is None:
        return ""
    if connection.usable_token():
        return f"cached, valid until {timezone.localtime(connection.token_expires_at):%Y-%m-%d %H:%M %Z}"
    return "none cached (a new one is requested on the next call)"


@require_POST
def test_connection(request, context, district_id):
    district, access = district_for_setup(request.user, district_id)
    # The test sends the secret to PowerSchool and caches a token: an act on the connection, not a reading of it.
    if not access.manages_connection:
        raise PermissionDenied
    checks = connection_test(district)
    return settings_page(request, context, district, access, *settings_forms(district, access), checks=checks)


def plugin_page(request, context, district_id):
    district, access = district_for_setup(request.user, district_id)
    if not access.reads_connection:
        raise PermissionDenied
    fields = required_access()
    page = {
        "plugin_name": plugin_name(district.name),
        "plugin_version": PLUGIN_VERSION,
        "tables": sorted((table.upper(), sorted(columns.items())) for table, columns in fields.items()),
        "view_only_count": sum(access != FULL_ACCESS for columns in fields.values() for access in columns.values()),
        "full_access_count": sum(access == FULL_ACCESS for columns in fields.values() for access in columns.values()),
        "v1_since": ".".join(str(part) for part in V1_ACCESS_LEVEL_SINCE),
    }
    return tab(request, context, district, access, "plugin", "Plugin", page)


def plugin_xml(request, context, district_id):
    district, access = district_for_setup(request.user, district_id)
    if not access.reads_connection:
        raise PermissionDenied
    response = HttpResponse(render_plugin_xml(district.name), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="raptorlink-{district.slug}-plugin.xml"'
    return response


def schools_page(request, context, district_id):
    district, access = district_for_setup(request.user, district_id)
    if not access.reads_schools:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    formset, overrides_form = school_forms(request.user, district, access, data)
    if data is not None:
        if formset is None and overrides_form is None:
            raise PermissionDenied
        if all(form.is_valid() for form in (formset, overrides_form) if form is not None):
            changed = school_setup_save(formset, overrides_form)
            messages.success(request, saved_message(changed, overrides_form))
            return redirect("admin:powerschool_setup_schools", district_id=district.pk)
        messages.error(request, "Nothing was saved: correct the schools marked below.")
    schools = visible_schools(request.user, district).filter(active=True)
    forms_by_school = {form.instance.pk: form for form in formset} if formset is not None else {}
    page = {
        "rows": [(school, forms_by_school.get(school.pk)) for school in schools],
        "formset": formset,
        "overrides_form": overrides_form,
        "read_only_reason": read_only_reason(district, access, formset, schools),
    }
    return tab(request, context, district, access, "schools", "School Building Setup", page)


def school_forms(user, district, access, data):
    """The formset of the schools `user` may change (None if none) and the district's switch (None if not theirs)."""
    changeable = changeable_schools(user, district)
    formset = school_formset(changeable, district, data) if changeable.exists() else None
    overrides_form = (
        SchoolOverridesForm(data, instance=district, prefix="district") if access.manages_district else None
    )
    return formset, overrides_form


def saved_message(changed, overrides_form):
    parts = [f"Saved {', '.join(changed)}." if changed else "No school's settings changed."]
    if overrides_form is not None and "prevent_school_overrides" in overrides_form.changed_data:
        prevented = overrides_form.instance.prevent_school_overrides
        parts.append("School overrides are now prevented." if prevented else "Schools may now override.")
    return " ".join(parts)


def read_only_reason(district, access, formset, schools):
    if formset is not None or not schools:
        return ""
    if district.prevent_school_overrides:
        if access.manages_district:
            return (
                "School overrides are prevented, so every school uses the district's settings. "
                "Turn the switch off and save to set schools one by one."
            )
        mode = AttendanceMode(district.default_attendance_mode).label
        return (
            f"The district prevents school overrides: every school writes back in the district's settings "
            f"(write-back on, {mode} mode). Ask a district admin if one of your schools needs different settings."
        )
    return "You may read these settings but not change them."


def logs_page(request, context, district_id):
    district, access = district_for_setup(request.user, district_id)
    if not access.reads_log:
        raise PermissionDenied
    log_url = reverse("admin:writeback_log")
    page = {
        "district_log_url": f"{log_url}?{urlencode({'district': district.pk})}",
        "failed_log_url": f"{log_url}?{urlencode({'district': district.pk, 'status': 'failed'})}",
        "building_log_links": [
            (building.name, f"{log_url}?{urlencode({'district': district.pk, 'building': building.pk})}")
            for building in visible_buildings(request.user, district, Action.READ_LOG)
        ],
        "sync_runs_url": (
            f"{reverse('admin:sis_sync_syncrun_changelist')}?{urlencode({'district__id__exact': district.pk})}"
            if access.reads_sync
            else ""
        ),
    }
    return tab(request, context, district, access, "logs", "Writeback Logs", page)


def tab(request, context, district, access, name, title, page):
    context = {
        **context,
        **page,
        "title": f"PowerSchool Setup — {district.name}",
        "tab_title": title,
        "district": district,
        "access": access,
        "tab": name,
        "many_districts": setup_districts(request.user).count() > 1,
    }
    return render(request, f"{TEMPLATES}{name}.html", context)
