"""Why a write-back did not happen, in the log's words: a category, a plain-language fix, and whether it retries.

PowerSchool's own errors arrive typed from the client (raptorlink/powerschool/errors.py); problems RaptorLink
finds before calling PowerSchool (no period, no code, no student id, someone else's change) are raised here as
`WritebackProblem`. `classify` turns either into the `Failure` the outbox records.
"""

import re
from dataclasses import dataclass

from raptorlink.powerschool.errors import PowerSchoolError, RecordValidationError, ThrottledError

SETUP_PAGE = "PowerSchool Setup"
PLUGIN_PAGE = "System → System Settings → Plugin Management Configuration → the RaptorLink plugin"

# Categories that clear up on their own: the outbox retries them with backoff. The rest wait for a person.
RETRYABLE = frozenset({"throttled", "unavailable", "unknown"})

HINTS = {
    "auth": (
        "PowerSchool refused RaptorLink's credentials (401 Unauthorized). Check that the RaptorLink plugin is "
        f"installed and enabled in PowerSchool ({PLUGIN_PAGE}); on PowerSchool 25.2 or later set Access Level "
        "for v1 APIs to Full Access in its Data Provider Configuration. Then check the PowerSchool URL, client "
        f"ID and client secret in {SETUP_PAGE} → Connection, and retry from the write-back log."
    ),
    "access": (
        "The PowerSchool plugin may not write some attendance fields. Download the plugin.xml from "
        f"{SETUP_PAGE}, reinstall it in PowerSchool, approve the field access it asks for, and retry."
    ),
    "student_id": (
        "Could not find the student's PowerSchool id: PowerSchool did not convert the student's DCID into "
        "their ID. Run a sync (Sync status → Sync now); if it still fails, check that the student exists in "
        "PowerSchool and was not merged or deleted, and that the roster source shares PowerSchool DCIDs."
    ),
    "not_enrolled": (
        "PowerSchool says the student is not enrolled at this school on that date. Check the student's "
        "enrollment dates in PowerSchool and that the right student was signed in, then retry."
    ),
    "year_mismatch": (
        "The attendance code belongs to another school year. RaptorLink re-imported this school's codes and "
        "still found none for this year: check that the school's attendance codes exist in PowerSchool for the "
        "current year (School Setup → Attendance Codes), sync the attendance codes, and retry."
    ),
    "mode_mismatch": (
        "The school's attendance mode in RaptorLink differs from the method set in PowerSchool (School Setup → "
        f"Attendance Preferences). Set the same mode for this school in {SETUP_PAGE} → Schools, and retry."
    ),
    "no_period": (
        "Could not find the student's period: the student has no class in PowerSchool at the time of the "
        "check-in or check-out. Check the student's schedule and the day's bell schedule in PowerSchool, "
        "sync, and retry; for a time outside class, enter the attendance in PowerSchool by hand."
    ),
    "unmapped_reason": (
        "The sign-in reason has no attendance code for this school. Map the reason to a PowerSchool code "
        "(Reasons and code mappings), then retry from the write-back log."
    ),
    "conflict": (
        "Someone changed this attendance in PowerSchool after RaptorLink wrote it, so RaptorLink left it "
        "alone. Compare PowerSchool's record with this event and decide which to keep; then mark this "
        "resolved, or retry to write RaptorLink's version."
    ),
    "throttled": (
        "PowerSchool asked RaptorLink to slow down (System Settings → Global Event Services and SIF → minimum "
        "time between API requests). RaptorLink retries on its own."
    ),
    "unavailable": (
        "PowerSchool is not answering right now (maintenance or a network problem). RaptorLink retries on its own."
    ),
    "unknown": (
        "PowerSchool gave an unexpected answer. RaptorLink retries a few times on its own; if it keeps "
        "failing, read PowerSchool's message and contact RaptorLink support with it."
    ),
}

# PowerSchool takes no attendance on a day its calendar has out of session. DESIGN.md has no category of its
# own for it; the nearest is not_enrolled (the student is not expected at that school on that date), and the
# hint says what is really wrong.
NOT_A_SCHOOL_DAY = re.compile(r"is not a school day|has no school year containing", re.IGNORECASE)
NOT_A_SCHOOL_DAY_HINT = (
    "PowerSchool's calendar has no school at this school on the event's date (a weekend, a holiday or a day "
    "outside the school year), so it takes no attendance for it; this is listed as not enrolled because the "
    "student is not expected at school that day. If the date is wrong, correct the event (the kiosk and the "
    "front desk refuse such days once the calendar is synced); if the school was in session, mark the day in "
    "session in PowerSchool (School Setup → Calendar Setup), sync, and retry."
)

WRITEBACK_OFF = f"Write-back is off for this school ({SETUP_PAGE} → Schools); enter the attendance in PowerSchool."


class WritebackProblem(Exception):
    """Something RaptorLink found out before or instead of writing; `category` is one of HINTS."""

    def __init__(self, category, message, *, hint=None):
        super().__init__(message)
        self.category = category
        self.hint = hint or HINTS[category]


@dataclass(frozen=True)
class Failure:
    category: str
    hint: str
    error: str
    status_code: int | None = None
    retry_after: float | None = None

    @property
    def retryable(self):
        return self.category in RETRYABLE


def classify(error):
    """The Failure for a WritebackProblem, a PowerSchoolError, or anything else that went wrong."""
    if isinstance(error, WritebackProblem):
        return Failure(error.category, error.hint, str(error))
    if (not_a_school_day := classify_not_a_school_day(error)) is not None:
        return not_a_school_day
    if isinstance(error, PowerSchoolError):
        category = error.category if error.category in HINTS else "unknown"
        return Failure(
            category,
            _hint_for(error, category),
            str(error),
            status_code=error.status,
            retry_after=error.retry_after if isinstance(error, ThrottledError) else None,
        )
    return Failure("unknown", HINTS["unknown"], f"{type(error).__name__}: {error}")


def classify_not_a_school_day(error):
    """not_enrolled with its own hint when PowerSchool refused a record for a day out of session."""
    if isinstance(error, RecordValidationError) and any(NOT_A_SCHOOL_DAY.search(text) for text in error.messages):
        return Failure("not_enrolled", NOT_A_SCHOOL_DAY_HINT, str(error), status_code=error.status)
    return None


def _hint_for(error, category):
    # The access error names the fields the plugin lacks; the generic hints do not.
    if category == "access" and getattr(error, "fields", None):
        return error.hint
    return HINTS[category]
