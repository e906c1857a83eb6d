"""ASGI guard of the upload route: refuse an upload over its grant's limit before reading it.

Django's ASGI handler reads a whole request body to a temporary file before any view runs,
so a view cannot refuse a 5 GB upload before it is on disk. This guard, in front of Django
(parlor.asgi), verifies the grant in the path (no database), then refuses at once a
Content-Length over the grant's limit, and otherwise reads the body no further than the
limit before handing it on. Every other request passes through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from parlor.attachments.grants import GrantError, upload_grant_verify
from parlor.base.errors import ApplicationError, PayloadTooLarge

UPLOAD_PATH_PREFIX = "/api/v1/attachments/uploads/"
UPLOAD_METHODS = frozenset({"PUT", "POST"})

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class UploadSizeGuard:
    """Wrap an ASGI HTTP application; uploads over their grant's `max_bytes` get 413 early."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") not in UPLOAD_METHODS
            or not path.startswith(UPLOAD_PATH_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        origin = ""
        try:
            grant = upload_grant_verify(path[len(UPLOAD_PATH_PREFIX) :])
            origin = grant.origin
            _declared_length_check(scope, grant.max_bytes)
            messages = await _body_read(receive, grant.max_bytes)
        except (GrantError, PayloadTooLarge) as refusal:
            await _problem_send(send, refusal, origin=origin)
            return
        await self.app(scope, _replay(messages, receive), send)


def _declared_length_check(scope: Scope, limit: int) -> None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                continue
            if declared > limit:
                raise _too_large(limit)


async def _body_read(receive: Receive, limit: int) -> list[dict[str, Any]]:
    # At most `limit` bytes are kept (the tenant's limit, 10 MiB by default).
    messages, total = [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        total += len(message.get("body", b""))
        if total > limit:
            raise _too_large(limit)
        if not message.get("more_body", False):
            return messages


def _replay(messages: list[dict[str, Any]], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> dict[str, Any]:
        return pending.pop(0) if pending else await receive()

    return replayed


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the file is over this site's limit of {limit} bytes.", code="file_too_large"
    )


async def _problem_send(send: Send, error: ApplicationError, *, origin: str) -> None:
    # The API's problem document (parlor.api.problems), spelled here: this runs before Django.
    body = json.dumps(
        {
            "type": "about:blank",
            "title": HTTPStatus(error.status).phrase,
            "status": error.status,
            "code": error.code,
            "detail": error.detail,
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        # The rest of the body is not read: the connection cannot be reused.
        (b"connection", b"close"),
    ]
    if origin:
        # The page the grant was issued to may read why its upload was refused.
        headers += [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
