"""The installed plugin: parsing a plugin.xml (powerschool-api.md §10) and managing credentials and field access.

Parsing follows PowerSchool's plugin.xsd closely enough that a plugin.xml the sandbox accepts installs on a
real server, and every refusal says exactly what to fix. Table and field names are case-insensitive in
PowerSchool; the store keeps them lower-case.
"""

import re
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from sandbox import schema
from sandbox.access import FULL_ACCESS, VIEW_ONLY, granted_fields

__all__ = [
    "PluginXmlError",
    "PluginDescriptor",
    "parse_plugin_xml",
    "install_plugin",
    "set_enabled",
    "regenerate_credentials",
    "set_options",
    "granted_fields",
    "installed_plugin",
]

NAMESPACE = "http://plugin.powerschool.pearson.com"
CHILD_ELEMENTS = {
    "registration",
    "oauth",
    "access_request",
    "openid",
    "saml",
    "links",
    "publisher",
    "autoinstall",
    "identityAttribute",
}
ACCESS_LEVELS = (VIEW_ONLY, FULL_ACCESS)
VERSION_PATTERN = re.compile(r"^\d+(\.\d+)*$")


def _whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# The Plugin Management settings an administrator can change, each with its check.
OPTIONS = {
    "dataversion_app": lambda value: isinstance(value, str) and 0 < len(value.strip()) <= 40,
    "v1_access_level": lambda value: value in ("FULL", "RESTRICTED"),
    "min_request_interval_ms": _whole_number,
    "token_lifetime_s": lambda value: _whole_number(value) and value > 0,
    "reuse_token": lambda value: isinstance(value, bool),
    "max_page_size": lambda value: _whole_number(value) and value > 0,
    "max_table_page_size": lambda value: _whole_number(value) and value > 0,
}


class PluginXmlError(ValueError):
    """A plugin.xml PowerSchool would refuse to install; the message names the problem."""


@dataclass
class PluginDescriptor:
    name: str
    version: str
    description: str
    publisher: str
    oauth: bool
    fields: dict = field(default_factory=dict)  # (table, field) -> access, lower-case names

    def unknown_fields(self):
        """Requested fields the sandbox has no column for: granted, but nothing will ever read them."""
        unknown = []
        for table, column in self.fields:
            if table not in schema.POWERSCHOOL_TABLES or column not in schema.columns(table):
                unknown.append(f"{table}.{column}")
        return unknown


def parse_plugin_xml(xml_text):
    """A PluginDescriptor for a plugin.xml's text, or PluginXmlError saying what is wrong with it."""
    root = _parse(xml_text)
    namespace, tag = _split_tag(root.tag)
    if tag != "plugin" or namespace not in ("", NAMESPACE):
        raise PluginXmlError(f"The root element must be <plugin> (namespace {NAMESPACE} or none), not <{root.tag}>")
    children = _children(root, namespace)
    publisher = children.get("publisher")
    if publisher is None:
        raise PluginXmlError('<plugin> needs a <publisher name="..."> element')
    if not publisher.get("name", "").strip():
        raise PluginXmlError("<publisher> needs a non-empty name attribute")
    return PluginDescriptor(
        name=_name(root),
        version=_version(root),
        description=_description(root),
        publisher=publisher.get("name").strip(),
        oauth="oauth" in children,
        fields=_fields(children.get("access_request"), namespace),
    )


def _parse(xml_text):
    if isinstance(xml_text, bytes):
        xml_text = xml_text.decode("utf-8-sig", errors="replace")
    if not xml_text or not xml_text.strip():
        raise PluginXmlError("The plugin.xml is empty")
    try:
        # ElementTree refuses an encoding declaration on a str, so parse the bytes.
        return ElementTree.fromstring(xml_text.strip().encode("utf-8"))
    except ElementTree.ParseError as error:
        raise PluginXmlError(f"The plugin.xml is not well-formed XML: {error}") from error


def _split_tag(tag):
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _children(root, namespace):
    children = {}
    for child in root:
        child_namespace, tag = _split_tag(child.tag)
        if child_namespace != namespace or tag not in CHILD_ELEMENTS:
            raise PluginXmlError(
                f"<plugin> does not allow a <{tag}> element; allowed: {', '.join(sorted(CHILD_ELEMENTS))}"
            )
        if tag in children:
            raise PluginXmlError(f"<plugin> may contain only one <{tag}> element")
        children[tag] = child
    return children


def _name(root):
    name = root.get("name", "").strip()
    if not 1 <= len(name) <= 40:
        raise PluginXmlError(
            f"The plugin's name attribute is required and must be 1 to 40 characters (got {len(name)})"
        )
    return name


