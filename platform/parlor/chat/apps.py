"""Django app configuration for chat."""

from django.apps import AppConfig


class ChatConfig(AppConfig):
    """The chat app: its tables live in every tenant's schema."""

    name = "parlor.chat"
    label = "chat"
    default_auto_field = "django.db.models.BigAutoField"
