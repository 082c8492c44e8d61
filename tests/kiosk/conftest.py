from dataclasses import dataclass
from datetime import datetime

import pytest
import time_machine

from kiosk.models import EventKind
from tests.kiosk.synced import LAST_YEAR, THIS_YEAR, add_codes, add_reason, add_school, add_student

# A Wednesday morning in the 2026-27 school year, in Lincoln's zone (America/Chicago, UTC-5 in October).
NOW = datetime.fromisoformat("2026-10-14T08:47:00-05:00")


@dataclass
class Campus:
    north_high: object
    south_middle: object
    ada: object
    ben: object
    cleo: object
    doctor: object
    bus: object
    appointment: object
    north_only: object


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campus(world, frozen):
    """North High in the north building, South Middle in the south one, students, codes and reasons."""
    north_high = add_school(world.district, world.north, 101, "North High")
    south_middle = add_school(world.district, world.south, 201, "South Middle")
    for school in (north_high, south_middle):
        add_codes(school, THIS_YEAR, ["T", "TE", "CO"])
        add_codes(school, LAST_YEAR, ["T", "TE", "CO", "TX"])
    return Campus(
        north_high=north_high,
        south_middle=south_middle,
        ada=add_student(north_high, 1, "Ada", "Lovelace", grade=10),
        ben=add_student(north_high, 2, "Ben", "Okafor", grade=11),
        cleo=add_student(south_middle, 3, "Cleo", "Martin", grade=7),
        doctor=add_reason(
            world.district, "Doctor appointment", excused=True, codes={north_high: "TE", south_middle: "TE"}
        ),
        bus=add_reason(world.district, "Late bus", codes={north_high: "T", south_middle: "T"}),
        appointment=add_reason(
            world.district, "Appointment", kind=EventKind.EARLY_CHECK_OUT, excused=True, codes={north_high: "CO"}
        ),
        north_only=add_reason(world.district, "Overslept", building=world.north, codes={north_high: "T"}),
    )
