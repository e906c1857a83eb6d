"""The one module that reads Parlor's configuration from the environment."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / ".parlor"


def get(name: str, default: str = "") -> str:
    """Return the environment variable `name`, or `default` when unset or empty."""
    value = os.environ.get(name, "")
    return value if value else default


def get_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable `name` read as a boolean (1/true/yes/on)."""
    raw = get(name)
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def get_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return the comma-separated environment variable `name` as a list of stripped items."""
    raw = get(name)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_int(name: str, default: int) -> int:
    """Return the environment variable `name` as an int, or `default` when unset."""
    raw = get(name)
    return int(raw) if raw else default


def data_dir() -> Path:
    """Return the folder for Parlor's local data (PARLOR_DATA_DIR, default `.parlor/`)."""
    return Path(get("PARLOR_DATA_DIR", str(DEFAULT_DATA_DIR))).resolve()
