from django.urls import path

from kiosk.views.enrol import enrol

app_name = "enrol"
urlpatterns = [path("<str:token>", enrol, name="enrol")]
