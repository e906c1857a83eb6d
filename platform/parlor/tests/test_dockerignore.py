"""The production image never takes a developer's environment, database or test output."""

from __future__ import annotations

from parlor.env import REPO_ROOT

NEVER_IN_THE_IMAGE = {".git", ".venv", ".parlor", "test-artifacts", "benchmarks/.work", ".env"}


def test_dockerignore_excludes_local_state():
    entries = {
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert entries >= NEVER_IN_THE_IMAGE
