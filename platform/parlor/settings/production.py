"""Settings for production: refuses to start without a real SECRET_KEY."""

from django.core.exceptions import ImproperlyConfigured

from parlor import env
from parlor.settings.base import *  # noqa: F403

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


SECRET_KEY = production_secret_key()
DEBUG = False
SESSION_COOKIE_SECURE = env.get_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
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
