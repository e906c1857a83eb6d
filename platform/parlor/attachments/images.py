"""Images: size read from the header before any decoding, then re-encoded without metadata."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from parlor.base.conf import setting
from parlor.base.errors import ValidationFailed

PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
KEPT_INFO = ("icc_profile", "transparency")
SAVE_OPTIONS: dict[str, dict] = {
    "image/png": {},
    "image/jpeg": {"quality": 90},
    "image/gif": {},
    "image/webp": {"quality": 90},
}


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded from its pixels: no EXIF (location), no text chunks, no comments."""

    data: bytes
    width: int
    height: int


def image_clean(file: IO[bytes], *, content_type: str) -> CleanImage:
    """Check an image's dimensions from its header, then decode it and re-encode it bare."""
    image = _image_open(file, content_type=content_type)
    width, height = image.size
    if width * height > setting("ATTACHMENT_MAX_PIXELS"):
        raise ValidationFailed(
            f"the image is {width}x{height} pixels, over the limit of "
            f"{setting('ATTACHMENT_MAX_PIXELS')}; send a smaller image.",
            code="image_too_large",
        )
    try:
        image.load()
        # Photos keep their orientation once the EXIF tag that gave it is gone.
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _unreadable() from error
    output = io.BytesIO()
    # Colour and transparency survive; every other chunk of metadata is left behind.
    keep = {name: image.info[name] for name in KEPT_INFO if name in image.info}
    upright.save(output, format=PILLOW_FORMATS[content_type], **keep, **SAVE_OPTIONS[content_type])
    return CleanImage(data=output.getvalue(), width=width, height=height)


def _image_open(file: IO[bytes], *, content_type: str) -> Image.Image:
    # Image.open reads only the header; Pillow's own bomb guard is made an error here too.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(file, formats=[PILLOW_FORMATS[content_type]])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationFailed(
                "the image has too many pixels; send a smaller image.", code="image_too_large"
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise _unreadable() from error
    return image


def _unreadable() -> ValidationFailed:
    return ValidationFailed("the image cannot be read; it may be damaged.", code="image_invalid")
