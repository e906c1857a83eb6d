"""The tenant admin dashboard: server-rendered pages on each tenant's own domain."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Templates, static files and the `createstaff` command of the dashboard."""

    name = "parlor.dashboard"
    label = "dashboard"
