"""Sniffing, image cleaning and zip checks on their own."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from parlor.attachments.archives import zip_check
from parlor.attachments.images import image_clean
from parlor.attachments.sniffing import content_type_sniff
from parlor.attachments.tests.support import (
    HTML_WITH_SCRIPT,
    jpeg_with_gps,
    pixel_flood_png,
    png,
    small_zip,
    zip_bomb,
)
from parlor.base.errors import ValidationFailed


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (png()[:64], "image/png"),
        (jpeg_with_gps()[:64], "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7", "application/pdf"),
        (small_zip()[:64], "application/zip"),
        (HTML_WITH_SCRIPT, "text/html"),
        (b"  \n<ScRiPt>alert(1)</script>", "text/html"),
        (b'<?xml version="1.0"?><svg xmlns="x"/>', "image/svg+xml"),
        ("plain café text".encode(), "text/plain"),
        ("é".encode()[:1], "text/plain"),  # a character cut at the end of the sniffed head
        (b"MZ\x90\x00\x03\x00", "application/octet-stream"),
        (b"text\x00with nul", "application/octet-stream"),
    ],
)
def test_content_type_is_read_from_the_bytes(head, expected):
    assert content_type_sniff(head) == expected


def test_pixel_flood_is_refused_from_its_header():
    with pytest.raises(ValidationFailed) as refused:
        image_clean(io.BytesIO(pixel_flood_png()), content_type="image/png")
    assert refused.value.code == "image_too_large"


def test_image_over_the_pixel_setting_is_refused_before_decoding(settings):
    settings.PARLOR = {**settings.PARLOR, "ATTACHMENT_MAX_PIXELS": 100}
    with pytest.raises(ValidationFailed) as refused:
        image_clean(io.BytesIO(png(20, 20)), content_type="image/png")
    assert refused.value.code == "image_too_large"


def test_cleaned_jpeg_keeps_pixels_and_loses_exif():
    clean = image_clean(io.BytesIO(jpeg_with_gps()), content_type="image/jpeg")
    image = Image.open(io.BytesIO(clean.data))
    assert image.size == (32, 24) and (clean.width, clean.height) == (32, 24)
    assert not image.getexif() and b"SecretCam" not in clean.data


def test_a_png_claimed_as_jpeg_is_unreadable():
    with pytest.raises(ValidationFailed) as refused:
        image_clean(io.BytesIO(png()), content_type="image/jpeg")
    assert refused.value.code == "image_invalid"


def test_zip_bomb_is_refused_without_decompressing():
    bomb = zip_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(ValidationFailed) as refused:
        zip_check(io.BytesIO(bomb))
    assert refused.value.code == "archive_refused"


def test_zip_expanding_past_the_total_is_refused(settings):
    settings.PARLOR = {**settings.PARLOR, "ATTACHMENT_ZIP_MAX_EXPANDED_BYTES": 100}
    with pytest.raises(ValidationFailed) as refused:
        zip_check(io.BytesIO(small_zip()))
    assert refused.value.code == "archive_refused"


def test_damaged_zip_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        zip_check(io.BytesIO(b"PK\x03\x04" + b"\x00" * 50))
    assert refused.value.code == "archive_invalid"


def test_a_transparent_palette_png_stays_transparent():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    output = io.BytesIO()
    image.save(output, format="PNG", transparency=0)
    clean = image_clean(io.BytesIO(output.getvalue()), content_type="image/png")
    assert Image.open(io.BytesIO(clean.data)).info.get("transparency") == 0
