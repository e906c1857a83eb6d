"""Test support for attachments: tokens, sample files, and the grant-then-upload round trip."""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib

from django.test import Client
from PIL import Image

from parlor.base.conversations import conversation_room_id
from parlor.base.identity import PrincipalKind
from tenants.tokens import token_issue

ORIGINS = {"alpha": "https://shop.alpha.example", "bravo": "https://shop.bravo.example"}


def visitor(created) -> tuple[str, str]:
    """Return (token, own conversation id) of a new visitor of the tenant `created`."""
    subject = f"v_{uuid.uuid4().hex[:20]}"
    issued = token_issue(
        tenant=created.tenant, kind=PrincipalKind.VISITOR, subject=subject, name="Vera"
    )
    return issued.token, conversation_room_id(kind=PrincipalKind.VISITOR, subject=subject)


def agent(created) -> str:
    """Return an agent token of the tenant `created`."""
    return token_issue(
        tenant=created.tenant, kind=PrincipalKind.AGENT, subject="agent-1", name="Ada"
    ).token


def headers(created, token: str, *, origin: bool = True) -> dict:
    """Return the test client's headers for a browser of the tenant with `token`."""
    answer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if origin:
        answer["HTTP_ORIGIN"] = ORIGINS[created.tenant.slug]
    return answer


def grant(client: Client, created, token: str, room: str, name: str, **extra):
    """POST a grant request; return the response."""
    return client.post(
        "/api/v1/attachments/grants",
        {"room": room, "name": name, **extra},
        content_type="application/json",
        **headers(created, token),
    )


def put(client: Client, created, upload_url: str, data: bytes, **extra):
    """PUT `data` to an upload URL from the tenant's page; return the response."""
    return client.put(
        upload_url,
        data,
        content_type="application/octet-stream",
        HTTP_ORIGIN=ORIGINS[created.tenant.slug],
        **extra,
    )


def send_file(client: Client, created, token: str, room: str, name: str, data: bytes):
    """Grant, then upload `data` as `name`; return the upload's response."""
    granted = grant(client, created, token, room, name)
    assert granted.status_code == 201, granted.content
    return put(client, created, granted.json()["upload_url"], data)


def png(width: int = 40, height: int = 30, color: str = "red") -> bytes:
    """Return a small PNG with a text chunk (metadata that must not survive)."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-metadata")
    output = io.BytesIO()
    Image.new("RGB", (width, height), color).save(output, format="PNG", pnginfo=info)
    return output.getvalue()


def jpeg_with_gps() -> bytes:
    """Return a JPEG whose EXIF names a camera and a GPS position."""
    image = Image.new("RGB", (32, 24), "blue")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def pixel_flood_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """Return a tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def zip_bomb(expanded_bytes: int = 50 * 1024 * 1024) -> bytes:
    """Return a small zip holding one file of `expanded_bytes` zeros."""
    output = io.BytesIO()
    block = b"\x00" * (1024 * 1024)
    with (
        zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(expanded_bytes // len(block)):
            member.write(block)
    return output.getvalue()


def small_zip() -> bytes:
    """Return an ordinary zip of two short text files."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", "hello " * 50)
        archive.writestr("b.txt", "world")
    return output.getvalue()


HTML_WITH_SCRIPT = (
    b"<!DOCTYPE html><html><body><script>document.title='pwned'</script></body></html>"
)


def stored_files(folder) -> list:
    """Return every file under `folder`."""
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []
