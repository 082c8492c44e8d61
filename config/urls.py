from django.contrib import admin
from django.urls import include, path

from raptorlink.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("kiosk/enrol/", include("kiosk.urls.enrol")),
    path("kiosk/", include("kiosk.urls.kiosk")),
    path("desk/", include("kiosk.urls.desk")),
]
