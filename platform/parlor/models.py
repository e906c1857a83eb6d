"""Platform-wide records in the public schema: this deployment's identity."""

from __future__ import annotations

import secrets

from django.db import models


def deployment_key_new() -> str:
    """Return a fresh deployment key: 12 random hex digits."""
    return secrets.token_hex(6)


class Deployment(models.Model):
    """This installation of Parlor: one row, written by the first migration, never changed."""

    # Part of every channel-layer name (parlor.realtime.channel_layer), so that deployments
    # sharing one Redis server never hear each other: Redis pub/sub ignores the database number.
    key = models.CharField(max_length=32, unique=True, default=deployment_key_new)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
