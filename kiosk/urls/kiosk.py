from django.urls import path

from kiosk.views.kiosk import finding, page, signing

app_name = "kiosk"
urlpatterns = [
    path("", page.kiosk_page, name="page"),
    path("api/student", finding.student_lookup, name="student"),
    path("api/search", finding.student_search, name="search"),
    path("api/sign-in", signing.sign_in, name="sign_in"),
    path("api/roster", finding.roster, name="roster"),
]
