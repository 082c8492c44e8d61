"""Attendance codes by text: the id differs per school and year, so it is looked up for the event's year.

A reason maps to a code *text*; a year rollover gives every code a new id. When the synced codes have no such
text for the event's year (last year's codes only), the school's codes are re-imported once and looked up again,
so the write never goes out with a stale id for PowerSchool to reject.
"""

import logging

from sis_sync.services import run_sync
from writeback.errors import WritebackProblem

logger = logging.getLogger(__name__)


def codes_reimport(district):
    """Pull the district's attendance codes from PowerSchool now."""
    run_sync(district, kind="manual", trigger="write-back", entities=["attendance_codes"])


def resolved_code_id(intent, year_id, lookups):
    """ATTENDANCE_CODE.ID for the intent's code text at its school in the year of its date."""
    if not intent.code_text:
        raise WritebackProblem("unmapped_reason", f"The reason “{intent.reason}” has no attendance code mapped.")
    found = lookups.code_id(intent.school, year_id, intent.code_text)
    if found is not None:
        return found
    logger.info("No code %r for school %s in year %s: re-importing codes", intent.code_text, intent.school, year_id)
    codes_reimport(intent.district)
    lookups.codes_reimported()
    found = lookups.code_id(intent.school, year_id, intent.code_text)
    if found is None:
        raise WritebackProblem(
            "year_mismatch",
            f"School {intent.school.number} has no attendance code “{intent.code_text}” for year {year_id} "
            "(the school year of the event), even after re-importing the codes.",
        )
    return found
