"""Dependencies point one way, down the stack: console → kiosk → writeback → sis_sync → raptorlink (DESIGN.md;
console is the admin site's home and setup pages, which read every app)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

FORBIDDEN = {
    "raptorlink": {"sis_sync", "writeback", "kiosk", "console", "sandbox"},
    "sis_sync": {"writeback", "kiosk", "console", "sandbox"},
    "writeback": {"kiosk", "console", "sandbox"},
    "kiosk": {"console", "sandbox"},
    "console": {"sandbox"},
}


def imported_apps(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_nothing_above_it_in_the_stack(app):
    base = Path(settings.BASE_DIR)
    offending = {
        str(path.relative_to(base)): sorted(set(imported_apps(path)) & FORBIDDEN[app])
        for path in (base / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: apps for path, apps in offending.items() if apps} == {}
