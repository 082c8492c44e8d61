from django.urls import path

from kiosk.views.desk import api, pages

app_name = "desk"

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", pages.DeskLoginView.as_view(), name="login"),
    path("logout/", pages.DeskLogoutView.as_view(), name="logout"),
    path("<int:building_id>/", pages.desk, name="desk"),
    path("<int:building_id>/api/student", api.student_lookup, name="student"),
    path("<int:building_id>/api/students/<int:student_id>", api.student_by_id, name="student_by_id"),
    path("<int:building_id>/api/students/<int:student_id>/sync", api.spot_sync, name="spot_sync"),
    path("<int:building_id>/api/search", api.search, name="search"),
    path("<int:building_id>/api/record", api.record, name="record"),
    path("<int:building_id>/api/bulk", api.bulk_check_in, name="bulk"),
    path("<int:building_id>/api/today", api.today, name="today"),
    path("<int:building_id>/api/events/<int:event_id>/edit", api.edit, name="edit"),
    path("<int:building_id>/api/events/<int:event_id>/void", api.void, name="void"),
    path("<int:building_id>/api/unrecorded/<int:sign_in_id>/resolve", api.resolve_unrecorded, name="resolve"),
    path("<int:building_id>/api/unrecorded/<int:sign_in_id>/dismiss", api.dismiss_unrecorded, name="dismiss"),
]
