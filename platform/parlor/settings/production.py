"""Settings for production: refuses dev defaults (no embedded database, no in-memory layer)."""

from urllib.parse import urlsplit

from parlor.settings.required import host_policy_middleware, production_environment_or_exit

# Before base is read: base would start the embedded PostgreSQL without DATABASE_URL.
production_environment_or_exit()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from parlor import env  # noqa: E402
from parlor.settings.base import *  # noqa: E402, F403
from parlor.settings.base import ALLOWED_HOSTS, MIDDLEWARE, PARLOR, PARLOR_PUBLIC_URL  # noqa: E402

MINIMUM_SECRET_KEY_LENGTH = 50


def production_secret_key() -> str:
    """Return SECRET_KEY from the environment, refusing a missing, default or short one."""
    key = env.get("SECRET_KEY")
    if not key or key.startswith("parlor-insecure") or len(key) < MINIMUM_SECRET_KEY_LENGTH:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a random string of at least "
            f"{MINIMUM_SECRET_KEY_LENGTH} characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    return key


def public_origin(url: str) -> str:
    """Return the scheme://host[:port] origin of PARLOR_PUBLIC_URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


SECRET_KEY = production_secret_key()
DEBUG = False
LOG_FORMAT = env.get("LOG_FORMAT", "json")
LOGGING = logging_config(LOG_FORMAT)  # noqa: F405

# Host policy: ALLOWED_HOSTS (required, parlor.settings.required) names the platform's own
# hosts; tenant domains are accepted because they are in the Domain table. Django's own check is
# replaced by tenants.hosts.TenantHostMiddleware, which runs first (after the probes) and answers
# 400 to any other Host, so every later get_host() (redirects, reset links) sees a vetted host.
PARLOR_PLATFORM_HOSTS = ALLOWED_HOSTS
ALLOWED_HOSTS = ["*"]
MIDDLEWARE = host_policy_middleware(MIDDLEWARE)
# The public URL's origin, plus each tenant's domains over https (TenantCsrfViewMiddleware,
# read from the Domain table): a login POST behind a TLS terminator is not refused.
CSRF_TRUSTED_ORIGINS = [public_origin(PARLOR_PUBLIC_URL)]
# W003 looks for Django's CsrfViewMiddleware by name; its subclass above is in its place.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

SESSION_COOKIE_SECURE = env.get_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# X-Forwarded-Proto is believed only behind a trusted proxy (deploy/nginx.conf sets it, and
# docker-compose.yml sets PARLOR_TRUSTED_PROXY_COUNT=1): a client reaching the app directly
# could otherwise claim https.
if PARLOR["TRUSTED_PROXY_COUNT"] > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True

# HTTPS only, behind the TLS proxy (deploy/nginx.conf sets X-Forwarded-Proto). The health probes
# are answered before SecurityMiddleware (parlor.health.middleware), so an orchestrator probing
# over plain HTTP is never redirected; they are exempt here too, should the order ever change.
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
# Tenants' dashboards are subdomains of the platform's host, all served over HTTPS.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
