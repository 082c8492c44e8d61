import pytest
from django.core.management import CommandError, call_command

from sandbox.plugin import parse_plugin_xml


def test_the_command_prints_a_plugin_xml_the_sandbox_accepts(world, capsys):
    call_command("plugin_xml", district="lincoln")
    plugin = parse_plugin_xml(capsys.readouterr().out)
    assert plugin.oauth
    assert plugin.fields[("students", "student_number")] == "ViewOnly"
    assert plugin.fields[("attendance", "attendance_codeid")] == "FullAccess"


def test_an_unknown_district_is_named_with_the_known_ones(world):
    with pytest.raises(CommandError, match="No district with slug 'nope' \\(known: lincoln, riverside\\)"):
        call_command("plugin_xml", district="nope")
