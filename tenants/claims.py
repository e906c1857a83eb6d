"""What may go into a token's claims: subject, display name, room grants and token id."""

from __future__ import annotations

import re

from parlor.base.errors import ValidationFailed
from parlor.base.groups import ROOM_ID_PATTERN
from parlor.base.text import text_is_valid

JTI_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
MAX_SUBJECT_LENGTH = 128
MAX_NAME_LENGTH = 100
MAX_ROOMS = 100
ALL_ROOMS = "*"


def claims_validate(*, subject: object, name: object, rooms: object = None) -> None:
    """Raise ValidationFailed unless subject, name and rooms can go into a token."""
    if not _is_clean_text(subject, MAX_SUBJECT_LENGTH):
        raise ValidationFailed(
            f"user_id must be 1 to {MAX_SUBJECT_LENGTH} characters, no control characters.",
            code="invalid_subject",
        )
    if not _is_clean_text(name, MAX_NAME_LENGTH):
        raise ValidationFailed(
            f"name must be 1 to {MAX_NAME_LENGTH} characters without control characters.",
            code="invalid_name",
        )
    if rooms is None:
        return
    if not isinstance(rooms, list) or len(rooms) > MAX_ROOMS:
        raise ValidationFailed(
            f"rooms must be a list of at most {MAX_ROOMS}.", code="invalid_rooms"
        )
    for room in rooms:
        if not isinstance(room, str) or not (room == ALL_ROOMS or ROOM_ID_PATTERN.fullmatch(room)):
            raise ValidationFailed(
                "each room must be '*' or 1-64 characters of A-Z a-z 0-9 _ -.",
                code="invalid_rooms",
            )


def jti_validate(jti: object) -> str:
    """Return `jti` if it can be a token id, else raise ValidationFailed."""
    if not isinstance(jti, str) or not JTI_PATTERN.fullmatch(jti):
        raise ValidationFailed(
            "jti must be 1-64 characters of A-Z a-z 0-9 _ -.", code="invalid_jti"
        )
    return jti


def _is_clean_text(value: object, max_length: int) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= max_length
        and value.strip() != ""
        and not CONTROL_CHARACTERS.search(value)
        and text_is_valid(value)
    )
