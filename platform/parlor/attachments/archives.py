"""Zip archives: checked from their central directory alone, never decompressed here."""

from __future__ import annotations

import zipfile
from typing import IO

from parlor.base.conf import setting
from parlor.base.errors import ValidationFailed

RATIO_CHECKED_FROM_BYTES = 1024 * 1024


def zip_check(file: IO[bytes]) -> None:
    """Refuse a zip that would expand too far (a zip bomb) or that cannot be read."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise ValidationFailed("the zip archive cannot be read.", code="archive_invalid") from error
    if len(members) > setting("ATTACHMENT_ZIP_MAX_MEMBERS"):
        raise _bomb(f"it has over {setting('ATTACHMENT_ZIP_MAX_MEMBERS')} files")
    expanded = sum(member.file_size for member in members)
    if expanded > setting("ATTACHMENT_ZIP_MAX_EXPANDED_BYTES"):
        raise _bomb(f"it would expand to {expanded} bytes")
    ratio = setting("ATTACHMENT_ZIP_MAX_RATIO")
    for member in members:
        # Small files may compress well (a page of spaces); a big one that does is a bomb.
        big = member.file_size > RATIO_CHECKED_FROM_BYTES
        if big and member.file_size > ratio * max(member.compress_size, 1):
            raise _bomb("a file in it is compressed more than any real document is")


def _bomb(why: str) -> ValidationFailed:
    return ValidationFailed(f"the zip archive is refused: {why}.", code="archive_refused")
