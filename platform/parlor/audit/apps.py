"""The audit app (tenant schema)."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The tenant's audit log: one row per admin action, in the tenant's own schema."""

    name = "parlor.audit"
    label = "audit"
