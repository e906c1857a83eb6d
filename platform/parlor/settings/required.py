"""What production refuses to start without: each refusal is one line naming the variable.

Development falls back to an embedded PostgreSQL and an in-memory channel layer; in production
either would be a silent split brain (each replica its own database or its own layer), so the
production settings call `production_environment_check` before anything else is read.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from parlor import env

DATABASE_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


class MissingSetting(Exception):
    """A required environment variable is missing or malformed; the message names it."""


def url_check(name: str, schemes: frozenset[str]) -> None:
    """Raise MissingSetting unless the variable `name` is a URL of one of `schemes`."""
    value = env.get(name)
    if not value:
        raise MissingSetting(f"{name} is not set; production needs it (see docs/operations.md).")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        raise MissingSetting(f"{name} is malformed: not a URL.") from None
    if parts.scheme not in schemes:
        expected = " or ".join(f"{scheme}://" for scheme in sorted(schemes))
        raise MissingSetting(f"{name} is malformed: it must start with {expected}.")
    if parts.scheme in DATABASE_SCHEMES and not parts.path.strip("/"):
        raise MissingSetting(f"{name} is malformed: it names no database.")
    if parts.scheme in {"redis", "rediss"} and not parts.hostname:
        raise MissingSetting(f"{name} is malformed: it names no host.")


def host_policy_check() -> None:
    """Raise MissingSetting unless ALLOWED_HOSTS states the platform's own host names."""
    hosts = env.get_list("ALLOWED_HOSTS")
    if not hosts:
        raise MissingSetting(
            "ALLOWED_HOSTS is not set; list the platform's own host names (tenant domains "
            "are accepted from the Domain table), or `*` to accept every host."
        )


HOST_MIDDLEWARE = "tenants.hosts.TenantHostMiddleware"
CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
TENANT_CSRF_MIDDLEWARE = "tenants.hosts.TenantCsrfViewMiddleware"


def host_policy_middleware(middleware: list[str]) -> list[str]:
    """Return `middleware` with the Host check right after the probes, and tenant-aware CSRF."""
    # The probes (first) answer on any Host; everything after them sees a vetted one.
    vetted = [middleware[0], HOST_MIDDLEWARE, *middleware[1:]]
    return [TENANT_CSRF_MIDDLEWARE if name == CSRF_MIDDLEWARE else name for name in vetted]


def production_environment_check() -> None:
    """Raise MissingSetting for the first required variable that is missing or malformed."""
    url_check("DATABASE_URL", DATABASE_SCHEMES)
    url_check("REDIS_URL", REDIS_SCHEMES)
    host_policy_check()


def production_environment_or_exit() -> None:
    """Exit with one line on stderr when the environment lacks what production needs."""
    try:
        production_environment_check()
    except MissingSetting as error:
        # One line, no traceback: the operator reads it in `docker compose logs`.
        sys.exit(f"parlor: refusing to start: {error}")
