"""The attachments app (tenant schema)."""

from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    """Files and images sent in a room: their records, the tenant's policy, and their storage."""

    name = "parlor.attachments"
    label = "attachments"
