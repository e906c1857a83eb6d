"""Reading API query strings: bounded integers, choices and opaque page cursors."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from django.http import QueryDict

from parlor.base.errors import ValidationFailed
from parlor.base.text import json_decode

MAX_CURSOR_LENGTH = 256


def query_int(
    query: QueryDict, name: str, *, minimum: int, maximum: int, default: int | None = None
) -> int | None:
    """Return the query parameter `name` as an int in [minimum, maximum], `default` if absent."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise _invalid(name, minimum, maximum)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise _invalid(name, minimum, maximum)
    return value


def query_choice(query: QueryDict, name: str, choices: set[str]) -> str | None:
    """Return the query parameter `name` if it is one of `choices`, None if absent."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise ValidationFailed(
            f"{name} must be one of {', '.join(sorted(choices))}.", code="invalid_parameter"
        )
    return raw


def cursor_encode(position: tuple[datetime, str] | None) -> str | None:
    """Return an opaque cursor for a (created_at, id) position, None for no position."""
    if position is None:
        return None
    raw = json.dumps([position[0].isoformat(), position[1]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(query: QueryDict, name: str = "cursor") -> tuple[datetime, str] | None:
    """Return the (created_at, id) position of the cursor in `name`, None if absent."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) > MAX_CURSOR_LENGTH:
            raise ValueError
        decoded = json_decode(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        moment, room_id = decoded
        position = (datetime.fromisoformat(moment), room_id)
        if position[0].tzinfo is None or not isinstance(room_id, str):
            raise ValueError
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise ValidationFailed(
            "cursor is not one this API returned.", code="invalid_cursor"
        ) from None
    return position


def _invalid(name: str, minimum: int, maximum: int) -> ValidationFailed:
    return ValidationFailed(
        f"{name} must be an integer from {minimum} to {maximum}.", code="invalid_parameter"
    )
