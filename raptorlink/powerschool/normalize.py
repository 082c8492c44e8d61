"""PowerSchool's JSON quirks, undone in one place so the rest of RaptorLink sees one shape.

v1 resources are serialised from XML models: a repeated element with one item is an object instead of a
list, an empty expansion is "" instead of {}, nulls are left out, and the typing of ids, school numbers and
student numbers changed between versions. Table and PowerQuery rows carry every value as a string.
"""

from datetime import date
from functools import lru_cache
from operator import call

# v1 keys that hold numbers PowerSchool uses as keys (DCIDs, school numbers, counts, grade levels).
V1_INTEGER_KEYS = frozenset(
    {
        "id",
        "school_id",
        "school_number",
        "student_id",
        "section_id",
        "course_id",
        "term_id",
        "staff_id",
        "users_dcid",
        "enroll_status_code",
        "grade_level",
        "low_grade",
        "high_grade",
        "alternate_school_number",
        "start_year",
        "portion",
        "next_school",
        "sched_next_year_grade",
        "projected_graduation_year",
        "district_entry_grade_level",
        "school_entry_grade_level",
        "lunch_id",
        "fteid",
        "count",
        "timestamp",
        "plugin_id",
    }
)

# v1 keys that look numeric in some districts but are text people read or type (leading zeros matter).
V1_TEXT_KEYS = frozenset(
    {
        "local_id",
        "state_province_id",
        "section_number",
        "district_number",
        "postal_code",
        "number",
        "entry_code",
        "course_number",
        "student_username",
        "home_room",
    }
)

# Containers whose only child is a repeated element: {"school_affiliations": {"school_affiliation": …}}.
V1_REPEATED_CONTAINERS = {
    "school_affiliations": "school_affiliation",
    "counselors": "counselor",
    "fee_types": "fee_type",
    "_extension_data": "_table_extension",
}

# Keys whose value is itself the repeated element (object for one, array for many).
V1_REPEATED_KEYS = frozenset({"races", "_field", "school_affiliation", "counselor", "_table_extension"})

# Expansions PowerSchool answers with "" when empty; the envelope's own @expansions list adds to these.
KNOWN_EXPANSIONS = frozenset(
    {
        "demographics",
        "addresses",
        "alerts",
        "phones",
        "school_enrollment",
        "ethnicity_race",
        "contact",
        "contact_info",
        "initial_enrollment",
        "schedule_setup",
        "fees",
        "lunch",
        "global_id",
        "emails",
        "school_affiliations",
        "counselors",
        "term",
        "school_boundary",
        "full_time_equivalencies",
        "school_fees_setup",
    }
)


def as_list(value):
    """The repeated-element quirk undone: absent or "" → [], one object → [object], a list stays."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def expansion_names(envelope):
    """The expansions an envelope says it has ("demographics, addresses, …")."""
    listed = envelope.get("@expansions", "") if isinstance(envelope, dict) else ""
    return KNOWN_EXPANSIONS | {name.strip() for name in listed.split(",") if name.strip()}


def v1_object(item, expansions=KNOWN_EXPANSIONS):
    """One v1 object with every quirk undone: typed ids, text kept text, [] and {} for empty containers."""
    result = {}
    for key, value in item.items():
        if key.startswith("@"):
            continue
        result[key] = _v1_value(key, value, expansions)
    return result


def _v1_value(key, value, expansions):
    if key in V1_REPEATED_CONTAINERS:
        inner = value.get(V1_REPEATED_CONTAINERS[key]) if isinstance(value, dict) else None
        return [_v1_nested(element, expansions) for element in as_list(inner)]
    if key in V1_REPEATED_KEYS:
        return [_v1_nested(element, expansions) for element in as_list(value)]
    if value == "" and key in expansions:
        return {}
    if isinstance(value, dict):
        return v1_object(value, expansions)
    if isinstance(value, list):
        return [_v1_nested(element, expansions) for element in value]
    if key in V1_INTEGER_KEYS:
        return integer(value)
    if key in V1_TEXT_KEYS:
        return text(value)
    return value


def _v1_nested(element, expansions):
    return v1_object(element, expansions) if isinstance(element, dict) else element


# --- typed values for table and PowerQuery rows (every value arrives as a string) -------------------


def integer(value):
    """An int from 12, "12" or "12.0"; None for absent or ""; text that is not a number stays as it is."""
    # int() takes ints, flags, floats and digit strings alike: the one call most values need, tried first.
    try:
        return int(value)
    except (TypeError, ValueError):
        return _unusual_integer(value)


def _unusual_integer(value):
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return value


def text(value):
    """A string, or None when absent; numbers PowerSchool meant as text become text again."""
    if value is None:
        return None
    return str(value)


@lru_cache(maxsize=4096)
def day(value):
    """A date from "YYYY-MM-DD"; None for absent, "" or PowerSchool's 0000-00-00 placeholder. Remembers recent
    dates: a table's rows share a few hundred school days."""
    if not value or str(value).startswith("0000"):
        return None
    return date.fromisoformat(str(value)[:10])


def flag(value):
    """A bool from "1"/"0", 1/0, "true"/"false"; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "y", "yes")


def typed_row(values, columns):
    """Convert a row's string values with `columns` ({name: converter}); missing columns become None."""
    return row_typer(columns)(values)


def row_typer(columns):
    """`typed_row` for many rows with the same `columns`, at a third of its cost a row: a sync types every row it
    reads.

    Most rows hold a string for every column, which C-level converters take as they come (`int`, `str.__str__`,
    the cached `day`, a dict of flag texts); a row they refuse (an empty number, an absent or upper-case column, a
    value that is not a string) goes through the full converters, which give the same results for everything the
    fast ones accept."""
    names, full = tuple(columns), tuple(columns.values())
    fast = _written_out(names, [FAST_CONVERTERS.get(convert, convert) for convert in full])

    def typed(values):
        try:
            return fast(values)
        except (KeyError, TypeError, ValueError):
            return _fully_typed(values, names, full)

    return typed


def _written_out(names, converters):
    """`lambda values: {name: converter(values.get(name)), …}` written out for these columns, as namedtuple writes
    its methods: calling each converter by name takes 40 % less time than a loop over them. An absent column is
    None, which only `day` takes (as the full converters do): any other refuses it. The names are the code's
    own column names, quoted with repr."""
    namespace = {f"convert_{index}": convert for index, convert in enumerate(converters)}
    items = ", ".join(f"{name!r}: convert_{index}(values.get({name!r}))" for index, name in enumerate(names))
    return eval(f"lambda values: {{{items}}}", namespace)


def _fully_typed(values, names, converters):
    if not values.keys() >= set(names):
        # Some column is absent or not in lower case (PowerSchool's names are case-insensitive).
        values = {key.lower(): value for key, value in values.items()}
    return dict(zip(names, map(call, converters, map(values.get, names))))


# Texts `flag` reads, as PowerSchool writes them; any other value goes through `flag` itself.
FLAG_TEXTS = {"1": True, "0": False, "": None, "true": True, "false": False}
FAST_CONVERTERS = {integer: int, text: str.__str__, flag: FLAG_TEXTS.__getitem__}
