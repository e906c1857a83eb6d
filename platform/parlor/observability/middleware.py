"""HTTP middleware that tags each request's log records with a request id and its tenant."""

from __future__ import annotations

import re
import secrets

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from parlor.observability.logs import log_context

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only if it is short and plain, so a client cannot forge log lines.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_for(offered: str | None) -> str:
    """Return the proxy's `X-Request-ID` if well formed, else a new random id."""
    if offered and REQUEST_ID_PATTERN.fullmatch(offered):
        return offered
    return secrets.token_hex(8)


def _tenant_slug(request) -> str:
    tenant = getattr(request, "tenant", None)
    return getattr(tenant, "slug", "") or ""


class RequestContextMiddleware:
    """Sets the log context for the request and answers its id in `X-Request-ID`."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        with log_context(request_id=request_id, tenant=_tenant_slug(request)):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    async def _acall(self, request):
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        with log_context(request_id=request_id, tenant=_tenant_slug(request)):
            response = await self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
