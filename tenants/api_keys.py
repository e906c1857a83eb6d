"""Generation and lookup of tenant API keys: secret keys are shown once and stored hashed."""

from __future__ import annotations

import hashlib
import secrets

SECRET_KEY_PREFIX = "sk_"
PUBLISHABLE_KEY_PREFIX = "pk_"


def secret_key_generate() -> str:
    """Return a new secret API key (`sk_` + 43 URL-safe characters, 256 random bits)."""
    return SECRET_KEY_PREFIX + secrets.token_urlsafe(32)


def publishable_key_generate() -> str:
    """Return a new publishable widget key (`pk_` + 24 URL-safe characters)."""
    return PUBLISHABLE_KEY_PREFIX + secrets.token_urlsafe(18)


def secret_key_hash(secret_key: str) -> str:
    """Return the SHA-256 hex digest under which `secret_key` is stored."""
    # A fast hash is enough: the key carries 256 random bits, so it cannot be guessed offline.
    return hashlib.sha256(secret_key.encode()).hexdigest()
