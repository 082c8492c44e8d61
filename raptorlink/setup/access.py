"""Which PowerSchool Setup tabs a user sees in a district, and what they may change there.

Every answer comes from raptorlink.permissions; this module only names the questions the pages ask.
"""

from dataclasses import dataclass

from django.http import Http404

from raptorlink.models import District, School
from raptorlink.permissions import Action, buildings_for, districts_for, may, schools_for


@dataclass(frozen=True)
class SetupAccess:
    """What one user may do on one district's PowerSchool Setup page."""

    reads_connection: bool
    manages_connection: bool
    reads_schools: bool
    manages_district: bool
    reads_log: bool
    reads_sync: bool

    @property
    def sees_anything(self):
        return self.reads_connection or self.reads_schools or self.reads_log


def setup_access(user, district):
    return SetupAccess(
        reads_connection=may(user, Action.READ_CONNECTION, district),
        manages_connection=may(user, Action.MANAGE_CONNECTION, district)
        and may(user, Action.MANAGE_DISTRICT, district),
        reads_schools=reaches(user, Action.READ_SETTINGS, district),
        manages_district=may(user, Action.MANAGE_DISTRICT, district),
        reads_log=reaches(user, Action.READ_LOG, district),
        reads_sync=may(user, Action.READ_SYNC, district),
    )


def reaches(user, action, district):
    """Whether `user` may take `action` anywhere in `district`: district-wide or in one of its buildings."""
    return may(user, action, district) or buildings_for(user, action).filter(district=district).exists()


def setup_districts(user):
    """The districts whose PowerSchool Setup page `user` may open."""
    district_ids = set()
    for action in (Action.READ_CONNECTION, Action.READ_SETTINGS, Action.READ_LOG):
        district_ids |= set(districts_for(user, action).values_list("pk", flat=True))
        district_ids |= set(buildings_for(user, action).values_list("district_id", flat=True))
    return District.objects.filter(pk__in=district_ids)


def district_for_setup(user, district_id):
    """The district and the user's access to its page; 404 for a district the user has no part in."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        raise Http404("No such district.")
    access = setup_access(user, district)
    if not access.sees_anything:
        raise Http404("No such district.")
    return district, access


def visible_schools(user, district):
    """The district's schools whose write-back settings `user` reads."""
    return schools_for(user, Action.READ_SETTINGS).filter(district=district).select_related("building", "district")


def changeable_schools(user, district):
    """The district's active schools whose write-back settings `user` may change right now.

    None while the district prevents overrides: every school then uses the district's settings, and a school's own
    settings would change nothing."""
    if district.prevent_school_overrides:
        return School.objects.none()
    schools = schools_for(user, Action.MANAGE_SCHOOL_WRITEBACK).filter(district=district, active=True)
    return schools.select_related("building")


def visible_buildings(user, district, action=Action.READ_LOG):
    return buildings_for(user, action).filter(district=district)
