import os
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "production-secret-key-for-the-deploy-check",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "raptorlink.example.org",
}


def manage(*args, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests and would (rightly) fail the deploy check.
    inherited = set(PRODUCTION) | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    result = manage("check", **{**PRODUCTION, "FIELD_ENCRYPTION_KEYS": ""})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr


def test_the_deploy_check_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_csv_import_folders_and_upload_limit_come_from_the_environment():
    names = "from django.conf import settings as s; print(s.CSV_DROP_ROOT, s.CSV_UPLOAD_DIR, s.CSV_UPLOAD_MAX_MB)"
    chosen = {"CSV_DROP_ROOT": "/srv/data/csv-drop", "CSV_UPLOAD_DIR": "shared/uploads", "CSV_UPLOAD_MAX_MB": "25"}

    result = manage("shell", "--verbosity", "0", "-c", names, **PRODUCTION, **chosen)

    # A relative folder is taken from the project folder, wherever the process starts.
    assert result.stdout.split() == ["/srv/data/csv-drop", str(settings.BASE_DIR / "shared/uploads"), "25"]


def test_the_example_environment_turns_debug_on_for_nobody():
    lines = (settings.BASE_DIR / ".env.example").read_text().splitlines()
    active = {line.split("=", 1)[0].strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}

    assert "DEBUG" not in active


def test_installing_with_make_writes_no_env_file():
    planned = subprocess.run(["make", "-n", "-B", "install"], cwd=settings.BASE_DIR, capture_output=True, text=True)

    assert planned.returncode == 0 and "pip install" in planned.stdout
    assert ".env" not in planned.stdout.replace(".env.example", "")


def test_the_demo_and_the_tests_turn_debug_on_for_themselves():
    planned = subprocess.run(["make", "-n", "-B", "run", "test"], cwd=settings.BASE_DIR, capture_output=True, text=True)

    assert "DEBUG=true .venv/bin/python manage.py run_demo" in planned.stdout
    assert "DEBUG=true .venv/bin/python -m pytest" in planned.stdout
