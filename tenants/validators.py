"""Validation of tenant slugs and allowed origins, each failing with one clear line."""

from __future__ import annotations

import getpass
import ipaddress
import re
from urllib.parse import urlsplit

from django.db import connection

from parlor.base.errors import ValidationFailed
from parlor.base.text import text_is_valid

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Database roles too: PostgreSQL's default search_path is `"$user", public`, so a schema named
# like the role Parlor connects as would be searched before `public` (issue 9).
RESERVED_SLUGS = frozenset(
    {"public", "information_schema", "default", "template", "postgres", "parlor"}
)
MAX_SLUG_LENGTH = 63
MAX_NAME_LENGTH = 200  # Tenant.name
MAX_DOMAIN_LENGTH = 253  # DNS; also Domain.domain
HOST_PATTERN = re.compile(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def validate_slug(slug: str) -> str:
    """Return `slug` if it can name a tenant and its schema, else raise ValidationFailed."""
    if len(slug) > MAX_SLUG_LENGTH:
        raise ValidationFailed(f"slug is {len(slug)} characters long; the limit is 63.")
    if not SLUG_PATTERN.fullmatch(slug):
        raise ValidationFailed(
            "slug must start with a lowercase letter and contain only a-z, 0-9 and '_'."
        )
    if slug in RESERVED_SLUGS or slug in database_roles() or slug.startswith("pg_"):
        raise ValidationFailed(f"slug '{slug}' is reserved; choose another.")
    return slug


def database_roles() -> frozenset[str]:
    """Return the role names Parlor's database connection may use as `"$user"`."""
    configured = connection.settings_dict.get("USER") or getpass.getuser()
    return frozenset({configured.lower()})


def validate_name(name: str) -> str:
    """Return `name` stripped if it can be a tenant's display name, else raise ValidationFailed."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            f"name must be 1 to {MAX_NAME_LENGTH} characters; it is {len(name)}.",
            code="invalid_name",
        )
    if CONTROL_CHARACTERS.search(name) or not text_is_valid(name):
        raise ValidationFailed("name must be text without control characters.", code="invalid_name")
    return name


def normalise_origin(origin: str) -> str:
    """Return `origin` as `scheme://host[:port]` (lowercase, punycode, default port dropped)."""
    try:
        parts = urlsplit(origin.strip())
        hostname = parts.hostname
    except ValueError:  # urlsplit checks a bracketed IPv6 host itself
        raise ValidationFailed(f"origin '{_shown(origin)}' has an invalid host.") from None
    if parts.scheme not in {"http", "https"} or not hostname:
        raise ValidationFailed(
            f"origin '{_shown(origin)}' must look like https://shop.example[:port]."
        )
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise ValidationFailed(
            f"origin '{_shown(origin)}' must have no path, query, fragment or user."
        )
    try:
        port = parts.port
    except ValueError as error:
        raise ValidationFailed(f"origin '{_shown(origin)}' has an invalid port.") from error
    default_port = 443 if parts.scheme == "https" else 80
    host = _origin_host(hostname, origin)
    suffix = f":{port}" if port and port != default_port else ""
    return f"{parts.scheme}://{host}{suffix}"


def validate_domain(domain: str) -> str:
    """Return `domain` lowercased (punycode if internationalised) if it is a host name, or raise."""
    shown = _shown(domain)
    try:
        host = _ascii_host(domain.strip().lower())
    except ValidationFailed:
        raise ValidationFailed(f"domain '{shown}' is not a valid host name.") from None
    return host


def _origin_host(hostname: str, origin: str) -> str:
    if ":" in hostname:  # an IPv6 literal, which urlsplit gives without its brackets
        try:
            return f"[{ipaddress.IPv6Address(hostname)}]"
        except ValueError:
            raise ValidationFailed(f"origin '{_shown(origin)}' has an invalid host.") from None
    try:
        return _ascii_host(hostname.lower())
    except ValidationFailed:
        raise ValidationFailed(
            f"origin '{_shown(origin)}' has an invalid host: no wildcards, spaces or symbols."
        ) from None


def _ascii_host(host: str) -> str:
    # Internationalised names are stored as browsers send them in Origin and Host: punycode.
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise ValidationFailed("not a host name.") from None
    if len(ascii_host) > MAX_DOMAIN_LENGTH or not HOST_PATTERN.fullmatch(ascii_host):
        raise ValidationFailed("not a host name.")
    return ascii_host


def _shown(value: str) -> str:
    # Errors quote the input, shortened, so that a 5,000-character argument stays one line.
    flat = CONTROL_CHARACTERS.sub("?", value)
    return flat if len(flat) <= 80 else f"{flat[:77]}..."
