"""The attendance comment written to PowerSchool with each event, from the district's template.

The template is checked when the district saves it, but rendering must still never fail: an event is recorded
whatever the template says, so a template that cannot render falls back to the default one.
"""

import re

from raptorlink.models import DEFAULT_COMMENT_TEMPLATE
from raptorlink.validators import comment_template_problem
from writeback.models import Intent

COMMENT_MAX_LENGTH = Intent._meta.get_field("comment").max_length


def render_comment(template, values):
    """`template` filled with `values` (a dict of the placeholders), on one line and within PowerSchool's length."""
    if comment_template_problem(template):
        template = DEFAULT_COMMENT_TEMPLATE
    try:
        text = template.format_map(values)
    except ValueError:  # a format spec such as {time:d} that the value's type refuses
        text = DEFAULT_COMMENT_TEMPLATE.format_map(values)
    return re.sub(r"\s+", " ", text).strip()[:COMMENT_MAX_LENGTH]


def comment_values(event):
    local = event.local_time
    return {
        "kind": event.get_kind_display(),
        "time": f"{local:%H:%M}",
        "date": f"{local:%m/%d/%Y}",
        "reason": event.reason.label,
        "source": event.get_source_display().lower(),
        "reference": event.reference,
        "note": event.note,
    }


def event_comment(event):
    return render_comment(event.district.comment_template, comment_values(event))
