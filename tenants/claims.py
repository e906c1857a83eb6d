"""What may go into a token's claims: subject, display name, room grants, token id, profile."""

from __future__ import annotations

import math
import re
from typing import Any

from parlor.base.errors import ValidationFailed
from parlor.base.groups import ROOM_ID_PATTERN
from parlor.base.text import text_is_valid

JTI_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
MAX_SUBJECT_LENGTH = 128
MAX_NAME_LENGTH = 100
MAX_ROOMS = 100
ALL_ROOMS = "*"
MAX_EMAIL_LENGTH = 254
# Deliberately loose: one @, no spaces; the tenant vouches for the address by signing it.
EMAIL_PATTERN = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}")
MAX_ATTRIBUTES = 25
ATTRIBUTE_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
MAX_ATTRIBUTE_TEXT_LENGTH = 256
# A token's custom attributes: (name, value) pairs, values text, numbers or booleans.
Attributes = tuple[tuple[str, str | int | float | bool], ...]


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


def email_claim_validate(email: object) -> str:
    """Return `email` if it can be a token's `email` claim, else raise ValidationFailed."""
    if not email_is_valid(email):
        raise ValidationFailed(
            f"email must be an address of at most {MAX_EMAIL_LENGTH} characters.",
            code="invalid_email",
        )
    return str(email)


def email_is_valid(email: object) -> bool:
    """Return whether `email` looks like one e-mail address (one @, no spaces, bounded)."""
    return (
        isinstance(email, str)
        and len(email) <= MAX_EMAIL_LENGTH
        and EMAIL_PATTERN.fullmatch(email) is not None
        and _is_clean_text(email, MAX_EMAIL_LENGTH)
    )


def attributes_claim_validate(attributes: object) -> Attributes:
    """Return the `attributes` claim as sorted pairs, or raise ValidationFailed."""
    if not isinstance(attributes, dict) or len(attributes) > MAX_ATTRIBUTES:
        raise ValidationFailed(
            f"attributes must be an object of at most {MAX_ATTRIBUTES} entries.",
            code="invalid_attributes",
        )
    pairs = attributes_read(attributes)
    if len(pairs) != len(attributes):
        raise ValidationFailed(
            "each attribute name must be 1-40 characters of A-Z a-z 0-9 _ . - (a letter first),"
            f" each value text of at most {MAX_ATTRIBUTE_TEXT_LENGTH} characters, a number"
            " or a boolean.",
            code="invalid_attributes",
        )
    return pairs


def attributes_read(attributes: object) -> Attributes:
    """Return the valid entries of an `attributes` claim as sorted pairs; drop the rest."""
    if not isinstance(attributes, dict):
        return ()
    pairs = [
        (name, value)
        for name, value in attributes.items()
        if isinstance(name, str) and ATTRIBUTE_NAME_PATTERN.fullmatch(name) and _is_value(value)
    ]
    return tuple(sorted(pairs)[:MAX_ATTRIBUTES])


def _is_value(value: Any) -> bool:
    if isinstance(value, bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and (
        value == "" or _is_clean_text(value, MAX_ATTRIBUTE_TEXT_LENGTH)
    )
