"""Who may do what, where: the one access rule of the console, the desk and every other page.

Access comes from memberships (one per user and district), never from Django's per-model permissions or the
is_staff flag. A superuser is the platform operator and may do everything everywhere. Everyone else may do what
`GRANTS` below gives their role, and only as far as its reach:

- ``DISTRICT``: everything of that kind in the membership's district;
- ``BUILDINGS``: only what belongs to the membership's buildings (a building, its PowerSchool schools, their
  students, reasons, kiosks, events and write-backs);
- ``BUILDINGS_AND_SHARED``: as BUILDINGS, and also the district's rows that belong to no building in particular
  (the reasons offered in every building).

The answers where the roles' one-line descriptions are silent, chosen for least privilege:

- A building admin changes their buildings' day-to-day settings (tardy cut-off, kiosk options, school day) but not
  which district a building is in, its name or its time zone; they change their buildings' schools' write-back
  settings only while the district allows school overrides. They manage their buildings' reasons and read the
  district-wide ones; they manage their buildings' kiosks and the sign-ins those could not record; they read and
  retry their buildings' write-backs, read their events, their students and the audit entries about their
  buildings, and read the district's maintenance windows. They never see the district's own settings, memberships
  and users, the PowerSchool connection, sync settings and runs, or notification contacts.
- An IT viewer reads, district-wide, the sync runs and the records they could not take, the write-back log, the
  connection's status (never its secret), the incidents the district was told about and the maintenance windows.
  Nothing else: no students, contacts, reasons, kiosks or events, and no button that changes anything.
- Front-desk staff use the desk of their buildings and never enter the console.
- A district admin does everything in their district, including memberships and the district's users; only a
  superuser adds districts.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from raptorlink.models import Building, District, Membership, Role, School


class Action(StrEnum):
    USE_CONSOLE = "use the admin console"
    ADD_OR_REMOVE_DISTRICTS = "add and remove districts"
    READ_SETTINGS = "read district, building and school settings"
    MANAGE_DISTRICT = "change district settings, add and remove buildings"
    MANAGE_BUILDING = "change a building's day-to-day settings"
    MANAGE_SCHOOL_WRITEBACK = "change a school's write-back settings"
    MANAGE_MEMBERSHIPS = "give and take roles"
    MANAGE_USERS = "add and edit user accounts"
    READ_CONNECTION = "read the PowerSchool connection's status"
    MANAGE_CONNECTION = "change the PowerSchool connection"
    MANAGE_CONTACTS = "read and change notification contacts"
    READ_INCIDENTS = "read incidents"
    READ_MAINTENANCE = "read maintenance windows"
    MANAGE_MAINTENANCE = "post, change and cancel maintenance windows"
    READ_AUDIT = "read and export the audit log"
    READ_SYNC = "read sync runs and their issues"
    RUN_SYNC = "start a sync or a code import"
    MANAGE_SYNC = "read and change sync settings and pauses"
    READ_STUDENTS = "read synced students, schedules and codes"
    EDIT_STUDENTS = "edit students' local fields"
    READ_REASONS = "read reasons and the write-back setup check"
    MANAGE_REASONS = "change reasons and their code mappings"
    READ_KIOSKS = "read kiosks and unrecorded sign-ins"
    MANAGE_KIOSKS = "add, enrol and revoke kiosks; resolve unrecorded sign-ins"
    READ_EVENTS = "read sign-in events"
    READ_LOG = "read and export the write-back log"
    ACT_ON_LOG = "retry and resolve write-backs"
    USE_DESK = "use the front desk"


DISTRICT = "the whole district"
BUILDINGS = "their buildings"
BUILDINGS_AND_SHARED = "their buildings and the district-wide rows"

GRANTS = {
    Role.DISTRICT_ADMIN: {action: DISTRICT for action in Action if action != Action.ADD_OR_REMOVE_DISTRICTS},
    Role.BUILDING_ADMIN: {
        Action.USE_CONSOLE: DISTRICT,
        Action.READ_SETTINGS: BUILDINGS,
        Action.MANAGE_BUILDING: BUILDINGS,
        Action.MANAGE_SCHOOL_WRITEBACK: BUILDINGS,
        Action.READ_STUDENTS: BUILDINGS,
        Action.READ_REASONS: BUILDINGS_AND_SHARED,
        Action.MANAGE_REASONS: BUILDINGS,
        Action.READ_KIOSKS: BUILDINGS,
        Action.MANAGE_KIOSKS: BUILDINGS,
        Action.READ_EVENTS: BUILDINGS,
        Action.READ_LOG: BUILDINGS,
        Action.ACT_ON_LOG: BUILDINGS,
        Action.USE_DESK: BUILDINGS,
        Action.READ_MAINTENANCE: DISTRICT,
        Action.READ_AUDIT: BUILDINGS,
    },
    Role.IT_VIEWER: {
        Action.USE_CONSOLE: DISTRICT,
        Action.READ_CONNECTION: DISTRICT,
        Action.READ_INCIDENTS: DISTRICT,
        Action.READ_SYNC: DISTRICT,
        Action.READ_LOG: DISTRICT,
        Action.READ_MAINTENANCE: DISTRICT,
    },
    Role.FRONT_DESK: {Action.USE_DESK: BUILDINGS},
}


def reach(role, action):
    """How far `role` may take `action`: DISTRICT, BUILDINGS, BUILDINGS_AND_SHARED, or None (not at all)."""
    return GRANTS.get(role, {}).get(action)


def roles_with(action, *reaches):
    return [role for role in GRANTS if reach(role, action) in (reaches or (DISTRICT, BUILDINGS, BUILDINGS_AND_SHARED))]


def _signed_in(user):
    return user is not None and user.is_active and user.is_authenticated


def _memberships(user, action, *reaches):
    return Membership.objects.filter(user=user, role__in=roles_with(action, *reaches))


def _district_ids(user, action):
    return set(_memberships(user, action, DISTRICT).values_list("district_id", flat=True))


def _building_ids(user, action):
    memberships = _memberships(user, action, BUILDINGS, BUILDINGS_AND_SHARED).exclude(buildings=None)
    return set(memberships.values_list("buildings", flat=True))


def _shared_district_ids(user, action):
    return set(_memberships(user, action, BUILDINGS_AND_SHARED).values_list("district_id", flat=True))


def rows_q(user, action, *, district_path="district", building_path=None):
    """A filter for the rows on which `user` may take `action`.

    `district_path` leads from the row to its district, `building_path` (if the row belongs to a building) to its
    building; rows without a building path are reachable only with a district-wide grant."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    rows = Q(**{f"{district_path}__in": _district_ids(user, action)})
    if building_path:
        rows |= Q(**{f"{building_path}__in": _building_ids(user, action)})
        shared = _shared_district_ids(user, action)
        if shared:
            rows |= Q(**{f"{district_path}__in": shared, f"{building_path}__isnull": True})
    return rows


