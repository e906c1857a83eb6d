"""Tests of structured logs: one JSON line, with context, and never a token or a secret."""

from __future__ import annotations

import json
import logging

import jwt
import pytest

from parlor.observability.logs import ContextFilter, JsonFormatter, log_context, scrub

TOKEN = jwt.encode({"sub": "u-1", "aud": "parlor:user"}, "x" * 32, algorithm="HS256")


@pytest.fixture
def capture():
    """A logger whose records go through Parlor's filter and JSON formatter into a list."""
    lines: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("parlor.test.logs")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, lines
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    "secret",
    [TOKEN, "sk_" + "A" * 43, "whsec_" + "b" * 32, f"parlor.token.{TOKEN}"],
)
def test_scrub_redacts_tokens_and_secrets(secret):
    text = scrub(f"refused Sec-WebSocket-Protocol: parlor.v1, {secret} from 10.0.0.1")
    assert secret not in text and "[redacted]" in text
    assert text.startswith("refused") and text.endswith("from 10.0.0.1")


def test_a_record_is_one_json_line_with_its_context(capture):
    logger, lines = capture
    with log_context(request_id="r-1", tenant="alpha"):
        logger.info("refused %s", TOKEN)
    logger.info("outside")
    first, second = (json.loads(line) for line in lines)
    assert first["request_id"] == "r-1" and first["tenant"] == "alpha"
    assert first["level"] == "INFO" and first["logger"] == "parlor.test.logs"
    assert TOKEN not in lines[0] and first["message"] == "refused [redacted]"
    assert "request_id" not in second and "tenant" not in second


def test_an_exception_keeps_its_type_and_a_scrubbed_traceback(capture):
    logger, lines = capture
    try:
        raise ValueError(f"bad token {TOKEN}")
    except ValueError:
        logger.exception("frame failed")
    entry = json.loads(lines[0])
    assert entry["error"] == "ValueError" and "Traceback" in entry["traceback"]
    assert TOKEN not in lines[0]
