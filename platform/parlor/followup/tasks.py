"""Follow-up jobs, run by `manage.py jobsworker` (procrastinate discovers this module)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tenants.utils import schema_context
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from parlor.followup.sending import (
    new_conversation_email_send,
    new_conversations_claim,
    reply_email_send,
)
from parlor.followup.sweep import DueEmail, followup_claim
from parlor.hours.status import ONLINE, widget_status
from tenants.models import Tenant

QUEUE = "followup"
SEND_TASK = "followup_email_send"
NOTICE_TASK = "followup_agents_notice"
# Mail servers refuse for minutes, not days: retry with backoff for about two hours.
MAIL_RETRY = RetryStrategy(max_attempts=8, exponential_wait=5)


@app.task(name=SEND_TASK, queue=QUEUE, retry=MAIL_RETRY)
def followup_email_send(schema_name: str, contact_id: int, after_seq: int, up_to_seq: int) -> None:
    """Email one claimed batch of unread replies; a mail failure is retried."""
    tenant = Tenant.objects.get(schema_name=schema_name)
    with schema_context(schema_name):
        reply_email_send(
            tenant=tenant,
            contact_id=contact_id,
            after_seq=after_seq,
            up_to_seq=up_to_seq,
            now=timezone.now(),
        )


@app.task(name=NOTICE_TASK, queue=QUEUE, retry=MAIL_RETRY)
def followup_agents_notice(schema_name: str, room_id: str) -> None:
    """Email opted-in staff about one conversation begun while agents were offline; retried."""
    tenant = Tenant.objects.get(schema_name=schema_name)
    with schema_context(schema_name):
        new_conversation_email_send(tenant=tenant, room_id=room_id)


@app.periodic(cron="* * * * *")
@app.task(name="followup_sweep_minutely", queue=QUEUE, queueing_lock="followup_sweep")
def followup_sweep_minutely(timestamp: int) -> None:
    """Claim every tenant's due follow-ups and tell offline agents of new conversations."""
    for tenant in list(Tenant.objects.exclude(schema_name="public")):
        followup_sweep(tenant=tenant, now=timezone.now())


def followup_sweep(*, tenant: Tenant, now: datetime) -> list[DueEmail]:
    """Claim the tenant's due follow-ups (deferring a send job each) and notify agents."""
    with schema_context(tenant.schema_name):
        due = followup_claim(now=now, defer=lambda item: _defer_send(tenant.schema_name, item))
        offline = widget_status(tenant, now=now).state != ONLINE
        new_conversations_claim(
            now=now,
            agents_offline=offline,
            defer=lambda room_id: followup_agents_notice.defer(
                schema_name=tenant.schema_name, room_id=room_id
            ),
        )
    return due


def _defer_send(schema_name: str, item: DueEmail) -> None:
    followup_email_send.defer(
        schema_name=schema_name,
        contact_id=item.contact_id,
        after_seq=item.after_seq,
        up_to_seq=item.up_to_seq,
    )