def districts_for(user, action):
    """The districts where `user` may take `action` on everything (all districts for a superuser)."""
    return District.objects.filter(rows_q(user, action, district_path="pk"))


def buildings_for(user, action):
    """The buildings where `user` may take `action`."""
    return Building.objects.filter(rows_q(user, action, building_path="pk"))


def districts_reached(user, action):
    """The districts where `user` may take `action` somewhere: on the whole district or in one of its buildings."""
    reached = rows_q(user, action, district_path="pk", building_path="buildings")
    return District.objects.filter(pk__in=District.objects.filter(reached).values("pk"))


def schools_for(user, action):
    """The PowerSchool schools on which `user` may take `action` (through their district or their building)."""
    schools = School.objects.filter(rows_q(user, action, building_path="building"))
    if action == Action.MANAGE_SCHOOL_WRITEBACK and not user.is_superuser:
        # Where the district prevents overrides, only the district's own admins decide a school's write-back.
        schools = schools.exclude(
            Q(district__prevent_school_overrides=True) & ~Q(district__in=_district_ids(user, action))
        )
    return schools


def users_for(user, action=Action.MANAGE_USERS):
    """The accounts `user` may edit: no superuser, and every membership of the account in a district where `user`
    may take `action` (an account that also belongs to another district is that district's business too)."""
    users = get_user_model().objects.all()
    if not _signed_in(user):
        return users.none()
    if user.is_superuser:
        return users
    districts = _district_ids(user, action)
    elsewhere = Membership.objects.exclude(district__in=districts)
    in_reach = users.filter(is_superuser=False, memberships__district__in=districts).exclude(memberships__in=elsewhere)
    return users.filter(pk__in=in_reach.values("pk"))


def assignable_users(user):
    """The accounts `user` may give a role to: their districts' own. An account with no role anywhere is nobody's
    to take: a district admin who could attach one could then set its password and sign in as it. District admins
    create their people with a role in one step; only a superuser gives a stray account a district."""
    if not may(user, Action.MANAGE_MEMBERSHIPS):
        return get_user_model().objects.none()
    return users_for(user, Action.MANAGE_MEMBERSHIPS)


def districts_known_to(user):
    """The districts whose rows `user` may learn exist: those they work in. Any other district's id must answer
    as an unknown one (404), never with a refusal (403) that confirms it."""
    return districts_reached(user, Action.USE_CONSOLE)


def district_to_act_on(user, action, district_id):
    """The district `user` takes `action` in: Http404 unless it is one they know, PermissionDenied without the right."""
    district = get_object_or_404(districts_known_to(user), pk=district_id)
    if not may(user, action, district):
        raise PermissionDenied
    return district


def may(user, action, place=None):
    """Whether `user` may take `action` at `place` (a District, Building or School), or anywhere if it is None."""
    if place is None:
        return _signed_in(user) and (user.is_superuser or _memberships(user, action).exists())
    scoped = {District: districts_for, Building: buildings_for, School: schools_for}[type(place)]
    return scoped(user, action).filter(pk=place.pk).exists()


def may_use_console(user):
    """Whether `user` may enter the admin console at all (front-desk staff use the desk page only)."""
    return may(user, Action.USE_CONSOLE)
