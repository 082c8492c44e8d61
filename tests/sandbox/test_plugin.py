import pytest

from sandbox.plugin import (
    PluginXmlError,
    granted_fields,
    install_plugin,
    installed_plugin,
    parse_plugin_xml,
    regenerate_credentials,
    set_enabled,
    set_options,
)
from sandbox.store import Store

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<plugin xmlns="http://plugin.powerschool.pearson.com"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xsi:schemaLocation="http://plugin.powerschool.pearson.com plugin.xsd"
        name="RaptorLink Kiosk" version="1.4.0" description="Sign-in kiosk write-back">
  <publisher name="RaptorLink"><contact email="support@raptorlink.example" phone="555-0100"/></publisher>
  <oauth/>
  <access_request>
    <field table="STUDENTS" field="DCID" access="ViewOnly"/>
    <field table="Students" field="Student_Number" access="ViewOnly"/>
    <field table="ATTENDANCE" field="ATT_COMMENT" access="FullAccess"/>
    <field table="attendance" field="att_comment" access="ViewOnly"/>
    <field table="U_KIOSK_EXT" field="BADGE" access="ViewOnly"/>
  </access_request>
</plugin>"""


def _plugin(body, root_attributes='name="Kiosk" version="1.0"'):
    return f'<plugin {root_attributes}><publisher name="Acme"/>{body}</plugin>'


def test_a_good_plugin_xml_is_parsed():
    plugin = parse_plugin_xml(GOOD)
    assert (plugin.name, plugin.version, plugin.publisher, plugin.oauth) == (
        "RaptorLink Kiosk",
        "1.4.0",
        "RaptorLink",
        True,
    )
    assert plugin.description == "Sign-in kiosk write-back"


def test_table_and_field_names_are_folded_to_lower_case_and_the_stronger_access_wins():
    fields = parse_plugin_xml(GOOD).fields
    assert fields[("students", "student_number")] == "ViewOnly"
    assert fields[("attendance", "att_comment")] == "FullAccess"


def test_fields_the_sandbox_has_no_column_for_are_reported():
    assert parse_plugin_xml(GOOD).unknown_fields() == ["u_kiosk_ext.badge"]


def test_a_plugin_xml_without_a_namespace_is_accepted():
    plugin = parse_plugin_xml(
        _plugin('<oauth></oauth><access_request><field table="CC" field="ID" access="ViewOnly"/></access_request>')
    )
    assert plugin.oauth and plugin.fields == {("cc", "id"): "ViewOnly"}


def test_bytes_with_an_encoding_declaration_are_accepted():
    assert parse_plugin_xml(GOOD.encode()).name == "RaptorLink Kiosk"


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("", "empty"),
        ("<plugin name='x'", "not well-formed"),
        ("<plugins name='x' version='1'/>", "root element must be <plugin>"),
        ("<plugin xmlns='http://example.org' name='x' version='1'><publisher name='A'/></plugin>", "root element"),
        (_plugin("", 'version="1.0"'), "name attribute is required"),
        (_plugin("", f'name="{"x" * 41}" version="1.0"'), "1 to 40 characters"),
        (_plugin("", 'name="Kiosk"'), "version attribute is required"),
        (_plugin("", 'name="Kiosk" version="one"'), "digits and dots"),
        (_plugin("", f'name="Kiosk" version="1" description="{"d" * 257}"'), "description"),
        ("<plugin name='Kiosk' version='1'><oauth/></plugin>", "needs a <publisher"),
        ("<plugin name='Kiosk' version='1'><publisher/></plugin>", "non-empty name"),
        (_plugin("<oauth/><oauth/>"), "only one <oauth>"),
        (_plugin("<settings/>"), "does not allow a <settings>"),
        (_plugin("<access_request><table name='students'/></access_request>"), "only contain <field>"),
        (
            _plugin("<access_request><field table='students' access='ViewOnly'/></access_request>"),
            "both a table and a field",
        ),
        (
            _plugin("<access_request><field table='students' field='dcid' access='Read'/></access_request>"),
            "ViewOnly or FullAccess",
        ),
        (
            _plugin(f"<access_request><field table='students' field='{'f' * 31}' access='ViewOnly'/></access_request>"),
            "30 characters",
        ),
    ],
    ids=[
        "empty",
        "not-xml",
        "wrong-root",
        "wrong-namespace",
        "no-name",
        "long-name",
        "no-version",
        "bad-version",
        "long-description",
        "no-publisher",
        "nameless-publisher",
        "duplicate-element",
        "unknown-element",
        "not-a-field",
        "field-without-field",
        "bad-access",
        "long-field",
    ],
)
def test_a_malformed_plugin_xml_is_refused_with_a_message_saying_why(xml, message):
    with pytest.raises(PluginXmlError, match=message):
        parse_plugin_xml(xml)


def test_installing_replaces_the_name_and_field_access_but_keeps_the_credentials(sandbox_store):
    before = installed_plugin(sandbox_store)
    install_plugin(sandbox_store, GOOD)
    after = installed_plugin(sandbox_store)
    assert after["name"] == "RaptorLink Kiosk"
    assert (after["client_id"], after["client_secret"]) == (before["client_id"], before["client_secret"])
    assert granted_fields(sandbox_store, "students") == {"dcid": "ViewOnly", "student_number": "ViewOnly"}
    assert granted_fields(sandbox_store, "attendance") == {"att_comment": "FullAccess"}
    assert granted_fields(sandbox_store, "cc") == {}


def test_a_plugin_without_oauth_is_not_installed(sandbox_store):
    with pytest.raises(PluginXmlError, match="no <oauth/>"):
        install_plugin(sandbox_store, _plugin(""))
    assert installed_plugin(sandbox_store)["name"] == "RaptorLink"


def test_installing_into_an_empty_store_creates_the_plugin_with_credentials(tmp_path):
    store = Store(tmp_path / "empty.sqlite3")
    install_plugin(store, GOOD)
    assert installed_plugin(store)["client_id"]


def test_disabling_and_enabling_the_plugin(sandbox_store):
    set_enabled(sandbox_store, False)
    assert installed_plugin(sandbox_store)["enabled"] == 0
    set_enabled(sandbox_store, True)
    assert installed_plugin(sandbox_store)["enabled"] == 1


def test_regenerating_credentials_replaces_them_and_revokes_issued_tokens(sandbox_store):
    before = installed_plugin(sandbox_store)
    with sandbox_store.transaction() as conn:
        conn.execute("INSERT INTO sandbox_token (token, expires_at) VALUES ('old-token', 9999999999)")
    client_id, client_secret = regenerate_credentials(sandbox_store)
    after = installed_plugin(sandbox_store)
    assert (after["client_id"], after["client_secret"]) == (client_id, client_secret)
    assert client_id != before["client_id"] and client_secret != before["client_secret"]
    assert sandbox_store.query_one("SELECT revoked FROM sandbox_token WHERE token = 'old-token'")[0] == 1


def test_plugin_options_are_validated_and_stored(sandbox_store):
    set_options(sandbox_store, min_request_interval_ms=250, reuse_token=False, max_page_size=50)
    plugin = installed_plugin(sandbox_store)
    assert (plugin["min_request_interval_ms"], plugin["reuse_token"], plugin["max_page_size"]) == (250, 0, 50)
    with pytest.raises(ValueError, match="Unknown plugin option"):
        set_options(sandbox_store, colour="blue")
    with pytest.raises(ValueError, match="Invalid value"):
        set_options(sandbox_store, max_page_size=0)


def test_managing_a_plugin_that_is_not_installed_is_refused(tmp_path):
    with pytest.raises(ValueError, match="No plugin is installed"):
        set_enabled(Store(tmp_path / "empty.sqlite3"), True)
