"""The fixed test world every test can stand on.

One district (Lincoln County) with two buildings, one user per role, an outsider with no membership, and a
second district (Riverside) with its own admin, so every access check has someone to refuse.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from raptorlink.models import Building, District, Membership, PowerSchoolConnection, Role

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    district: District
    north: Building
    south: Building
    superuser: object
    district_admin: object
    building_admin: object
    front_desk: object
    it_viewer: object
    outsider: object
    other_district: District
    other_building: Building
    other_admin: object
    connection: PowerSchoolConnection

    def users_by_role(self):
        return {
            "superuser": self.superuser,
            "district_admin": self.district_admin,
            "building_admin": self.building_admin,
            "front_desk": self.front_desk,
            "it_viewer": self.it_viewer,
            "outsider": self.outsider,
            "other_admin": self.other_admin,
        }


def make_user(username, *, staff=True, superuser=False):
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        is_staff=staff or superuser,
        is_superuser=superuser,
    )


def add_member(user, district, role, buildings=()):
    membership = Membership.objects.create(user=user, district=district, role=role)
    membership.buildings.set(buildings)
    return membership


def build_world():
    district = District.objects.create(name="Lincoln County Schools", slug="lincoln", time_zone="America/Chicago")
    north = Building.objects.create(district=district, name="North Campus", time_zone="America/Chicago")
    south = Building.objects.create(district=district, name="South Campus", time_zone="America/Chicago")
    other_district = District.objects.create(name="Riverside Unified", slug="riverside", time_zone="America/Denver")
    other_building = Building.objects.create(district=other_district, name="Riverside High", time_zone="America/Denver")

    world = World(
        district=district,
        north=north,
        south=south,
        superuser=make_user("platform", superuser=True),
        district_admin=make_user("dana.admin"),
        building_admin=make_user("bo.building"),
        front_desk=make_user("frank.desk", staff=False),
        it_viewer=make_user("ivy.it"),
        outsider=make_user("olive.outsider"),
        other_district=other_district,
        other_building=other_building,
        other_admin=make_user("rita.riverside"),
        connection=PowerSchoolConnection.objects.create(
            district=district,
            base_url="https://lincoln.powerschool.com",
            client_id="8d1f5a43-0e65-4a3f-9a8e-1c2b3d4e5f60",
            client_secret="s3cr3t-lincoln-client-secret",
        ),
    )
    add_member(world.district_admin, district, Role.DISTRICT_ADMIN)
    add_member(world.building_admin, district, Role.BUILDING_ADMIN, [north])
    add_member(world.front_desk, district, Role.FRONT_DESK, [north])
    add_member(world.it_viewer, district, Role.IT_VIEWER)
    add_member(world.other_admin, other_district, Role.DISTRICT_ADMIN)
    return world
