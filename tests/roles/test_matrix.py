"""The permission matrix: every page of the console, the desk and the kiosk, with the answer each role gets.

Columns, in order: superuser, district admin (Lincoln), building admin (North only), IT viewer (Lincoln), front desk
(North), outsider (no role), Riverside's district admin, and nobody signed in.

200 the page; 302 a redirect (to the login for those without a console role; for console users, away from a row
they cannot see, or after a POST that was done); 403 refused; 404 not found (a row or building not theirs, where
saying "refused" would confirm it exists); 405 wrong method. `{north_kiosk}` and the like are rows of
tests/roles/conftest.py, `{lincoln}` and `{riverside}` the districts' ids.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, resolve
from django.utils import timezone

from sis_sync.models import SyncRun
from tests.roles.conftest import login

ROLES = [
    "superuser",
    "district_admin",
    "building_admin",
    "it_viewer",
    "front_desk",
    "outsider",
    "other_admin",
    "anonymous",
]
A = "/admin"

# fmt: off
MATRIX = [
    # method, url,                                                   su   da   ba   it   fd   out  oth  anon
    # --- the console's home and PowerSchool Setup
    ("GET",  f"{A}/",                                               "200 200 200 200 302 302 200 302"),
    ("GET",  f"{A}/powerschool-setup/",                             "200 302 302 302 302 302 302 302"),
    ("GET",  f"{A}/powerschool-setup/{{lincoln}}/",                 "200 200 302 200 302 302 404 302"),
    ("GET",  f"{A}/powerschool-setup/{{lincoln}}/test/",            "405 405 405 405 302 302 405 302"),
    ("GET",  f"{A}/powerschool-setup/{{lincoln}}/plugin/",          "200 200 403 200 302 302 404 302"),
    ("GET",  f"{A}/powerschool-setup/{{lincoln}}/plugin.xml",       "200 200 403 200 302 302 404 302"),
    ("GET",  f"{A}/powerschool-setup/{{lincoln}}/schools/",         "200 200 200 403 302 302 404 302"),
    ("GET",  f"{A}/powerschool-setup/{{lincoln}}/logs/",            "200 200 200 200 302 302 404 302"),
    # --- districts, buildings, schools, people
    ("GET",  f"{A}/raptorlink/district/",                           "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/district/add/",                       "200 403 403 403 302 302 403 302"),
    ("GET",  f"{A}/raptorlink/district/{{lincoln}}/change/",        "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/building/",                           "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/building/add/",                       "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/building/{{north_building}}/change/", "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/building/{{south_building}}/change/", "200 200 302 403 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/school/",                             "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/school/{{north_school}}/change/",     "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/school/{{south_school}}/change/",     "200 200 302 403 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/powerschoolconnection/",              "200 200 403 200 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/powerschoolconnection/add/",          "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/powerschoolconnection/{{lincoln_connection}}/change/",
                                                                    "200 200 403 200 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/membership/",                         "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/membership/add/",                     "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/membership/{{front_desk_membership}}/change/",
                                                                    "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/auth/user/",                                     "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/auth/user/add/",                                 "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/auth/user/{{front_desk_user}}/change/",          "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/auth/user/{{other_admin_user}}/change/",         "200 302 403 403 302 302 200 302"),
    ("GET",  f"{A}/auth/user/{{front_desk_user}}/password/",        "200 200 403 403 302 302 404 302"),
    ("GET",  f"{A}/auth/group/",                                    "200 403 403 403 302 302 403 302"),
    ("GET",  f"{A}/auth/group/{{group}}/change/",                   "200 403 403 403 302 302 403 302"),
    # --- operations
    ("GET",  f"{A}/raptorlink/notificationcontact/",                "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/notificationcontact/{{lincoln_contact}}/change/",
                                                                    "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/incident/",                           "200 200 403 200 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/incident/{{lincoln_incident}}/change/",
                                                                    "200 200 403 200 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/maintenancewindow/",                  "200 200 200 200 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/maintenancewindow/add/",              "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/maintenancewindow/{{lincoln_maintenance}}/change/",
                                                                    "200 200 200 200 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/auditentry/",                         "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/auditentry/export.csv",               "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/raptorlink/auditentry/{{north_audit}}/change/",  "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/raptorlink/auditentry/{{south_audit}}/change/",  "200 200 302 403 302 302 302 302"),
    ("GET",  f"{A}/django_q/schedule/",                             "200 403 403 403 302 302 403 302"),
    ("GET",  f"{A}/django_q/success/",                              "200 403 403 403 302 302 403 302"),
    ("GET",  f"{A}/django_q/failure/",                              "200 403 403 403 302 302 403 302"),
    ("GET",  f"{A}/django_q/ormq/",                                 "200 403 403 403 302 302 403 302"),
    # --- sync: the log, the settings, the synced rows
    ("GET",  f"{A}/sis_sync/syncrun/",                              "200 200 403 200 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/syncrun/{{lincoln_syncrun}}/change/",   "200 200 403 200 302 302 302 302"),
    ("GET",  f"{A}/sis_sync/syncissue/",                            "200 200 403 200 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/syncissue/{{lincoln_syncissue}}/change/",
                                                                    "200 200 403 200 302 302 302 302"),
    ("GET",  f"{A}/sis_sync/syncsettings/",                         "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/syncsettings/{{lincoln_syncsettings}}/change/",
                                                                    "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/sis_sync/syncpause/",                            "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/syncpause/add/",                        "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/syncpause/{{lincoln_syncpause}}/change/",
                                                                    "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/sis_sync/rostersource/",                         "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/rostersource/{{lincoln_rostersource}}/change/",
                                                                    "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/sis_sync/csvupload/",                            "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/csvupload/add/",                        "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/csvupload/{{lincoln_csvupload}}/change/",
                                                                    "200 200 403 403 302 302 404 302"),
    # Apply and Cancel need the previewed file's digest, which only the preview page carries.
    # Another district's admin is not told the upload exists.
    ("POST", f"{A}/sis_sync/csvupload/{{lincoln_csvupload}}/apply/",
                                                                    "403 403 403 403 302 302 404 302"),
    ("POST", f"{A}/sis_sync/csvupload/{{lincoln_csvupload}}/cancel/",
                                                                    "403 403 403 403 302 302 404 302"),
    ("GET",  f"{A}/sis_sync/csvdropfolder/",                        "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/csvdropfolder/{{lincoln_csvdropfolder}}/change/",
                                                                    "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/sis_sync/contact/",                              "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/contact/{{lincoln_guardian}}/change/",  "200 200 403 403 302 302 302 302"),
    ("GET",  f"{A}/sis_sync/staff/",                                "200 200 403 403 302 302 200 302"),
    ("GET",  f"{A}/sis_sync/staff/{{lincoln_staff}}/change/",       "200 200 403 403 302 302 302 302"),
    *[
        row
        for page in ["student", "section", "enrollment", "term", "calendarday", "bellschedule", "period",
                     "attendancecode"]
        for row in [
            ("GET", f"{A}/sis_sync/{page}/",                        "200 200 200 403 302 302 200 302"),
            ("GET", f"{A}/sis_sync/{page}/{{north_{page}}}/change/", "200 200 200 403 302 302 302 302"),
            ("GET", f"{A}/sis_sync/{page}/{{south_{page}}}/change/", "200 200 302 403 302 302 302 302"),
        ]
    ],
    # --- reasons, events, kiosks
    ("GET",  f"{A}/kiosk/reason/",                                  "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/kiosk/reason/add/",                              "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/kiosk/reason/{{north_reason}}/change/",          "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/reason/{{south_reason}}/change/",          "200 200 302 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/reason/{{lincoln_shared_reason}}/change/", "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/reason/preflight/",                        "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/kiosk/studentevent/",                            "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/kiosk/studentevent/{{north_event}}/change/",     "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/studentevent/{{south_event}}/change/",     "200 200 302 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/kioskdevice/",                             "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/kiosk/kioskdevice/add/",                         "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/kiosk/kioskdevice/{{north_kiosk}}/change/",      "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/kioskdevice/{{south_kiosk}}/change/",      "200 200 302 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/kioskdevice/{{north_kiosk}}/enrolment-link/",
                                                                    "200 200 200 404 302 302 404 302"),
    ("GET",  f"{A}/kiosk/kioskdevice/{{south_kiosk}}/enrolment-link/",
                                                                    "200 200 404 404 302 302 404 302"),
    ("GET",  f"{A}/kiosk/kioskdevice/{{north_kiosk}}/revoke/",      "200 200 200 404 302 302 404 302"),
    ("GET",  f"{A}/kiosk/unrecordedsignin/",                        "200 200 200 403 302 302 200 302"),
    ("GET",  f"{A}/kiosk/unrecordedsignin/{{north_unrecorded}}/change/",
                                                                    "200 200 200 403 302 302 302 302"),
    ("GET",  f"{A}/kiosk/unrecordedsignin/{{south_unrecorded}}/change/",
                                                                    "200 200 302 403 302 302 302 302"),
    # --- the write-back log
    ("GET",  f"{A}/writeback/intent/",                              "302 302 302 302 302 302 302 302"),
    ("GET",  f"{A}/writeback/intent/{{north_intent}}/change/",      "302 302 302 302 302 302 302 302"),
    ("GET",  f"{A}/writeback/intent/log/",                          "200 200 200 200 302 302 200 302"),
    ("GET",  f"{A}/writeback/intent/log/export.csv",                "200 200 200 200 302 302 200 302"),
    # --- the desk (its own login), the kiosk (a device, not a person) and its enrolment link
    ("GET",  "/desk/",                                              "200 200 302 403 302 403 302 302"),
    ("GET",  "/desk/{north_building}/",                             "200 200 200 403 200 403 404 302"),
    ("GET",  "/desk/{south_building}/",                             "200 200 404 403 404 403 404 302"),
    ("GET",  "/desk/{riverside_building}/",                         "200 404 404 403 404 403 200 302"),
    ("GET",  "/desk/{north_building}/api/today",                    "200 200 200 403 200 403 404 302"),
    ("GET",  "/desk/{south_building}/api/today",                    "200 200 404 403 404 403 404 302"),
    ("GET",  "/desk/{north_building}/api/search?q=North",           "200 200 200 403 200 403 404 302"),
    ("GET",  "/desk/{north_building}/api/student?number=100101",    "200 200 200 403 200 403 404 302"),
    ("GET",  "/desk/{north_building}/api/students/{north_student}", "200 200 200 403 200 403 404 302"),
    ("GET",  "/kiosk/",                                             "403 403 403 403 403 403 403 403"),
    ("GET",  "/kiosk/enrol/not-a-token",                            "404 404 404 404 404 404 404 404"),
    # --- what changes something (last: these leave their mark)
    ("POST", f"{A}/sis_sync/syncrun/sync-now/{{lincoln}}/",         "302 302 403 403 302 302 404 302"),
    ("POST", f"{A}/kiosk/reason/import-codes/{{lincoln}}/",         "302 302 403 403 302 302 404 302"),
    ("POST", f"{A}/writeback/intent/log/",                          "302 302 302 403 302 302 302 302"),
    ("POST", f"{A}/kiosk/kioskdevice/{{north_kiosk}}/enrolment-link/",
                                                                    "200 200 200 404 302 302 404 302"),
    ("POST", "/desk/{north_building}/api/record",                   "400 400 400 403 400 403 404 302"),
    ("POST", "/desk/{south_building}/api/record",                   "400 400 404 403 404 403 404 302"),
    ("POST", f"{A}/kiosk/kioskdevice/{{south_kiosk}}/revoke/",      "302 302 404 404 302 302 404 302"),
]
# fmt: on

POST_DATA = {f"{A}/writeback/intent/log/": {"action": "retry", "selected": "{north_intent}"}}
GENERIC_URL_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}


def filled(template, rows, world):
    ids = {name: row.pk for name, row in rows.items()} | {
        "lincoln": world.district.pk,
        "riverside": world.other_district.pk,
    }
    return template.format(**ids)


def answer(client, method, url, rows, world):
    if method == "GET":
        return client.get(url).status_code
    data = {key: filled(value, rows, world) for key, value in POST_DATA.get(url.split("?")[0], {}).items()}
    return client.post(url, data).status_code


def fake_codes_import(district, **kwargs):
    """Stands in for the code import's sync, which would call PowerSchool."""
    now = timezone.now()
    return SyncRun.objects.create(district=district, status="succeeded", kind="manual", started_at=now, finished_at=now)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(world, rows, role, monkeypatch):
    monkeypatch.setattr("kiosk.admin.run_sync", fake_codes_import)
    client = Client()
    if role != "anonymous":
        login(client, world.users_by_role()[role])
    column = ROLES.index(role)
    expected, actual = {}, {}
    for method, template, statuses in MATRIX:
        url = filled(template, rows, world)
        key = f"{method} {template}"
        expected[key] = int(statuses.split()[column])
        actual[key] = answer(client, method, url, rows, world)
    assert {key: code for key, code in actual.items() if code != expected[key]} == {}


def console_url_names(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from console_url_names(pattern.url_patterns)
        elif pattern.name:
            yield pattern.name


def test_the_matrix_walks_every_page_of_the_console(world, rows):
    walked = {resolve(filled(template, rows, world).split("?")[0]).url_name for _, template, _ in MATRIX}
    required = {
        name
        for name in console_url_names(admin.site.urls[0])
        if name not in GENERIC_URL_NAMES
        and not name.endswith(("_add", "_delete", "_history"))
        and not (name.startswith("django_q_") and name.endswith("_change"))
    }
    assert required - walked == set()
