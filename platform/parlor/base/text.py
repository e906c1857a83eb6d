"""The one rule for text from outside: JSON decodes to valid Unicode, never a lone surrogate.

JSON lets a string escape half of a surrogate pair (`"\\ud800"`); Python decodes it to a `str`
that cannot be encoded as UTF-8, so it fails later, far from the input, in the database driver,
a group name or a log line (issue 9, item 5). Every JSON entry (REST bodies, WebSocket frames,
tokens, cursors) decodes with json_decode(), and text checked elsewhere uses text_is_valid().
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class InvalidText(ValueError):
    """JSON that is well-formed but holds a string that is not valid Unicode."""


def json_decode(raw: str | bytes) -> Any:
    """Return the value of the JSON document `raw`; raise InvalidText or ValueError if refused."""
    try:
        # orjson refuses lone surrogates and invalid UTF-8 as it parses: no second pass.
        return orjson.loads(raw)
    except orjson.JSONDecodeError as refused:
        error = refused
    # Only on orjson's refusal path: tells a lone surrogate from malformed JSON, and accepts
    # what orjson alone refuses (integers over 64 bits, NaN), as the standard library does.
    try:
        value = json.loads(raw)
    except RecursionError:
        raise error from None
    if not _all_text_valid(value):
        raise InvalidText("a string in the JSON is not valid Unicode.")
    return value


def text_is_valid(value: str) -> bool:
    """Return True if `value` is valid Unicode: it encodes as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _all_text_valid(value: Any) -> bool:
    if isinstance(value, str):
        return text_is_valid(value)
    if isinstance(value, dict):
        return all(_all_text_valid(key) and _all_text_valid(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_all_text_valid(item) for item in value)
    return True
