"""What can go wrong when talking to PowerSchool, as typed errors the log can explain.

Every error carries a `category` (the write-back log's vocabulary), whether repeating the same request
later may succeed without a person fixing something (`retryable`), and a plain-language `hint` with the
fix. Messages name the method, path and status of the failed call and never a secret or a token.
"""

import re

from raptorlink.powerschool.normalize import as_list

GENERIC_VALIDATION_MESSAGE = "Validation Failed"
PLUGIN_PAGE = "System → System Settings → Plugin Management Configuration → the RaptorLink plugin"


class PowerSchoolError(Exception):
    category = "unknown"
    retryable = False
    hint = "Try again later; if it keeps failing, contact RaptorLink support with this message."

    def __init__(self, message, *, method="", path="", status=None, hint=None):
        self.method = method
        self.path = path
        self.status = status
        if hint:
            self.hint = hint
        super().__init__(self._describe(message))

    def _describe(self, message):
        call = " ".join(part for part in (self.method, self.path) if part)
        status = f" → {self.status}" if self.status is not None else ""
        return f"{message} ({call}{status})" if call else message

    def __repr__(self):
        return f"{type(self).__name__}({str(self)!r}, category={self.category!r})"


class AuthError(PowerSchoolError):
    """PowerSchool refused the credentials or the token (HTTP 401)."""

    category = "auth"
    hint = (
        "Check the PowerSchool URL, client ID and client secret in PowerSchool Setup, and that the plugin is "
        f"enabled in PowerSchool ({PLUGIN_PAGE} → Data Provider Configuration shows the current ID and secret)."
    )


class AccessError(PowerSchoolError):
    """The plugin lacks access to some fields (HTTP 403, or PowerQuery "No access to the field")."""

    category = "access"

    def __init__(self, message, *, fields=(), **kwargs):
        self.fields = sorted(set(fields))
        kwargs.setdefault("hint", self._hint_for(self.fields, kwargs.get("path", "")))
        super().__init__(message, **kwargs)

    @staticmethod
    def _hint_for(fields, path):
        if fields:
            return (
                f"The PowerSchool plugin has no access to {', '.join(fields)}. Download the plugin.xml from "
                "RaptorLink, reinstall it in PowerSchool and approve the field access."
            )
        if path.startswith("/ws/v1/"):
            return (
                "Set Access Level for v1 APIs to Full Access in the plugin's Data Provider Configuration "
                f"({PLUGIN_PAGE})."
            )
        return "Reinstall the plugin.xml from RaptorLink in PowerSchool and approve the field access it asks for."


class NotFoundError(PowerSchoolError):
    """The record, table or resource does not exist (HTTP 404)."""

    hint = "The record may have been deleted in PowerSchool; run a sync to refresh RaptorLink's copy."


class ConflictError(PowerSchoolError):
    """PowerSchool refused a change because of the record's current state (HTTP 409)."""

    category = "conflict"
    hint = "Someone changed this record in PowerSchool; compare both versions and decide which one to keep."


YEAR_MISMATCH = re.compile(r"doesn't match the term's year value", re.IGNORECASE)
NOT_ENROLLED = re.compile(r"isn't enrolled on", re.IGNORECASE)
MODE_MISMATCH = re.compile(r"set as the method to use", re.IGNORECASE)

VALIDATION_CATEGORIES = [
    (
        YEAR_MISMATCH,
        "year_mismatch",
        "The attendance code belongs to another school year. Re-import the attendance codes for this year "
        "(sync now) and retry.",
    ),
    (
        NOT_ENROLLED,
        "not_enrolled",
        "PowerSchool says the student is not enrolled at this school on that date. Check the student's "
        "enrollment dates in PowerSchool, and that the right student was chosen.",
    ),
    (
        MODE_MISMATCH,
        "mode_mismatch",
        "The building's attendance mode in RaptorLink differs from the school's attendance method in "
        "PowerSchool (Attendance Preferences). Make them match in PowerSchool Setup and retry.",
    ),
]


class RecordValidationError(PowerSchoolError):
    """PowerSchool rejected the payload (HTTP 400, or a result with status ERROR); `messages` are its words
    and `body` its whole answer (attendance writes report each record's outcome in it)."""

    def __init__(self, messages, *, body=None, **kwargs):
        self.body = body or {}
        self.messages = [text for text in messages if text] or ["PowerSchool rejected the record."]
        self.category, hint = self._classify(self.messages)
        kwargs.setdefault("hint", hint)
        super().__init__("; ".join(self.messages), **kwargs)

    @staticmethod
    def _classify(messages):
        for pattern, category, hint in VALIDATION_CATEGORIES:
            if any(pattern.search(text) for text in messages):
                return category, hint
        return "unknown", "Read PowerSchool's message above; correct the record and retry from the log."


class StudentIdError(PowerSchoolError):
    """A student DCID has no STUDENTS.ID in PowerSchool."""

    category = "student_id"
    hint = (
        "PowerSchool does not know this student's DCID. Run a sync; if the student still fails, check that "
        "the student exists in PowerSchool and was not merged or deleted."
    )


class ThrottledError(PowerSchoolError):
    """PowerSchool asked us to slow down (HTTP 429); `retry_after` is its wait in seconds."""

    category = "throttled"
    retryable = True
    hint = (
        "PowerSchool limits how often the plugin may call it (System Settings → Global Event Services and SIF → "
        "minimum time between API requests). RaptorLink retries on its own."
    )

    def __init__(self, message, *, retry_after=None, **kwargs):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class UnavailableError(PowerSchoolError):
    """PowerSchool did not answer usefully: 5xx, timeout, connection error.

    `may_have_been_applied` is set when a write was sent but its answer was lost: the caller must read back
    before sending it again unless the write is an idempotent upsert.
    """

    category = "unavailable"
    retryable = True
    hint = "PowerSchool is not answering right now (maintenance or a network problem). RaptorLink retries on its own."

    def __init__(self, message, *, may_have_been_applied=False, **kwargs):
        self.may_have_been_applied = may_have_been_applied
        super().__init__(message, **kwargs)


class UnexpectedResponseError(PowerSchoolError):
    """The server answered, but not the way PowerSchool does (not JSON, an unknown status, a wrong shape)."""

    hint = (
        "The address answered, but not like PowerSchool. Check that the PowerSchool URL is the address you "
        "log in to PowerSchool with."
    )


def error_messages(body):
    """Every human message in a PowerSchool error body, in the order given."""
    messages = []
    if isinstance(body.get("message"), str):
        messages.append(body["message"])
    for error in as_list(body.get("errors")):
        if isinstance(error, dict):
            messages.append(error.get("error_description") or error.get("message") or _describe_error(error))
    for result in as_list(body.get("result")):
        messages.extend(result_error_messages(result))
    specific = [message for message in messages if message and message != GENERIC_VALIDATION_MESSAGE]
    return specific or [message for message in messages if message]


def result_error_messages(result):
    """The messages of one `result[]` entry with status ERROR."""
    if not isinstance(result, dict):
        return []
    errors = (result.get("error_message") or {}).get("error")
    return [
        (error.get("error_description") or error.get("message") or _describe_error(error))
        if isinstance(error, dict)
        else str(error)
        for error in as_list(errors)
    ]


def _describe_error(error):
    return " ".join(str(error[key]) for key in ("field", "code") if error.get(key))
