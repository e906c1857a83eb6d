"""docs/architecture.md names only files and packages that exist: a map that cannot drift."""

from __future__ import annotations

import re

from parlor.env import REPO_ROOT

DOC = REPO_ROOT / "docs" / "architecture.md"
PATH = re.compile(r"`([\w./-]+\.(?:py|js|md|json))`")
PACKAGE = re.compile(r"`(parlor(?:\.\w+)+|tenants)`")
ROOTS = [REPO_ROOT, REPO_ROOT / "platform", REPO_ROOT / "platform" / "parlor"]


def test_every_file_the_map_names_exists():
    named = set(PATH.findall(DOC.read_text()))
    missing = {path for path in named if not any((root / path).exists() for root in ROOTS)}
    assert named and missing == set()


def test_every_package_the_map_names_exists():
    named = set(PACKAGE.findall(DOC.read_text()))
    platform = REPO_ROOT / "platform"
    missing = {
        name
        for name in named
        if not (platform / name.replace(".", "/")).exists()
        and not (platform / f"{name.replace('.', '/')}.py").exists()
        and not (REPO_ROOT / name).exists()
    }
    assert named and missing == set()


def test_the_map_stays_a_map():
    assert len(DOC.read_text().splitlines()) <= 150
