"""The one settings module of mamori, read from environment variables (see docs/configuration.md)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from mamori.conf import (
    ConfigError,
    database_config,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    env_timezone,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("MAMORI_DATA_DIR", "data") or "data").resolve()

DEBUG = env_bool("MAMORI_DEBUG", False)
# Demo mode: allows `mamori staff totp-code demo` (prints the demo account's second factor).
MAMORI_DEMO = env_bool("MAMORI_DEMO", False)

SECRET_KEY = env_secret("MAMORI_SECRET_KEY") or ""
if len(SECRET_KEY) < 32:
    raise ConfigError(
        "MAMORI_SECRET_KEY (or MAMORI_SECRET_KEY_FILE) must be set to a random string of at least "
        "32 characters; `mamori demo` makes one for you"
    )


def _encryption_keys() -> list[str]:
    raw = env_secret("MAMORI_ENCRYPTION_KEYS") or ""
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        raise ConfigError(
            "MAMORI_ENCRYPTION_KEYS (or MAMORI_ENCRYPTION_KEYS_FILE) must hold at least one Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'); "
            "`mamori demo` makes one for you"
        )
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(f"MAMORI_ENCRYPTION_KEYS: key {number} is not a valid Fernet key") from None
    return keys


# Identity documents and export packages are encrypted with the first key; older keys still decrypt.
MAMORI_ENCRYPTION_KEYS = _encryption_keys()

ALLOWED_HOSTS = env_list("MAMORI_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("MAMORI_CSRF_TRUSTED_ORIGINS", [])
BASE_URL = (env_str("MAMORI_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

try:  # PyMySQL stands in for mysqlclient, which needs a C toolchain and client headers.
    import MySQLdb  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
except ImportError:
    import pymysql

    pymysql.version_info = (2, 2, 1, "final", 0)
    pymysql.install_as_MySQLdb()

DATABASES = {
    "default": database_config(
        env_str("MAMORI_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'mamori.sqlite3'}",
        base_dir=Path.cwd(),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "mamori.core",
    "mamori.accounts",
    "mamori.audit",
    "mamori.catalog",
    "mamori.console",
    "mamori.api",
    "mamori.notices",
    "mamori.rights",
    "mamori.fulfilment",
    "mamori.retention",
    "mamori.consent",
    "mamori.disclosures",
    "mamori.center",
    "mamori.scanner",
    "mamori.incidents",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # django-ninja renders /api/v1/docs with its bundled Swagger UI files when it is an installed
    # app; otherwise it loads them from a CDN, which an offline install cannot reach.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "mamori.core.guard.InputGuardMiddleware",  # NUL characters and oversize bodies: 400/413, never 500
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mamori.urls"
WSGI_APPLICATION = "mamori.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:dashboard"

# Lock-out after repeated failed logins (django-axes), per account and per address.
AXES_FAILURE_LIMIT = env_int("MAMORI_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("MAMORI_LOGIN_LOCKOUT_MINUTES", 30, minimum=1) / 60
# Lock the (account, address) pair: repeated failures from one place lock that account there, and
# nobody can lock a colleague out from elsewhere just by knowing the user name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Per-account lock-out is deliberate; without this every `mamori` command prints axes.W006.
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "mamori.console.auth_views.lockout_response"

OTP_TOTP_ISSUER = env_str("MAMORI_TOTP_ISSUER", "mamori")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_timezone("MAMORI_TIME_ZONE", "Asia/Tokyo")

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
with contextlib.suppress(OSError):  # whitenoise serves from here after collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("MAMORI_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_COOKIE_SECURE = env_bool("MAMORI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env_str("MAMORI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("MAMORI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MAMORI_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("MAMORI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("MAMORI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MAMORI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("MAMORI_FROM_EMAIL", "privacy@localhost")

# The cache holds rate-limit counters. The default is per process (fine for the demo's single
# web process); several web processes must share one: MAMORI_CACHE_URL=redis://127.0.0.1:6379/0.
CACHE_URL = env_str("MAMORI_CACHE_URL", "") or ""
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ConfigError(f"MAMORI_CACHE_URL={CACHE_URL!r} must be a redis:// or rediss:// URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mamori"}
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "mamori.core.ratelimited.too_many_requests"

# Consent ledger: how long a banner choice lasts, the event API's rate limit per address, the proxy
# header carrying the visitor's country (e.g. CF-IPCountry), and the key for hashing identifiers
# (defaults to one derived from the secret key; set it to keep hashes stable across key rotation).
MAMORI_CONSENT_DAYS = env_int("MAMORI_CONSENT_DAYS", 180, minimum=1, maximum=790)
# Months of consent ledger kept (0: all); older months are dropped by the periodic ledger job.
MAMORI_CONSENT_LEDGER_MONTHS = env_int("MAMORI_CONSENT_LEDGER_MONTHS", 0, minimum=0, maximum=1200)
MAMORI_CONSENT_RATE = env_str("MAMORI_CONSENT_RATE", "300/m") or "300/m"
MAMORI_CONSENT_REGION_HEADER = env_str("MAMORI_CONSENT_REGION_HEADER", "") or ""
MAMORI_CONSENT_HASH_KEY = env_secret("MAMORI_CONSENT_HASH_KEY", "") or ""

# Audit log (docs/security.md): the chain's HMAC keys (comma-separated, newest first; older keys
# still verify the entries they made) and the Ed25519 key that signs checkpoints; both default to
# keys derived from the secret key. Checkpoints are appended to files outside the database.
MAMORI_AUDIT_KEYS = [key.strip() for key in (env_secret("MAMORI_AUDIT_KEY", "") or "").split(",") if key.strip()]
MAMORI_AUDIT_SIGNING_KEY = env_secret("MAMORI_AUDIT_SIGNING_KEY", "") or ""
MAMORI_AUDIT_CHECKPOINT_DIR = Path(
    env_str("MAMORI_AUDIT_CHECKPOINT_DIR", "") or DATA_DIR / "audit-checkpoints"
).resolve()
MAMORI_AUDIT_CHECKPOINT_MINUTES = env_int("MAMORI_AUDIT_CHECKPOINT_MINUTES", 60, minimum=1)

# Job leases (core/leases.py): a running job's worker renews its lease; once it lapses the job is
# queued again, and after this many attempts it fails visibly.
MAMORI_JOB_LEASE_SECONDS = env_int("MAMORI_JOB_LEASE_SECONDS", 120, minimum=1)
MAMORI_JOB_MAX_ATTEMPTS = env_int("MAMORI_JOB_MAX_ATTEMPTS", 3, minimum=1)

# Jobs: the embedded database worker by default; Celery workers on Redis or RabbitMQ once a broker
# is set (docs/deploy.md); "immediate" runs them inline (tests).
MAMORI_BROKER_URL = env_secret("MAMORI_BROKER_URL", "") or ""
if MAMORI_BROKER_URL and MAMORI_BROKER_URL.split(":", 1)[0] not in ("redis", "rediss", "amqp", "amqps", "pyamqp"):
    raise ConfigError("MAMORI_BROKER_URL must be a redis://, rediss://, amqp:// or amqps:// URL")
MAMORI_BROKER_QUEUE = env_str("MAMORI_BROKER_QUEUE", "mamori") or "mamori"
# Redis only: how long a job taken by a worker that died stays invisible before another gets it.
MAMORI_BROKER_VISIBILITY_TIMEOUT = env_int("MAMORI_BROKER_VISIBILITY_TIMEOUT", 3600, minimum=1, maximum=43200)
TASKS_BACKEND = env_choice(
    "MAMORI_TASKS", "celery" if MAMORI_BROKER_URL else "database", ("database", "immediate", "celery")
)
if TASKS_BACKEND == "celery" and not MAMORI_BROKER_URL:
    raise ConfigError("MAMORI_TASKS=celery needs MAMORI_BROKER_URL (redis://... or amqp://...)")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "celery": "mamori.core.celery_jobs.CeleryBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Status tokens and other secrets in URLs are blanked before any line is written (core/logredact.py).
    "filters": {"redact": {"()": "mamori.core.logredact.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "stream": sys.stderr, "filters": ["redact"]}
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("MAMORI_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
    # waitress warns "Task queue depth is N" whenever a request waits for a thread: normal under load,
    # and logging it on every request cost a third of the consent endpoint's throughput (BENCHMARKS.md).
    "loggers": {"axes": {"level": "WARNING"}, "waitress.queue": {"level": "ERROR"}},
}
