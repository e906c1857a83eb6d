"""`GET /metrics`: the Prometheus exposition, for scrapers holding the metrics token."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from parlor.base.conf import setting
from parlor.observability.metrics import REGISTRY

# Gauges read at scrape time (for example the job queue's depth) register a refresher here.
SCRAPE_REFRESHERS: list[Callable[[], None]] = []


def metrics(request: HttpRequest) -> HttpResponse:
    """Answer the exposition to `Authorization: Bearer <PARLOR_METRICS_TOKEN>`; 404 if unset."""
    expected = setting("METRICS_TOKEN")
    if not expected:
        raise Http404("metrics are off: set PARLOR_METRICS_TOKEN")
    offered = request.headers.get("Authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {expected}".encode()):
        response = HttpResponse("metrics need the metrics token\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="parlor-metrics"'
        return response
    for refresh in SCRAPE_REFRESHERS:
        refresh()
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
