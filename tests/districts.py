"""Generated sandbox districts that tests share.

Generating is done once per session; each test gets its own copy of the store file, so it can write freely
without the cost of generating again. None of this touches Django's database.
"""

import datetime

from sandbox.generator import generate_district
from sandbox.store import Store

TODAY = datetime.date(2026, 10, 14)
STUDENTS = 60


def generated_store(directory, profile):
    store = Store(directory / "district.sqlite3")
    generate_district(store, seed=1, students=STUDENTS, profile=profile, today=TODAY)
    return store
