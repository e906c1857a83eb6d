"""The public-schema records of tenancy: tenants, domains, keys, revocations, the platform log."""

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
    # Per-kind caps on token lifetimes in seconds, e.g. {"user": 600}; see tenants.lifetimes.
    token_lifetime_caps = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Plan and per-tenant overrides of its quotas, e.g. {"sockets": 200}; see tenants.quotas.
    plan = models.CharField(max_length=32, default="team")
    quota_overrides = models.JSONField(default=dict, blank=True)
    # Set by the platform operator (tenants.suspension): nothing of the tenant is served.
    suspended_at = models.DateTimeField(null=True, blank=True)

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


class SigningKey(models.Model):
    """A key that signs or verifies one tenant's tokens, with exactly one algorithm."""

    class Algorithm(models.TextChoices):
        HS256 = "HS256"
        ES256 = "ES256"
        RS256 = "RS256"
        EDDSA = "EdDSA"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="signing_keys")
    kid = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=8, choices=Algorithm.choices)
    # HS256 only: the platform-generated secret, base64url without padding.
    secret = models.TextField(blank=True, default="")
    # ES256 / RS256 / EdDSA only: the tenant's public key as a JWK (never a private part).
    public_jwk = models.JSONField(null=True, blank=True)
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    verifies_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kid"], name="signing_key_unique_kid"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_current=True),
                name="signing_key_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.kid} ({self.algorithm})"


class Revocation(models.Model):
    """A revoked token id, or every token of one subject issued before a moment."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="revocations")
    jti = models.CharField(max_length=64, blank=True, default="")
    subject = models.CharField(max_length=128, blank=True, default="")
    issued_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "jti"], name="revocation_jti"),
            models.Index(fields=["tenant", "subject"], name="revocation_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(jti__gt="", subject="", issued_before__isnull=True)
                    | models.Q(jti="", subject__gt="", issued_before__isnull=False)
                ),
                name="revocation_one_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.jti or self.subject}"


class SchemaTemplate(models.Model):
    """The schema new tenants are cloned from, with the migrations it was built at."""

    schema_name = models.CharField(max_length=63, unique=True)
    # Sorted "app.migration" names of the migration graph's leaves the template was built at.
    migration_leaves = models.JSONField(default=list)
    # tenants.clone_script's SQL, read from the template once, run for every new tenant.
    clone_script = models.TextField()
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.schema_name} ({len(self.migration_leaves)} leaves)"


class PlatformAuditEntry(models.Model):
    """One platform operator's action (tenant created, suspended, deleted, plan changed)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The operator's user name in the public schema, or "cli" for management commands.
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    # The tenant's slug: kept as text, since the entry outlives a deleted tenant.
    tenant_slug = models.CharField(max_length=63, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.tenant_slug}".strip()


class QuotaRefusal(models.Model):
    """How many times one tenant was refused over one quota on one day (UTC)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="quota_refusals")
    day = models.DateField()
    quota = models.CharField(max_length=32)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "quota"], name="quota_refusal_day"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day} {self.quota}: {self.count}"
