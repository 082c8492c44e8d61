"""The production profile in deploy/: its example environment passes Django's deployment checks, names only
variables the settings read, ships no secret, and gunicorn accepts its configuration under it."""

import os
import re
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
EXAMPLE = DEPLOY / "production.env.example"
SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS")


def example_variables():
    pairs = re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", EXAMPLE.read_text(), flags=re.MULTILINE)
    return {name: value.strip('"') for name, value in pairs}


def clean_environment():
    """This process's environment without anything the example sets (nor the browser tests' async switch)."""
    inherited = set(example_variables()) | {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    return {key: value for key, value in os.environ.items() if key not in inherited}


def run(*command, **env):
    return subprocess.run(
        command, cwd=settings.BASE_DIR, env={**clean_environment(), **env}, capture_output=True, text=True, timeout=120
    )


def test_the_production_example_passes_the_deploy_check_without_a_warning():
    result = run(str(DEPLOY / "check-deploy"), PYTHON=sys.executable)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_the_example_ships_no_secret():
    variables = example_variables()
    assert all(variables[name] == "" for name in SECRETS)


def test_every_variable_of_the_example_is_read_by_the_settings():
    read = (Path(settings.BASE_DIR) / "config" / "settings.py").read_text()
    unread = [name for name in example_variables() if f'"{name}"' not in read]
    assert unread == []


def test_gunicorn_accepts_its_configuration_and_loads_the_app_under_production_settings():
    production = {**example_variables(), "SECRET_KEY": "k" * 10 + "production-only-" * 4}
    production["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    result = run(gunicorn, "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py"), **production)
    assert result.returncode == 0, result.stdout + result.stderr
