"""Write-back log rows made with the ORM: intents (and their attempts) in the test world's two buildings."""

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from tests.kiosk.synced import add_school, add_student
from writeback.models import Attempt, Intent

NOW = datetime.fromisoformat("2026-10-14T10:00:00-05:00")
EARLIER = datetime.fromisoformat("2026-10-14T09:00:00-05:00")
_references = itertools.count(1001)


@dataclass
class LogWorld:
    north_high: object
    south_middle: object
    ada: object
    cleo: object
    ruth: object


def log_world(world):
    north_high = add_school(world.district, world.north, 101, "North High")
    south_middle = add_school(world.district, world.south, 201, "South Middle")
    riverside_high = add_school(world.other_district, world.other_building, 101, "Riverside High")
    return LogWorld(
        north_high=north_high,
        south_middle=south_middle,
        ada=add_student(north_high, 1, "Ada", "Lovelace", grade=10),
        cleo=add_student(south_middle, 3, "Cleo", "Martin", grade=0),
        ruth=add_student(riverside_high, 4, "Ruth", "Rivers", grade=12),
    )


def add_intent(student, *, status=Intent.Status.SUCCEEDED, occurred_at=EARLIER, minutes_ago=None, **fields):
    school = student.school
    occurred_at = timezone.now() - timedelta(minutes=minutes_ago) if minutes_ago is not None else occurred_at
    local = timezone.localtime(occurred_at, school.building.zone)
    reference = f"RL-{next(_references)}"
    values = {
        "district": school.district,
        "school": school,
        "building": school.building,
        "student": student,
        "kind": Intent.Kind.LATE_CHECK_IN,
        "event_ref": reference,
        "occurred_at": occurred_at,
        "att_date": local.date(),
        "seconds": local.hour * 3600 + local.minute * 60,
        "reason": "Doctor appointment",
        "code_text": "TE",
        "comment": f"Late check-in {local:%H:%M} — Doctor appointment (kiosk) [{reference}]",
        "source": "kiosk",
        "mode": "daily",
        "idempotency_key": f"{reference}:1",
        "status": status,
        "attempts": 0 if status == Intent.Status.PENDING else 1,
        "finished_at": None if status == Intent.Status.PENDING else occurred_at + timedelta(seconds=2),
    }
    return Intent.objects.create(**{**values, **fields})


def add_attempt(intent, **fields):
    values = {
        "intent": intent,
        "started_at": intent.occurred_at + timedelta(seconds=1),
        "duration_ms": 240,
        "status_code": 400,
        "response_excerpt": "Record Not Saved. : 35 doesn't match the term's year value: 36.",
        "outcome": Intent.Status.FAILED,
        "category": "year_mismatch",
    }
    return Attempt.objects.create(**{**values, **fields})