def _version(root):
    version = root.get("version", "").strip()
    if not version:
        raise PluginXmlError('The plugin\'s version attribute is required, e.g. version="1.0.0"')
    if len(version) > 20 or not VERSION_PATTERN.match(version):
        raise PluginXmlError(f"The plugin's version must be digits and dots, at most 20 characters (got {version!r})")
    return version


def _description(root):
    description = root.get("description", "")
    if len(description) > 256:
        raise PluginXmlError(f"The plugin's description must be at most 256 characters (got {len(description)})")
    return description


def _fields(access_request, namespace):
    """{(table, field): access}; a field requested twice keeps the stronger access."""
    fields = {}
    if access_request is None:
        return fields
    for position, element in enumerate(access_request, start=1):
        element_namespace, tag = _split_tag(element.tag)
        if tag != "field" or element_namespace != namespace:
            raise PluginXmlError(
                f"<access_request> may only contain <field> elements, found <{tag}> at position {position}"
            )
        table, column, access = (element.get(name, "").strip() for name in ("table", "field", "access"))
        where = f"<field> {position} ({table or '?'}.{column or '?'})"
        if not table or not column:
            raise PluginXmlError(f"{where} needs both a table and a field attribute")
        if len(table) > 30 or len(column) > 30:
            raise PluginXmlError(f"{where}: table and field names are at most 30 characters")
        if access not in ACCESS_LEVELS:
            raise PluginXmlError(f"{where}: access must be ViewOnly or FullAccess, not {access!r}")
        key = (table.lower(), column.lower())
        if fields.get(key) != FULL_ACCESS:
            fields[key] = access
    return fields


def install_plugin(store, xml_text):
    """Install a plugin.xml as the sandbox's plugin: new name and field access, the same credentials."""
    descriptor = parse_plugin_xml(xml_text)
    if not descriptor.oauth:
        raise PluginXmlError(
            "The plugin.xml has no <oauth/> element, so PowerSchool would issue it no client credentials"
        )
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM sandbox_plugin").fetchone() is None:
            conn.execute(
                "INSERT INTO sandbox_plugin (plugin_id, name, client_id, client_secret, dataversion_app) VALUES (?, ?, ?, ?, ?)",
                (1, descriptor.name, str(uuid.uuid4()), str(uuid.uuid4()), descriptor.name),
            )
        conn.execute("UPDATE sandbox_plugin SET name = ?", (descriptor.name,))
        conn.execute("DELETE FROM sandbox_field_access")
        conn.executemany(
            "INSERT INTO sandbox_field_access (table_name, field_name, access) VALUES (?, ?, ?)",
            [(table, column, access) for (table, column), access in descriptor.fields.items()],
        )
    return descriptor


def set_enabled(store, enabled):
    """Enable or disable the plugin; a disabled plugin's credentials and tokens stop working."""
    with store.transaction() as conn:
        _require_plugin(conn)
        conn.execute("UPDATE sandbox_plugin SET enabled = ?", (int(bool(enabled)),))


def regenerate_credentials(store):
    """New client id and secret, as PowerSchool's Data Provider Configuration page does (21.11.2.0+).

    The old pair stops working, and so do the tokens it was issued. Returns (client_id, client_secret).
    """
    client_id, client_secret = str(uuid.uuid4()), str(uuid.uuid4())
    with store.transaction() as conn:
        _require_plugin(conn)
        conn.execute("UPDATE sandbox_plugin SET client_id = ?, client_secret = ?", (client_id, client_secret))
        conn.execute("UPDATE sandbox_token SET revoked = 1")
    return client_id, client_secret


def set_options(store, **options):
    """Change Plugin Management settings such as the token lifetime, page sizes or the request interval."""
    for name, value in options.items():
        if name not in OPTIONS:
            raise ValueError(f"Unknown plugin option {name!r}; known: {', '.join(OPTIONS)}")
        if not OPTIONS[name](value):
            raise ValueError(f"Invalid value {value!r} for plugin option {name}")
    if not options:
        return
    with store.transaction() as conn:
        _require_plugin(conn)
        assignments = ", ".join(f"{name} = ?" for name in options)
        conn.execute(
            f"UPDATE sandbox_plugin SET {assignments}", [int(v) if isinstance(v, bool) else v for v in options.values()]
        )


def installed_plugin(store):
    """The plugin row as a dict, or None when no plugin is installed."""
    row = store.query_one("SELECT * FROM sandbox_plugin ORDER BY plugin_id LIMIT 1")
    return dict(row) if row else None


def _require_plugin(conn):
    if conn.execute("SELECT 1 FROM sandbox_plugin").fetchone() is None:
        raise ValueError("No plugin is installed; generate a district or install a plugin.xml first")
