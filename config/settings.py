"""RaptorLink settings: everything comes from the environment (or a local `.env`).

Embedded defaults need no service at all: SQLite, the django-q2 ORM broker, console e-mail and a
local-memory cache. Secrets have development defaults only while DEBUG is on; with DEBUG off the
process refuses to start without them.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Development-only secrets: well known, so never acceptable in production.
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-raptorlink"
_DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LXJhcHRvcmxpbmstMDE="


def _required_secret(name, dev_default):
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see .env.example).")


SECRET_KEY = _required_secret("SECRET_KEY", _DEV_SECRET_KEY)
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in _required_secret("FIELD_ENCRYPTION_KEYS", _DEV_FIELD_ENCRYPTION_KEY).split(",")
    if key.strip()
]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "console.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "django_filters",
    "django_tables2",
    "raptorlink",
    "sis_sync",
    "writeback",
    "kiosk",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "raptorlink.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'raptorlink.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers (web, qcluster workers) queue on
    # the busy timeout instead of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://raptorlink")}

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="RaptorLink <raptorlink@localhost>")

# --- Task queue (django-q2) -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "raptorlink",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=900),
    "catch_up": False,
    "save_limit": 1000,
    "label": "Task queue",
    # How often a worker looks for new tasks in the ORM broker's table (Redis wakes it at once): a sign-in's
    # write-back waits for this look when no drain is already running.
    "poll": env.float("Q_POLL", default=0.05),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth, i18n, static ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# --- PowerSchool client ----------------------------------------------------------------------
POWERSCHOOL_TIMEOUT = env.float("POWERSCHOOL_TIMEOUT", default=15.0)
POWERSCHOOL_MAX_RETRIES = env.int("POWERSCHOOL_MAX_RETRIES", default=3)
# A front-desk page left unused this long signs its user out (desk sessions also end when the browser closes).
DESK_IDLE_MINUTES = env.int("DESK_IDLE_MINUTES", default=30)
# Intents one drain (one task worker) keeps in flight at once, each on a thread with its own database connection:
# PostgreSQL needs Q_WORKERS × (this + 1) connections per task machine on top of the web's.
WRITEBACK_CONCURRENCY = env.int("WRITEBACK_CONCURRENCY", default=16)
# How long a drain that had work keeps looking for more before it hands its worker back.
WRITEBACK_DRAIN_LINGER_SECONDS = env.float("WRITEBACK_DRAIN_LINGER_SECONDS", default=2.0)
# Calls in flight at once to one district's PowerSchool, from every process together (a district may set its own).
POWERSCHOOL_MAX_CONCURRENT_CALLS = env.int("POWERSCHOOL_MAX_CONCURRENT_CALLS", default=32)

# --- CSV import -----------------------------------------------------------------------------
# Relative paths are taken from the project folder, not from wherever the process was started.
# Each district's drop folder is a folder inside CSV_DROP_ROOT (on the task machines, where SFTP delivers).
CSV_DROP_ROOT = BASE_DIR / env.str("CSV_DROP_ROOT", default="var/csv-drop")
# Uploaded files wait here between the preview and Apply: with several web machines, a folder they all share.
CSV_UPLOAD_DIR = BASE_DIR / env.str("CSV_UPLOAD_DIR", default="var/csv-uploads")
# The console previews an upload within the request; larger files go through the drop folder or import_csv.
CSV_UPLOAD_MAX_MB = env.int("CSV_UPLOAD_MAX_MB", default=10)

# --- Write-back ------------------------------------------------------------------------------
# E-mail the district when this many write-backs failed (or hit a conflict) within the window, unresolved.
WRITEBACK_ALERT_FAILURES = env.int("WRITEBACK_ALERT_FAILURES", default=5)
WRITEBACK_ALERT_WINDOW_MINUTES = env.int("WRITEBACK_ALERT_WINDOW_MINUTES", default=60)

# --- Kiosks ---------------------------------------------------------------------------------
# Behind a reverse proxy the kiosk's address is the last one the proxy appends to X-Forwarded-For; set this
# only then, or any client could claim an address on the building's allowlist.
KIOSK_TRUST_X_FORWARDED_FOR = env.bool("KIOSK_TRUST_X_FORWARDED_FOR", default=False)

# --- Security (production) -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"urllib3": {"level": "WARNING"}},
}
