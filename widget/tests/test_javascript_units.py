"""Runs the widget's JavaScript unit tests (widget/tests/*.test.mjs) with node's test runner."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent


def test_javascript_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        reason = "node is not installed; the widget's JavaScript unit tests need node >= 20"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must not skip them")
        pytest.skip(reason)
    files = sorted(str(path) for path in TESTS_DIR.glob("*.test.mjs"))
    assert files, "no JavaScript unit tests found"
    result = subprocess.run(
        [node, "--test", *files], capture_output=True, text=True, timeout=110, check=False
    )
    summary = [line for line in result.stdout.splitlines() if line.startswith("# ")]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in summary, summary
