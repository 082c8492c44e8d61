"""Maintenance banners for the kiosk and front-desk pages, rendered where the page is."""

from django import template

from raptorlink.maintenance import building_banners, district_banners
from raptorlink.models import District

register = template.Library()


@register.inclusion_tag("kiosk/_maintenance.html")
def kiosk_maintenance(building):
    return {"banners": building_banners(building)}


@register.inclusion_tag("desk/_maintenance.html", takes_context=True)
def desk_maintenance(context):
    """The banners of the page's building, or, on a page of no one building, of the user's districts."""
    building = context.get("building")
    if building is not None:
        return {"banners": building_banners(building)}
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"banners": []}
    return {"banners": district_banners(District.objects.filter(memberships__user=user).distinct())}
