"""Who may see and change what: decided by memberships, never by Django's per-model permissions alone.

A superuser is the platform operator. Everyone else sees only the districts they hold a membership in, and
within a district what their role allows (DESIGN.md, roles).
"""

from raptorlink.models import District, Role

READ_ROLES = {Role.DISTRICT_ADMIN, Role.BUILDING_ADMIN, Role.IT_VIEWER}
MANAGE_ROLES = {Role.DISTRICT_ADMIN}


def districts_for(user, roles):
    """The districts in which `user` holds one of `roles` (all districts for a superuser)."""
    if not (user.is_active and user.is_authenticated):
        return District.objects.none()
    if user.is_superuser:
        return District.objects.all()
    return District.objects.filter(memberships__user=user, memberships__role__in=list(roles)).distinct()


def can_read(user, district):
    return districts_for(user, READ_ROLES).filter(pk=district.pk).exists()


def can_manage(user, district):
    return districts_for(user, MANAGE_ROLES).filter(pk=district.pk).exists()


CONSOLE_ROLES = {Role.DISTRICT_ADMIN, Role.BUILDING_ADMIN, Role.IT_VIEWER}


def may_use_console(user):
    """Whether `user` may enter the admin console at all (front-desk staff use the desk page only)."""
    if not (user.is_active and user.is_authenticated):
        return False
    return user.is_superuser or districts_for(user, CONSOLE_ROLES).exists()
