"""Structured logs: one JSON object a line, with the request or socket and its tenant.

Every record passes through `scrub`, so a token or key that reaches a log call by mistake is
redacted before it is written: JWTs, `sk_`/`whsec_` secrets and token subprotocols.
"""

from __future__ import annotations

import contextvars
import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import orjson

REDACTED = "[redacted]"
SECRETS = re.compile(
    r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"  # a JWT (header.payload.sig)
    r"|\b(?:sk|whsec)_[A-Za-z0-9_-]{8,}"  # secret API keys and webhook secrets
    r"|parlor\.token\.[^\s,;\"']+"  # a token offered as a subprotocol
)
CONTEXT_FIELDS = ("request_id", "socket_id", "tenant")
_context: dict[str, contextvars.ContextVar[str]] = {
    name: contextvars.ContextVar(f"parlor_log_{name}", default="") for name in CONTEXT_FIELDS
}


def scrub(text: str) -> str:
    """Return `text` with every token and secret it contains replaced by "[redacted]"."""
    return SECRETS.sub(REDACTED, text)


@contextmanager
def log_context(**values: str) -> Iterator[None]:
    """Tag every record logged inside the block with `values` (request_id, socket_id, tenant)."""
    tokens = [(_context[name], _context[name].set(value)) for name, value in values.items()]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def log_context_set(**values: str) -> None:
    """Tag the rest of the current task's records (a socket's lifetime) with `values`."""
    for name, value in values.items():
        _context[name].set(value)


class ContextFilter(logging.Filter):
    """Adds the current request, socket and tenant to every record, and scrubs its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in CONTEXT_FIELDS:
            setattr(record, name, _context[name].get())
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message and its context."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        entry.update(
            {name: value for name in CONTEXT_FIELDS if (value := getattr(record, name, ""))}
        )
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = scrub("".join(traceback.format_exception(*record.exc_info)))
        return orjson.dumps(entry).decode()
