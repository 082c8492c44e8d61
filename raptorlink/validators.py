"""Rules for what districts type in: the PowerSchool URL (as PowerSchool's own setup pages check it) and the
attendance comment template, with one plain message per mistake."""

import ipaddress
import unicodedata
from string import Formatter
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from raptorlink.numbers import plain_number

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
EXAMPLE = "https://yourdistrict.powerschool.com"


def one_line(text):
    """`text` with every control character, line and paragraph separator turned into a space: for names of
    PowerSchool's that reach a mail header, where a line break would make the message unsendable."""
    return "".join(" " if _breaks_a_line(character) else character for character in text)


def _breaks_a_line(character):
    return unicodedata.category(character) in {"Cc", "Cf", "Zl", "Zp"}


def validate_name(text):
    """A name people type (a district, a building, a contact) is one line of printable text."""
    if any(_breaks_a_line(character) for character in text):
        raise ValidationError("Use one line of ordinary characters: no line breaks, tabs or control characters.")


def powerschool_url_problem(url):
    """Why `url` is not a usable PowerSchool base URL, or None when it is."""
    url = (url or "").strip()
    if not url:
        return "Enter the PowerSchool URL, e.g. " + EXAMPLE + "."
    if any(char.isspace() for char in url):
        return "The PowerSchool URL must not contain spaces."
    if "://" not in url:
        return f"Start the URL with https:// — e.g. https://{url.rstrip('/')}."
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    is_local = host in LOCAL_HOSTS or parts.netloc.split(":")[0].lower() in LOCAL_HOSTS
    if parts.scheme not in ("https", "http"):
        return "The PowerSchool URL must start with https://."
    if parts.scheme == "http" and not is_local:
        return "Use https:// — PowerSchool only accepts secure connections (http:// is allowed for localhost only)."
    if not host:
        return "The PowerSchool URL has no server name, e.g. " + EXAMPLE + "."
    if parts.username or parts.password:
        return "Remove the user name and password from the URL; enter the client ID and secret in their own fields."
    if parts.query or parts.fragment:
        return "Remove everything after the server name (the part starting with ? or #)."
    if parts.path == "/":
        return f"Remove the trailing slash: use {parts.scheme}://{parts.netloc}"
    if parts.path:
        return f"Use only the server address, without a path such as “{parts.path}”: {parts.scheme}://{parts.netloc}"
    if not _port_is_valid(parts):
        return "The port in the PowerSchool URL is not a number."
    if not is_local and "." not in host:
        return "The server name looks incomplete, e.g. " + EXAMPLE + "."
    return None


def _port_is_valid(parts):
    try:
        return parts.port is None or parts.port > 0
    except ValueError:
        return False


def validate_powerschool_url(url):
    problem = powerschool_url_problem(url)
    if problem:
        raise ValidationError(problem, code="invalid_powerschool_url")


COMMENT_PLACEHOLDERS = ("kind", "time", "date", "reason", "source", "reference", "note")


def comment_template_problem(template):
    """Why `template` cannot render an attendance comment, or None when it can."""
    try:
        fields = [field for _, field, _, _ in Formatter().parse(template) if field is not None]
    except ValueError:
        return "A { or } is not closed; write {{ or }} for a literal brace."
    unknown = [field for field in fields if field not in COMMENT_PLACEHOLDERS]
    if unknown:
        allowed = " ".join(f"{{{name}}}" for name in COMMENT_PLACEHOLDERS)
        return f"Unknown placeholder {{{unknown[0]}}}; use only {allowed}."
    return None


def validate_comment_template(template):
    problem = comment_template_problem(template)
    if problem:
        raise ValidationError(problem, code="invalid_comment_template")


def _network_entries(text):
    return [entry.strip() for line in (text or "").splitlines() for entry in line.split(",") if entry.strip()]


def parse_networks(text):
    """The IP networks of an allowlist, one per line or separated by commas; a single address is a /32 (or /128)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in _network_entries(text)]


def validate_networks(text):
    problems = []
    for entry in _network_entries(text):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            problems.append(f"“{entry}” is not an IP address or network such as 10.20.0.0/16.")
    if problems:
        raise ValidationError(problems)


# --- grades -------------------------------------------------------------------------------------------------------

# PowerSchool's grade levels: pre-kindergarten below zero, kindergarten 0, then 1 to 12.
GRADE_NAMES = {"PK3": -2, "PK4": -1, "PK": -1, "K": 0, "KG": 0}
LOWEST_GRADE, HIGHEST_GRADE = -2, 12
GRADE_HINT = "use PK, K or 1 to 12, e.g. 9-12 or K,1,2"


def grade_number(token):
    """The grade level `token` names (9, K, PK), or None."""
    token = token.strip().upper()
    if token in GRADE_NAMES:
        return GRADE_NAMES[token]
    number = plain_number(token)
    if number is not None and 1 <= number <= HIGHEST_GRADE:
        return number
    return None


def grade_text(grade):
    return {-2: "PK3", -1: "PK", 0: "K"}.get(grade, str(grade))


def _grade_entries(text):
    return [entry.strip() for entry in (text or "").replace(";", ",").split(",") if entry.strip()]


def _grade_entry(entry):
    """The grades of one entry ("9", "K", "9-12"), or the message that says what is wrong with it."""
    bounds = [bound.strip() for bound in entry.replace("–", "-").split("-")]
    if len(bounds) > 2 or (len(bounds) == 2 and not all(bounds)):
        return f"“{entry}” is not a grade or a range of grades; {GRADE_HINT}."
    numbers = [grade_number(bound) for bound in bounds]
    unknown = [bound for bound, number in zip(bounds, numbers, strict=True) if number is None]
    if unknown:
        return f"“{unknown[0]}” is not a grade; {GRADE_HINT}."
    low, high = numbers[0], numbers[-1]
    if low > high:
        return f"“{entry}” runs backwards; write the lower grade first, e.g. {grade_text(high)}-{grade_text(low)}."
    return list(range(low, high + 1))


def grades_problems(text):
    """One message per entry of `text` that is not a grade or a range of grades."""
    return [outcome for outcome in map(_grade_entry, _grade_entries(text)) if isinstance(outcome, str)]


def parse_grades(text):
    """The grade levels `text` lists ("9-12", "6,7,8", "K-5"), sorted, each once; blank gives []."""
    problems = grades_problems(text)
    if problems:
        raise ValidationError(problems, code="invalid_grades")
    return sorted({grade for entry in _grade_entries(text) for grade in _grade_entry(entry)})


def format_grades(grades):
    """The short text for a list of grade levels: runs of three or more as ranges ("K-5, 7")."""
    grades = sorted(set(grades or []))
    runs = []
    for grade in grades:
        if runs and grade == runs[-1][-1] + 1:
            runs[-1].append(grade)
        else:
            runs.append([grade])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{grade_text(run[0])}-{grade_text(run[-1])}")
        else:
            parts.extend(grade_text(grade) for grade in run)
    return ", ".join(parts)


def validate_grade_levels(grades):
    """A stored list of grade levels: whole numbers from PK3 (-2) to 12."""
    valid = isinstance(grades, list) and all(
        isinstance(grade, int) and LOWEST_GRADE <= grade <= HIGHEST_GRADE for grade in grades
    )
    if not valid:
        raise ValidationError(f"Grades must be a list of grade levels from {LOWEST_GRADE} (PK3) to {HIGHEST_GRADE}.")
