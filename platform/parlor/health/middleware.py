"""Answers the health probes first, before django-tenants and ALLOWED_HOSTS see the request.

The tenant middleware looks the Host up in the database before any view runs, so with
PostgreSQL down every probe answered 500 HTML (issue 9, item 4), and a load balancer probing by
IP or an internal name met ALLOWED_HOSTS. A probe needs no tenant and no host: it is answered
here on any Host, and no later middleware (SSL redirect included) applies to it. /metrics is
answered here as well, behind its token (see PROBES).
"""

from __future__ import annotations

from asgiref.sync import async_to_sync, sync_to_async
from django.http import HttpRequest, HttpResponse

from parlor.base.middleware import HybridMiddleware
from parlor.health import views
from parlor.observability.views import metrics

# /metrics too: Prometheus scrapes every replica by its address over plain HTTP, so it must be
# answered on any Host and never redirected to HTTPS; the bearer token guards it instead.
PROBES = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
    "/metrics": sync_to_async(metrics),
}
PROBE_METHODS = frozenset({"GET", "HEAD"})


class HealthProbeMiddleware(HybridMiddleware):
    """Serve GET and HEAD /healthz and /readyz directly; pass everything else on."""

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._async_call(request)
        probe = probe_for(request)
        if probe is not None:
            return async_to_sync(probe)(request)
        return self.get_response(request)

    async def _async_call(self, request: HttpRequest) -> HttpResponse:
        probe = probe_for(request)
        if probe is not None:
            return await probe(request)
        return await self.get_response(request)


def probe_for(request: HttpRequest):
    """Return the probe view `request` asks for, or None."""
    if request.method not in PROBE_METHODS:
        return None
    return PROBES.get(request.path_info)
