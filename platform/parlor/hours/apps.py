"""The business hours app (tenant schema)."""

from django.apps import AppConfig


class HoursConfig(AppConfig):
    """A tenant's weekly opening hours and holidays, and the widget status computed from them."""

    name = "parlor.hours"
    label = "hours"
