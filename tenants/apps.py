"""Django app configuration for tenants."""

from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """The tenants app: lives in the public schema."""

    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"
