"""The visitors app (tenant schema)."""

from django.apps import AppConfig


class VisitorsConfig(AppConfig):
    """Visitor profiles: name, email, signed attributes and the widget's page context."""

    name = "parlor.visitors"
    label = "visitors"
