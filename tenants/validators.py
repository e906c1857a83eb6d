"""Validation of tenant slugs and allowed origins, each failing with one clear line."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parlor.base.errors import ValidationFailed

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,62}")
RESERVED_SLUGS = frozenset({"public", "information_schema", "default", "template"})
MAX_SLUG_LENGTH = 63


def validate_slug(slug: str) -> str:
    """Return `slug` if it can name a tenant and its schema, else raise ValidationFailed."""
    if len(slug) > MAX_SLUG_LENGTH:
        raise ValidationFailed(f"slug is {len(slug)} characters long; the limit is 63.")
    if not SLUG_PATTERN.fullmatch(slug):
        raise ValidationFailed(
            "slug must start with a lowercase letter and contain only a-z, 0-9 and '_'."
        )
    if slug in RESERVED_SLUGS or slug.startswith("pg_"):
        raise ValidationFailed(f"slug '{slug}' is reserved; choose another.")
    return slug


def normalise_origin(origin: str) -> str:
    """Return `origin` as `scheme://host[:port]` (lowercase, default port dropped) or raise."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationFailed(f"origin '{origin}' must look like https://shop.example[:port].")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise ValidationFailed(f"origin '{origin}' must have no path, query, fragment or user.")
    try:
        port = parts.port
    except ValueError as error:
        raise ValidationFailed(f"origin '{origin}' has an invalid port.") from error
    default_port = 443 if parts.scheme == "https" else 80
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    suffix = f":{port}" if port and port != default_port else ""
    return f"{parts.scheme}://{host}{suffix}"


def validate_domain(domain: str) -> str:
    """Return `domain` lowercased if it is a plausible host name, else raise ValidationFailed."""
    domain = domain.strip().lower()
    if not re.fullmatch(
        r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*", domain
    ):
        raise ValidationFailed(f"domain '{domain}' is not a valid host name.")
    return domain
