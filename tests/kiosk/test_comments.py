import pytest
from django.core.exceptions import ValidationError

from kiosk.comments import COMMENT_MAX_LENGTH, render_comment
from raptorlink.validators import validate_comment_template

VALUES = {
    "kind": "Late check-in",
    "time": "08:47",
    "date": "10/14/2026",
    "reason": "Doctor appointment",
    "source": "kiosk",
    "reference": "RL-1042",
    "note": "",
}


def test_the_default_template_reads_like_the_design():
    template = "{kind} {time} — {reason} ({source}) [{reference}]"
    assert render_comment(template, VALUES) == "Late check-in 08:47 — Doctor appointment (kiosk) [RL-1042]"


def test_every_placeholder_can_be_used():
    rendered = render_comment("{date} {time} {kind}: {reason}, {note} via {source} {reference}", VALUES)
    assert rendered == "10/14/2026 08:47 Late check-in: Doctor appointment, via kiosk RL-1042"


def test_a_note_with_line_breaks_stays_on_one_line():
    rendered = render_comment("{reason} {note}", {**VALUES, "note": "Mum called\r\nat 8:30"})
    assert rendered == "Doctor appointment Mum called at 8:30"


def test_a_long_comment_is_cut_to_what_the_outbox_holds():
    assert len(render_comment("{note}", {**VALUES, "note": "x" * 900})) == COMMENT_MAX_LENGTH


@pytest.mark.parametrize("template", ["{student}", "{kind.upper}", "{0}", "{kind:d}", "{", "}{"])
def test_a_template_that_cannot_render_falls_back_to_the_default(template):
    assert render_comment(template, VALUES) == "Late check-in 08:47 — Doctor appointment (kiosk) [RL-1042]"


def test_literal_braces_are_allowed():
    validate_comment_template("{{RaptorLink}} {reason}")
    assert render_comment("{{RaptorLink}} {reason}", VALUES) == "{RaptorLink} Doctor appointment"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{kind} {student}", "Unknown placeholder {student}"),
        ("{kind.upper}", "Unknown placeholder {kind.upper}"),
        ("{kind", "is not closed"),
    ],
)
def test_a_template_with_an_unknown_placeholder_is_refused(template, message):
    with pytest.raises(ValidationError, match=message):
        validate_comment_template(template)
