"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, JsonResponse

from parlor.chat.fanout import channel_layer_check

PROBE_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)


async def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the process can serve requests at all."""
    return JsonResponse({"status": "ok"})


async def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database and the channel layer answer, else 503 with the reason."""
    checks = {"database": _database_ready, "channel_layer": _channel_layer_ready}
    failures = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), PROBE_TIMEOUT_SECONDS)
        except Exception as error:  # any failure means "not ready"; the log keeps the detail
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            failures[name] = "unreachable"
    if failures:
        response = JsonResponse({"status": "unavailable", "failures": failures}, status=503)
        # An expected answer during an outage, already logged above as a warning per check:
        # django.request would add an ERROR line for every probe of every load balancer.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    return JsonResponse({"status": "ready"})


@database_sync_to_async
def _database_ready() -> None:
    try:
        _select_one()
    except (OperationalError, InterfaceError):
        # The connection may have died with an earlier database outage; Django would discard
        # it only after this failure. Readiness is about the database, so ask a fresh one.
        connection.close()
        _select_one()


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _channel_layer_ready() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # A round trip through the layer to this process's fan-out, as live delivery needs it.
    await channel_layer_check(layer)
