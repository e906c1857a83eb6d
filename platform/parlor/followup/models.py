"""Follow-up models (tenant schema): the tenant's settings, visitors' contacts, agents' choices."""

from __future__ import annotations

from django.db import models

PRECHAT_FIELDS = ("name", "email", "question")
DEFAULT_DELAY_MINUTES = 10


class FollowupSettings(models.Model):
    """When to email unread replies, and what the widget asks visitors for (one row)."""

    singleton = models.BooleanField(default=True, unique=True)
    delay_minutes = models.PositiveIntegerField(default=DEFAULT_DELAY_MINUTES)
    # Ask an anonymous visitor for an email address once when nobody can answer.
    ask_email = models.BooleanField(default=True)
    prechat_enabled = models.BooleanField(default=False)
    prechat_fields = models.JSONField(default=list, blank=True)
    # New conversations up to this instant were considered for agents' emails.
    conversations_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"follow-up after {self.delay_minutes} min"


class Contact(models.Model):
    """A visitor's email address (keyed by visitor subject) and how far they were emailed."""

    visitor_id = models.CharField(max_length=64, unique=True)
    room_id = models.CharField(max_length=64)
    email = models.EmailField(max_length=254, blank=True, default="")
    name = models.CharField(max_length=200, blank=True, default="")
    # The tenant's page the visitor left the address on: the reopen link goes back there.
    page_url = models.URLField(max_length=2000, blank=True, default="")
    # Agent messages up to this seq were emailed (or were read before they were due).
    emailed_seq = models.BigIntegerField(default=0)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"contact of {self.visitor_id}"


class AgentPreference(models.Model):
    """One staff member's notification choices."""

    user_id = models.BigIntegerField(unique=True)
    new_conversation_email = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"
