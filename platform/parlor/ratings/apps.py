"""The ratings app (tenant schema)."""

from django.apps import AppConfig


class RatingsConfig(AppConfig):
    """Visitors' satisfaction ratings of resolved conversations."""

    name = "parlor.ratings"
    label = "ratings"
