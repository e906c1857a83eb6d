"""docs/protocol.md and parlor.realtime.protocol list the same frame types and codes."""

from __future__ import annotations

import re

import pytest

from parlor.base import conf
from parlor.env import REPO_ROOT
from parlor.realtime import protocol

DOC = (REPO_ROOT / "docs" / "protocol.md").read_text()


def first_column(heading: str) -> set[str]:
    """Return the first cells of the table under the `## heading` section, without backticks."""
    section = DOC.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [row.split("|")[1].strip().strip("`") for row in rows[1:]]  # skip the header row
    return {cell for cell in cells if not set(cell) <= {"-"}}


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Frames from client to server", protocol.CLIENT_TYPES),
        ("Frames from server to client", protocol.SERVER_TYPES),
        ("Error codes (in `error` frames)", protocol.ERROR_CODES),
        ("Close codes", {str(code) for code in protocol.CLOSE_CODES}),
    ],
)
def test_doc_table_lists_exactly_the_module_constants(heading, expected):
    assert first_column(heading) == set(expected)


def test_every_limit_setting_in_the_doc_has_its_default():
    named = set(re.findall(r"`([A-Z_]+)`", DOC.split("## Limits\n", 1)[1].split("\n## ", 1)[0]))
    named.discard("PARLOR")
    assert len(named) >= 8
    assert named <= set(conf.DEFAULTS)
    assert f"{conf.DEFAULTS['BODY_MAX_BYTES']} bytes" in DOC
    assert f"{conf.DEFAULTS['FRAME_MAX_BYTES']} bytes" in DOC


def test_room_closed_reasons_are_documented():
    assert f"`{protocol.ROOM_CLOSED_ACCESS_REVOKED}`" in DOC
