"""The team app (tenant schema)."""

from django.apps import AppConfig


class TeamConfig(AppConfig):
    """Tenant staff's roles (owner, admin, agent) and the rules for changing them."""

    name = "parlor.team"
    label = "team"
