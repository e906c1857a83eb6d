"""Where attachment files live: Django's storage API, alias `attachments` (settings.STORAGES)."""

from __future__ import annotations

import hashlib

from django.core.files.storage import Storage, storages

STORAGE_ALIAS = "attachments"


def attachment_storage() -> Storage:
    """Return the attachments' storage: files under .parlor/media, or S3 in production."""
    return storages[STORAGE_ALIAS]


def storage_key(*, schema_name: str, room_id: str, attachment_id: str) -> str:
    """Return the file's name in storage: tenant schema, room digest, id; never user input."""
    room_digest = hashlib.sha256(room_id.encode()).hexdigest()[:16]
    return f"{schema_name}/{room_digest}/{attachment_id}"
