"""Tenant, Domain and ApiKey: the public-schema records that define who a tenant is."""

from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A customer company; its rooms, messages and staff live in PostgreSQL schema `schema_name`."""

    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    publishable_key = models.CharField(max_length=64, unique=True)
    allowed_origins = models.JSONField(default=list, blank=True)
    widget_settings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True

    def __str__(self) -> str:
        return self.slug


class Domain(DomainMixin):
    """A host name that routes dashboard requests to its tenant."""


class ApiKey(models.Model):
    """A tenant's secret API key, stored only as a SHA-256 hash."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}…"
