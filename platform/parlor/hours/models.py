"""Business hours (tenant schema): one row per tenant, the schedule in the tenant's timezone."""

from __future__ import annotations

from django.db import models


class BusinessHours(models.Model):
    """The tenant's weekly schedule, holidays and what the widget says when nobody can answer.

    `weekly` holds seven lists (Monday first) of ["HH:MM", "HH:MM"] opening ranges in local
    time; `holidays` holds local dates ("YYYY-MM-DD") on which the tenant is closed all day.
    """

    # One row per schema: the tenant is the schema.
    singleton = models.BooleanField(default=True, unique=True)
    enabled = models.BooleanField(default=False)
    timezone = models.CharField(max_length=64, default="UTC")
    weekly = models.JSONField(default=list, blank=True)
    holidays = models.JSONField(default=list, blank=True)
    reply_time = models.CharField(max_length=64, blank=True, default="")
    # Outside business hours the widget shows a message form instead of a live conversation.
    offline_form = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"business hours ({self.timezone})"
