"""The desk's pages: login, the list of the user's buildings, and the desk of one building."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator

from kiosk.views.desk.access import desk_buildings, desk_page, desk_required, refusal
from kiosk.views.desk.present import STATE_STATUSES, building_reasons, local_today


class DeskLoginView(auth_views.LoginView):
    template_name = "desk/login.html"
    redirect_authenticated_user = True

    @method_decorator(desk_page)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # A shared front-office PC: closing the browser ends the session, as sitting idle does.
        self.request.session.set_expiry(0)
        return response


class DeskLogoutView(auth_views.LogoutView):
    next_page = "desk:login"


@desk_page
@login_required
def home(request):
    """The user's buildings; straight to the desk when there is only one."""
    buildings = list(desk_buildings(request.user))
    if not buildings:
        return refusal(request, api=False)
    if len(buildings) == 1:
        return redirect("desk:desk", building_id=buildings[0].pk)
    return render(request, "desk/home.html", {"buildings": buildings})


@desk_required
def desk(request):
    building = request.building
    now = timezone.localtime(timezone.now(), building.zone)
    context = {
        "building": building,
        "page_data": {
            "building": building.pk,
            "reasons": building_reasons(building),
            "today": local_today(building).isoformat(),
            "now": f"{now:%H:%M}",
            "uses_student_number": building.district.visible_student_id == "student_number",
        },
        "states": list(STATE_STATUSES),
        "several_buildings": desk_buildings(request.user).count() > 1,
    }
    return render(request, "desk/desk.html", context)
