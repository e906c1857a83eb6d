"""Which Host a request may name in production: the platform's own, or a tenant's domain.

Django's ALLOWED_HOSTS is a fixed list, but tenants add domains while the platform runs. Here a
Host is accepted when it is one of PARLOR_PLATFORM_HOSTS (the operator's ALLOWED_HOSTS) or a row
of the Domain table, looked up through a short-lived per-process cache. Anything else is
answered 400 with one log line, before any other middleware reads the Host: redirects,
password reset links and django-tenants' routing only ever see a vetted host. A reset link
therefore names the tenant's own domain, the one its schema was chosen by.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host
from django.middleware.csrf import CsrfViewMiddleware
from django_tenants.utils import remove_www

from parlor.base.db import in_public_schema
from parlor.base.middleware import HybridMiddleware
from tenants.cache import MISSING, TimedCache
from tenants.models import Domain

# A domain added or removed is seen by every process within this long.
HOST_CACHE_SECONDS = 5.0
# Unknown hosts are cached too (a scanner repeats itself); the LRU bounds what they can take.
HOST_CACHE_ENTRIES = 10_000
# A Host is logged at most this long, so a forged one cannot flood a log line.
LOGGED_HOST_CHARACTERS = 100

logger = logging.getLogger(__name__)
_known_domains = TimedCache(
    name="tenant domains", max_entries=HOST_CACHE_ENTRIES, ttl=HOST_CACHE_SECONDS
)


def domain_known(hostname: str) -> bool:
    """Return whether `hostname` (port and leading www. removed) is a tenant's domain."""
    return _known_domains.get_or_load(hostname, lambda: _domain_exists(hostname))


def _domain_exists(hostname: str) -> bool:
    return Domain.objects.filter(domain=hostname).exists()


def tenant_hostname(request: HttpRequest) -> str:
    """Return the Host as django-tenants routes by it, or "" when it is not a valid host."""
    domain, _port = split_domain_port(request._get_raw_host())
    return remove_www(domain) if domain else ""


def platform_host(hostname: str) -> bool:
    """Return whether `hostname` is one of the operator's own hosts (ALLOWED_HOSTS patterns)."""
    return bool(hostname) and validate_host(hostname, settings.PARLOR_PLATFORM_HOSTS)


def host_refused(request: HttpRequest) -> HttpResponse:
    """Log one line and answer 400 to a request whose Host nobody owns."""
    host = request.META.get("HTTP_HOST", "")[:LOGGED_HOST_CHARACTERS]
    logger.warning("request refused: host %r is neither a platform host nor a tenant domain", host)
    response = HttpResponse(
        "Bad Request: unknown host\n", status=400, content_type="text/plain; charset=utf-8"
    )
    # The line above is the one line: django.request would log every 4xx again.
    response._has_been_logged = True
    return response


class TenantHostMiddleware(HybridMiddleware):
    """Answer 400 unless the Host is a platform host or a tenant domain (see module doc)."""

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._async_call(request)
        hostname = tenant_hostname(request)
        if platform_host(hostname) or (hostname and domain_known(hostname)):
            return self.get_response(request)
        return host_refused(request)

    async def _async_call(self, request: HttpRequest) -> HttpResponse:
        hostname = tenant_hostname(request)
        if platform_host(hostname):
            return await self.get_response(request)
        known = _known_domains.get(hostname) if hostname else False
        if known is MISSING:
            known = await in_public_schema(domain_known, hostname)
        if known:
            return await self.get_response(request)
        return host_refused(request)


class TenantCsrfViewMiddleware(CsrfViewMiddleware):
    """Django's CSRF check, also trusting `https://<host>` when the host is a tenant domain."""

    # CSRF_TRUSTED_ORIGINS holds the public URL; tenant domains come and go, so they are
    # trusted here from the Domain table. Only the request's own host is trusted: one tenant's
    # origin never vouches for a POST to another tenant's domain.
    def _origin_verified(self, request: HttpRequest) -> bool:
        if super()._origin_verified(request):
            return True
        hostname = tenant_hostname(request)
        origin = request.META.get("HTTP_ORIGIN", "")
        return (
            bool(hostname) and origin == f"https://{request.get_host()}" and domain_known(hostname)
        )
