"""InsightBoard settings: one module, every value from the environment.

With nothing set the app runs embedded (SQLite, a filesystem Celery broker and
e-mail written to files, all under var/), so `make run` needs no services.
DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis; DEBUG=false turns on
the production checks. Every variable is documented in .env.example and the README.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


class Env(environ.Env):
    """django-environ, except that a boolean must be spelled as one.

    django-environ reads any word it doesn't know as false, so HTTPS=ture would
    quietly turn off secure cookies and HSTS; a typo here must stop the start instead.
    """

    TRUE_WORDS = ("true", "1", "yes", "on")
    FALSE_WORDS = ("false", "0", "no", "off")

    def bool(self, var, default=environ.Env.NOTSET):
        if var not in self and default is not self.NOTSET:
            return default
        value = self.str(var)
        word = value.strip().lower()
        if word not in self.TRUE_WORDS + self.FALSE_WORDS:
            raise ImproperlyConfigured(f"{var}={value!r} is not a boolean: use true or false.")
        return word in self.TRUE_WORDS


env = Env()
# A local .env is convenient in development; the process environment wins.
env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)


def embedded_dir(path: Path) -> Path:
    """A folder the embedded defaults write into, created on first use."""
    path.mkdir(parents=True, exist_ok=True)
    return path


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
    except ImproperlyConfigured:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.") from None

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # full-text search on PostgreSQL (insights/search.py)
    "insightboard",  # template tags
    "django_htmx",
    "template_partials",
    "csp",
    "axes",  # login lockouts (see AXES_* below)
    "accounts",
    "meetings",
    "insights",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out login
]

ROOT_URLCONF = "insightboard.urls"
WSGI_APPLICATION = "insightboard.wsgi.application"

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
    }
]

# --- Database -------------------------------------------------------------
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    DATABASES = {"default": env.db_url_config(f"sqlite:///{embedded_dir(VAR_DIR) / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A fresh PostgreSQL connection costs ~12 ms here and cuts throughput ~3x,
    # so connections persist and are health-checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # Several processes (web, worker, beat) share one SQLite file under `make run`.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a password for a locked-out account or address before it is checked.
    "accounts.lockout.PasswordLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Verifies the one-tap insight links in reminders (insights/links.py).
    "sesame.backends.ModelBackend",
]
# Insight links carry their own scope and die with their meeting; this bounds them too.
SESAME_MAX_AGE = 60 * 60 * 24 * 14
SESAME_TOKEN_NAME = "t"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Time -----------------------------------------------------------------
# Stored in UTC; shown in each viewer's zone (accounts.middleware).
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
LANGUAGE_CODE = "en-gb"
USE_I18N = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic output, served by WhiteNoise
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="InsightBoard <insightboard@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_OUTBOX_DIR = VAR_DIR / "mail"
if "EMAIL_URL" in env:
    # e.g. smtp+tls://user:password@smtp.example.com:587
    vars().update(env.email_url("EMAIL_URL"))
else:
    # Embedded default: each message lands in var/mail, readable at /outbox/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(embedded_dir(EMAIL_OUTBOX_DIR))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Cache (rate limits) ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Short timeouts: a Redis outage must not stall a page (rate limits fail open).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # Embedded default: in the database, so every web worker counts the same requests
    # (a per-process memory cache would let N workers through N times the limit).
    # `manage.py createcachetable` makes the table (make run does).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "insightboard_cache",
        }
    }
# Rate limits guard password resets and "send me a fresh link" (django-ratelimit,
# over this cache); when the cache is down they let requests through rather than
# lock everyone out. Password guessing is django-axes' (AXES_* below). django_ratelimit
# is used for its core function only: its system check doesn't know Django's
# built-in RedisCache.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_IP_META_KEY = "insightboard.clients.client_ip"

# --- Who is asking --------------------------------------------------------------
# How many reverse proxies you run in front of the app (a TLS terminator: 1). Each
# appends the address it saw to X-Forwarded-For; the client's address is the one the
# outermost of them saw. 0: the connecting address, and X-Forwarded-For is ignored
# (anyone can write it).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

# --- Password guessing (django-axes) -----------------------------------------------
# Every form that takes a password (the login page, the admin's, the profile's
# current-password check) goes through authenticate(), where axes counts failures
# per account, in the database (shared by every worker), and accounts/lockout.py
# counts them per client address too, with a wider limit (PASSWORDS_PER_CLIENT).
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Axes warns when it doesn't lock by address: the address limit is accounts/lockout.py's
# (wider, so one person's typos don't lock out everyone behind an office's address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# "Wait 15 minutes" means 15 minutes, even if they try again meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.lockout.username"
AXES_USERNAME_FORM_FIELD = "username"  # the login forms' field (the model's is "email")
AXES_CLIENT_IP_CALLABLE = "insightboard.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Well above the task time limit, so a running task is never redelivered.
        "visibility_timeout": 3600,
        "socket_connect_timeout": 5,
        "socket_timeout": 10,
    }
else:
    # Embedded default: kombu's filesystem transport, no server needed.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(embedded_dir(CELERY_BROKER_DIR / "queue")),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(embedded_dir(CELERY_BROKER_DIR / "control")),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # nothing reads results: no result backend
CELERY_TASK_ACKS_LATE = True  # tasks are idempotent sweeps, so a redelivery is harmless
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The dispatch tasks need the database, not the broker: a lost broker connection must
# not kill a batch half-sent (its rows would wait out their lease).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "reminders-tick": {
        "task": "reminders.tick",
        "schedule": 30,
        # A stale tick is dropped: the next one sweeps the same database.
        "options": {"expires": 25},
    },
    "early-warnings": {
        "task": "reminders.early_warnings",
        "schedule": 6 * 60 * 60,
        "options": {"expires": 60 * 60},
    },
    "close-overdue-meetings": {
        "task": "meetings.close_overdue",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    "materialise-series": {
        "task": "meetings.materialise_series",
        "schedule": 60 * 60,
        # A tick older than its interval is stale: the next one does the same work.
        "options": {"expires": 30 * 60},
    },
}

# --- Participation -------------------------------------------------------------
# Early warning: a team is decaying when its ritual was kept in less than this share
# of its last four meetings, or this many points under its own 12-week average.
EARLY_WARNING_BELOW = env.float("EARLY_WARNING_BELOW", default=0.5)
EARLY_WARNING_DROP = env.float("EARLY_WARNING_DROP", default=0.25)
# How long a claimed reminder is held by the worker sending it before another may take
# it over (reminders/dispatch.py): longer than one send, short enough that a dead
# worker's rows go out again well before a 5-minute final reminder is late.
REMINDER_LEASE_SECONDS = env.int("REMINDER_LEASE_SECONDS", default=30)

# --- Team channels (Slack, Microsoft Teams) ---------------------------------------
# Development only: accept http:// webhook addresses too. The host must still be
# Slack's or Teams' and resolve to public addresses (meetings/webhook_targets.py).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
if WEBHOOK_ALLOW_HTTP and not DEBUG:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_HTTP=true is for development: not with DEBUG off.")

# --- Security -----------------------------------------------------------------
# HTTPS=true when served behind TLS (the proxy sets X-Forwarded-Proto).
HTTPS = env.bool("HTTPS", default=False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # /healthz is probed over plain HTTP by the container health checks.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
# Every page reads the session: from the cache (Redis in production), written through
# to the database, so a Redis restart logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: every script and stylesheet is a file of ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "client_error": {"()": "insightboard.logfilters.ClientErrorWithoutTraceback"},
        "token_checks": {"()": "insightboard.logfilters.TokenChecksForAxes"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A 403 is one warning line, not a traceback (see the filter).
        "django.request": {"filters": ["client_error"]},
        # Failed logins and lockouts (warnings), not every successful login.
        "axes": {"level": "WARNING"},
        # A one-tap link is checked by authenticate() without a request; axes can't
        # count it (and needn't: it is a signed token) and says so as an error.
        "axes.handlers.database": {"filters": ["token_checks"]},
    },
}
