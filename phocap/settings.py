"""phocap settings: one module, every value from an environment variable.

Nothing configured gives the embedded mode (SQLite file, Celery eager, local-memory
cache). Setting DATABASE_URL, CELERY_BROKER_URL and CACHE_URL gives the production
mode (PostgreSQL, Redis broker with worker and beat, Redis cache). `.env.example`
lists every variable.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from phocap.envvars import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", parse_comments=True)

DEBUG = env_bool("DEBUG", default=False)

# Commands that only read code (never serve, sign or send anything) run without a
# configured SECRET_KEY/ALLOWED_HOSTS, so a plain `manage.py makemigrations --check`
# works in any checkout; everything else stops at start-up when they are missing.
# collectstatic is one of them: the image builds its static manifest with no secret.
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "showmigrations",
                    "sqlmigrate", "help", "version", "collectstatic"}
_OFFLINE = len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" and sys.argv[1] in OFFLINE_COMMANDS

SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or _OFFLINE):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(a long random string) or run with DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG/offline only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS and not _OFFLINE:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set ALLOWED_HOSTS to the comma-separated host names "
        "this site is served on, e.g. ALLOWED_HOSTS=phocap.example.gov.vn."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "simple_history",
    "import_export",
    "phocap.common",
    "phocap.areas",
    "phocap.accounts",
    "phocap.programmes",
    "phocap.api",
    "donations",
    "beneficiaries",
    "distribution",
    "followup",
    "grievances",
    "programme_coverage",
    "audit",
    "phocap.notifications",
    "phocap.exports",
    "phocap.privacy",
]

MIDDLEWARE = [
    "phocap.common.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "phocap.common.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "phocap.common.middleware.DataErrorMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # axes must be last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "phocap.urls"
WSGI_APPLICATION = "phocap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "phocap.common.context_processors.navigation",
            ],
            "builtins": ["phocap.common.templatetags.phocap"],
        },
    }
]

# --- database -----------------------------------------------------------------
try:
    DATABASES = {"default": env.db_url_config(env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
except (ValueError, KeyError, ImproperlyConfigured) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not valid ({exc}); expected postgres://user:pass@host:5432/db.") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes writers queue for the lock instead of failing mid-transaction,
    # which is what eager Celery tasks inside requests need.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20,
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# History is read per object (indexed by the object's id), never by date across objects;
# a date index would cost every bulk import one more index insert per row.
SIMPLE_HISTORY_DATE_INDEX = False

# --- cache --------------------------------------------------------------------
CACHE_URL = env_str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": CACHE_URL, "KEY_PREFIX": "phocap"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
# A task whose worker process was killed (out of memory, SIGKILL) goes back to the queue
# instead of being acknowledged as done: a coverage rebuild killed midway runs again.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", default="phocap")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# Nightly jobs. Each task is a thin wrapper around one idempotent service.
CELERY_BEAT_SCHEDULE = {
    # Proves beat → broker → worker end to end (each process also beats on its own).
    "worker-heartbeat": {
        "task": "phocap.common.tasks.worker_heartbeat_task",
        "schedule": 60.0,
    },
    "backup": {
        "task": "phocap.common.tasks.backup_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # Jobs never queued (broker down at the time) or whose worker died: queued again.
    "import-jobs-recover": {
        "task": "beneficiaries.tasks.import_jobs_recover_task",
        "schedule": 120.0,
    },
    "target-imports-recover": {
        "task": "phocap.programmes.tasks.target_imports_recover_task",
        "schedule": 120.0,
    },
    "intake-jobs-recover": {
        "task": "distribution.tasks.intake_jobs_recover_task",
        "schedule": 120.0,
    },
    # Reports, exports, inspector workbooks: every phocap.common.jobs.BackgroundJob kind.
    "background-jobs-recover": {
        "task": "phocap.common.tasks.background_jobs_recover_task",
        "schedule": 120.0,
    },
    "pledges-mark-overdue": {
        "task": "donations.tasks.pledges_mark_overdue_task",
        "schedule": crontab(hour=1, minute=0),
    },
    "idempotency-keys-prune": {
        "task": "phocap.api.tasks.idempotency_keys_prune_task",
        "schedule": crontab(hour=1, minute=30),
    },
    "devices-reconcile": {
        "task": "distribution.tasks.devices_reconcile_task",
        "schedule": crontab(hour=2, minute=0),
    },
    "notifications-scan": {
        "task": "phocap.notifications.tasks.notifications_scan_task",
        "schedule": 300.0,
    },
    "privacy-anonymise-expired": {
        "task": "phocap.privacy.tasks.privacy_anonymise_expired_task",
        "schedule": crontab(hour=4, minute=0),
    },
    "fund-reconcile": {
        "task": "donations.tasks.fund_reconcile_task",
        "schedule": crontab(hour=2, minute=10),
    },
    "coverage-rebuild-all": {
        "task": "programme_coverage.tasks.coverage_rebuild_all_task",
        "schedule": crontab(hour=3, minute=0),
    },
}

# --- auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- i18n ---------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["phocap.formats"]

# --- static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "phocap.common.storage.StaticStorage"
        if env_bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Seconds a coverage rebuild waits so a burst of changes to a commune gives one rebuild.
COVERAGE_REBUILD_DELAY_S = env_int("COVERAGE_REBUILD_DELAY_S", default=10)
# Largest spreadsheet an import accepts, in bytes.
PHOCAP_MAX_UPLOAD_BYTES = env_int("PHOCAP_MAX_UPLOAD_BYTES", default=30 * 1024 * 1024, minimum=1)
# `manage.py backup` writes dated archives here; the nightly beat task keeps the newest BACKUP_KEEP.
BACKUP_ROOT = Path(env_str("BACKUP_ROOT", default=str(BASE_DIR / "var" / "backups")))
BACKUP_KEEP = env_int("BACKUP_KEEP", default=14, minimum=1)
# How long the offline hand-out session keeps a village's personal data on the phone, in days.
PHOCAP_OFFLINE_DAYS = env_int("PHOCAP_OFFLINE_DAYS", default=3, minimum=1)

# Exports with more rows than this are built by a task (progress page) instead of in the request.
PHOCAP_EXPORT_SYNC_MAX_ROWS = env_int("PHOCAP_EXPORT_SYNC_MAX_ROWS", default=5000, minimum=1)

# --- notifications and e-mail ---------------------------------------------------
# Days after which a dispatched batch not yet confirmed is notified to both units.
PHOCAP_BATCH_CONFIRM_DAYS = env_int("PHOCAP_BATCH_CONFIRM_DAYS", default=7, minimum=1)
# Days a commune has to handle a grievance; public submissions allowed per address and hour.
PHOCAP_GRIEVANCE_DAYS = env_int("PHOCAP_GRIEVANCE_DAYS", default=15, minimum=1)
PHOCAP_GRIEVANCE_PUBLIC_PER_HOUR = env_int("PHOCAP_GRIEVANCE_PUBLIC_PER_HOUR", default=5, minimum=1)
# Reverse proxies in front of the app that append to X-Forwarded-For (the README's TLS
# proxy: 1). Public pages throttle per client address; with 0 they use the connection's
# address, which behind a proxy is the proxy's for every client.
PHOCAP_TRUSTED_PROXIES = env_int("PHOCAP_TRUSTED_PROXIES", default=0)
# Address of the site, for links in e-mails (e.g. https://phocap.backan.gov.vn).
PHOCAP_BASE_URL = env_str("PHOCAP_BASE_URL", default="")
# Embedded mode prints e-mails to the console; with EMAIL_HOST set they go through SMTP.
EMAIL_HOST = env_str("EMAIL_HOST", default="")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = env_int("EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="phocap <no-reply@localhost>")

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # {"code", "detail"} for every error (phocap/api/errors.py; docs/api.md)
    "EXCEPTION_HANDLER": "phocap.api.errors.exception_handler",
    # Browsable-API page names in the user's language (phocap/api/naming.py).
    "VIEW_NAME_FUNCTION": "phocap.api.naming.view_name",
    # Docstrings (English) as page descriptions on English pages only (phocap/api/naming.py).
    "VIEW_DESCRIPTION_FUNCTION": "phocap.api.naming.view_description",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "phocap API",
    "DESCRIPTION": ("Smartphone universalisation programmes: funds, phones, households, coverage. "
                    "Every write accepts an `Idempotency-Key: <uuid4>` header; errors are "
                    "`{\"code\", \"detail\"}` (see docs/api.md)."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every endpoint and field: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}
# Admin exports (django-import-export) escape cells a spreadsheet would run as formulas.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# --- security (check --deploy is clean with the defaults when DEBUG is off) -----
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The container's own health check calls http://127.0.0.1:8000/healthz without the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- logs (phocap.common.logs): one line per event, structured in production -----
LOG_LEVEL = env_choice("LOG_LEVEL", default="INFO", choices={"DEBUG", "INFO", "WARNING", "ERROR"})
LOG_FORMAT = env_choice("LOG_FORMAT", default="TEXT" if DEBUG else "JSON", choices={"JSON", "TEXT"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "phocap.common.logs.RequestIdFilter"},
        "expected_responses": {"()": "phocap.common.logs.ExpectedResponseFilter"},
    },
    "formatters": {
        "JSON": {"()": "phocap.common.logs.JsonFormatter"},
        "TEXT": {"()": "phocap.common.logs.KeyValueFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler would write each django.* line a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # 4xx answers are on phocap.request's line; Django would add one (a 403 with a traceback).
        "django.request": {"handlers": [], "filters": ["expected_responses"], "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # In eager mode every task would log "succeeded" into commands' output; workers keep it.
        "celery.app.trace": {"level": "INFO" if CELERY_BROKER_URL else "WARNING"},
    },
}
# Celery keeps this configuration instead of replacing the root handler with its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
