"""Cut quoted history and signatures off an email reply, leaving what the visitor wrote."""

from __future__ import annotations

import re

# Lines that begin the quoted history in common mail clients.
HISTORY_STARTS = (
    re.compile(r"^On .+ wrote:\s*$"),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^On .+$"),  # Gmail wraps "On …, X <x@y>" onto the next line: checked below
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),  # Outlook
    re.compile(r"^_{10,}\s*$"),  # Outlook's rule before From:
    re.compile(r"^From:\s.+", re.IGNORECASE),
    re.compile(r"^Am .+ schrieb .+:\s*$"),
    re.compile(r"^El .+ escribió:\s*$"),
    re.compile(r"^Le .+ a écrit\s*:\s*$"),
)
SIGNATURE = re.compile(r"^(-- ?|Sent from my .+)$")


def reply_text_extract(text: str) -> str:
    """Return the new text of a reply: up to the quoted history, without `>` lines or signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">") or SIGNATURE.match(stripped):
            break
        if _history_starts(stripped, lines[index + 1 : index + 2]):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _history_starts(line: str, following: list[str]) -> bool:
    if HISTORY_STARTS[0].match(line):
        return True
    if HISTORY_STARTS[1].match(line) and following and following[0].strip().endswith("wrote:"):
        return True
    return any(pattern.match(line) for pattern in HISTORY_STARTS[2:])
