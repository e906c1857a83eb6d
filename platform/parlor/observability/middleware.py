"""HTTP middleware that tags each request's log records with a request id and its tenant, and
writes the access log (`parlor.access`): method, path, status and duration, one line a request.

The access log names the path only: a query string may carry a credential (a careless client's
`?token=`), and any token-shaped text left in the path is scrubbed like every other record.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from parlor.base.middleware import HybridMiddleware
from parlor.observability.logs import log_context

access_log = logging.getLogger("parlor.access")

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


class RequestContextMiddleware(HybridMiddleware):
    """Sets the log context for the request and answers its id in `X-Request-ID`."""

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        started = time.perf_counter()
        with log_context(request_id=request_id, tenant=_tenant_slug(request)):
            response = self.get_response(request)
            access_logged(request, response, started)
        response[REQUEST_ID_HEADER] = request_id
        return response

    async def _acall(self, request):
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        started = time.perf_counter()
        with log_context(request_id=request_id, tenant=_tenant_slug(request)):
            response = await self.get_response(request)
            access_logged(request, response, started)
        response[REQUEST_ID_HEADER] = request_id
        return response


def access_logged(request, response, started: float) -> None:
    """Write the request's access line: method, path without its query, status, milliseconds."""
    access_log.info(
        "%s %s %d %.1fms",
        request.method,
        request.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
    )
