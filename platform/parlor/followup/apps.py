"""The follow-up app (tenant schema)."""

from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """Visitors' email contacts, follow-up mail of unread replies, and replies by email."""

    name = "parlor.followup"
    label = "followup"
