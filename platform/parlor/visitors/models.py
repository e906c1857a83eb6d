"""Visitor models (tenant schema): one profile per visitor or user, by the token's subject."""

from __future__ import annotations

from django.db import models

MAX_URL_LENGTH = 2048
MAX_TITLE_LENGTH = 200


class VisitorProfile(models.Model):
    """What the tenant's token and the widget said about one visitor or user, newest wins.

    `name_verified` / `email_verified` tell a value from the tenant's signed token from one the
    page gave (`Parlor.identify`); `attributes` come only from signed tokens.
    """

    kind = models.CharField(max_length=16)
    subject = models.CharField(max_length=255)
    name = models.CharField(max_length=100, blank=True, default="")
    name_verified = models.BooleanField(default=False)
    email = models.CharField(max_length=254, blank=True, default="")
    email_verified = models.BooleanField(default=False)
    attributes = models.JSONField(default=dict, blank=True)
    page_url = models.CharField(max_length=MAX_URL_LENGTH, blank=True, default="")
    page_title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True, default="")
    referrer = models.CharField(max_length=MAX_URL_LENGTH, blank=True, default="")
    browser = models.CharField(max_length=64, blank=True, default="")
    os = models.CharField(max_length=64, blank=True, default="")
    locale = models.CharField(max_length=35, blank=True, default="")
    timezone = models.CharField(max_length=64, blank=True, default="")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # When a name or email was first stored: the moment `visitor.identified` was enqueued.
    identified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The kind is part of the subject: visitor "42" and user "42" are different people.
            models.UniqueConstraint(fields=["kind", "subject"], name="visitors_profile_subject")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject}"
