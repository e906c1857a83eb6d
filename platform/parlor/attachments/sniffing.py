"""The content type of an upload, read from its first bytes: never the client's claim."""

from __future__ import annotations

SNIFF_BYTES = 4096
OCTET_STREAM = "application/octet-stream"
# Magic numbers at offset 0, first match wins.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)
# Text that a browser would run or render as markup if it ever sniffed it (WHATWG sniffing).
HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<!--")
# Types shown inline (an <img>): raster images only, whose bytes Pillow re-encoded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
IMAGE_TYPES = INLINE_TYPES
SNIFFABLE_TYPES = frozenset(
    {kind for _, kind in SIGNATURES}
    | INLINE_TYPES
    | {"text/plain", "text/html", "image/svg+xml", OCTET_STREAM}
)


def content_type_sniff(head: bytes) -> str:
    """Return the type the first bytes `head` of a file show (OCTET_STREAM when unknown)."""
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if _is_text(head):
        return _text_kind(head)
    return OCTET_STREAM


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The cut at SNIFF_BYTES may split one character: only an error at the very end passes.
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def _text_kind(head: bytes) -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    if any(start.startswith(marker) for marker in HTML_MARKERS):
        return "text/html"
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in start):
        return "image/svg+xml"
    return "text/plain"
