"""Parlor's own settings, each read through one getter with its default."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "DEMO_PAGE_URL": "http://127.0.0.1:8001",
    "DEMO_AGENT_PAGE": False,
    "DEMO_TENANT_SLUG": "demo",
}


def setting(name: str) -> Any:
    """Return PARLOR[name] from Django settings, or Parlor's default for it."""
    return getattr(settings, "PARLOR", {}).get(name, DEFAULTS[name])
