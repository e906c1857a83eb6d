"""The ASGI guard refuses an upload over its grant's limit without reading the rest of it."""

from __future__ import annotations

import json

from parlor.attachments.grants import UploadGrant, upload_grant_sign
from parlor.attachments.upload_guard import UPLOAD_PATH_PREFIX, UploadSizeGuard

CHUNK = b"x" * 1024


def signed_grant(max_bytes: int, origin: str = "https://shop.alpha.example") -> str:
    return upload_grant_sign(
        UploadGrant(
            tenant_id=1,
            schema_name="alpha",
            tenant_slug="alpha",
            room="c-room",
            sender_kind="visitor",
            sender_id="v",
            sender_name="V",
            attachment_id="att_" + "A" * 22,
            name="a.bin",
            max_bytes=max_bytes,
            allowed_types=["text/plain"],
            origin=origin,
        )
    )


class Endless:
    """A client that would send body chunks forever; counts how many were read."""

    def __init__(self) -> None:
        self.reads = 0

    async def __call__(self) -> dict:
        self.reads += 1
        return {"type": "http.request", "body": CHUNK, "more_body": True}


class Recorder:
    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def __call__(self, message: dict) -> None:
        self.messages.append(message)

    def status(self) -> int:
        return self.messages[0]["status"]

    def problem(self) -> dict:
        return json.loads(self.messages[1]["body"])


async def must_not_run(scope, receive, send):
    raise AssertionError("the application must not see this request")


def scope(path: str, *, length: int | None = None, method: str = "PUT") -> dict:
    headers = [(b"content-length", str(length).encode())] if length is not None else []
    return {"type": "http", "method": method, "path": path, "headers": headers}


async def test_declared_length_over_the_limit_is_refused_before_any_read():
    client, sent = Endless(), Recorder()
    path = UPLOAD_PATH_PREFIX + signed_grant(4096)
    await UploadSizeGuard(must_not_run)(scope(path, length=5000), client, sent)
    assert client.reads == 0
    assert sent.status() == 413 and sent.problem()["code"] == "file_too_large"
    headers = dict(sent.messages[0]["headers"])
    assert headers[b"access-control-allow-origin"] == b"https://shop.alpha.example"


async def test_a_chunked_body_is_read_no_further_than_the_limit():
    client, sent = Endless(), Recorder()
    path = UPLOAD_PATH_PREFIX + signed_grant(10 * 1024)
    await UploadSizeGuard(must_not_run)(scope(path), client, sent)
    assert client.reads == 11  # 11 KiB read: one chunk past the 10 KiB limit, no more
    assert sent.status() == 413


async def test_a_forged_grant_is_refused_without_reading():
    client, sent = Endless(), Recorder()
    await UploadSizeGuard(must_not_run)(scope(UPLOAD_PATH_PREFIX + "forged"), client, sent)
    assert client.reads == 0
    assert sent.status() == 401 and sent.problem()["code"] == "grant_invalid"


async def test_an_upload_within_the_limit_reaches_the_application_whole():
    seen = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            seen.append(message.get("body", b""))
            if not message.get("more_body"):
                break

    chunks = [
        {"type": "http.request", "body": CHUNK, "more_body": True},
        {"type": "http.request", "body": CHUNK, "more_body": False},
    ]

    async def client():
        return chunks.pop(0)

    path = UPLOAD_PATH_PREFIX + signed_grant(4096)
    await UploadSizeGuard(app)(scope(path, length=2048), client, Recorder())
    assert b"".join(seen) == CHUNK * 2


async def test_other_requests_pass_untouched():
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])

    guard = UploadSizeGuard(app)
    await guard(scope("/api/v1/rooms", method="POST"), Endless(), Recorder())
    await guard(scope(UPLOAD_PATH_PREFIX + "x", method="GET"), Endless(), Recorder())
    assert reached == ["/api/v1/rooms", UPLOAD_PATH_PREFIX + "x"]
