"""Helpers of the follow-up tests: a visitor with an address, agent replies, jobs run inline."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from parlor.base.identity import Principal, PrincipalKind
from parlor.chat import services
from parlor.chat.models import Message
from parlor.chat.posting import message_post
from parlor.chat.tests.support import principal_for, unique
from parlor.followup import tasks

INBOUND_SECRET = "inbound-test-secret"  # parlor.settings.test


@dataclass
class Visitor:
    """A widget visitor of a test tenant: signed string, principal and conversation."""

    created: object
    signed: str
    principal: Principal
    origin: str

    @property
    def room_id(self) -> str:
        return services.own_conversation(self.principal)


def visitor_start(client: Client, created, origin: str) -> Visitor:
    """Start a widget session on `origin` and return the visitor."""
    response = client.post(
        "/api/v1/widget/sessions",
        json.dumps({"key": created.tenant.publishable_key}),
        content_type="application/json",
        HTTP_ORIGIN=origin,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    from tenants.widget_sessions import visitor_id_unsign

    visitor_id = visitor_id_unsign(tenant=created.tenant, signed=body["visitor"])
    principal = principal_for(created, PrincipalKind.VISITOR, visitor_id, name="Visitor", rooms=())
    return Visitor(created=created, signed=body["visitor"], principal=principal, origin=origin)


def contact_leave(client: Client, visitor: Visitor, email: str, **extra):
    """Leave an email address from the widget; return the response."""
    body = {
        "key": visitor.created.tenant.publishable_key,
        "visitor": visitor.signed,
        "email": email,
    }
    return client.post(
        "/api/v1/widget/contact",
        json.dumps({**body, **extra}),
        content_type="application/json",
        HTTP_ORIGIN=visitor.origin,
    )


def say(visitor: Visitor, text: str) -> int:
    """Post a visitor message; return its seq."""
    with schema_context(visitor.created.tenant.schema_name):
        sent = message_post(
            sender=visitor.principal, room_id=visitor.room_id, body=text, client_msg_id=unique("m")
        )
    return sent.message.seq


def agent_reply(visitor: Visitor, text: str, name: str = "Ada") -> int:
    """Post an agent message into the visitor's conversation; return its seq."""
    agent = principal_for(visitor.created, PrincipalKind.AGENT, name=name)
    with schema_context(visitor.created.tenant.schema_name):
        sent = message_post(
            sender=agent, room_id=visitor.room_id, body=text, client_msg_id=unique("m")
        )
    return sent.message.seq


def messages_of(visitor: Visitor) -> list[tuple[str, str]]:
    """Return (sender kind, body) of every message in the visitor's conversation."""
    with schema_context(visitor.created.tenant.schema_name):
        rows = Message.objects.filter(room_id=visitor.room_id).order_by("seq")
        return [(row.sender_kind, row.body) for row in rows]


def followup_jobs_run() -> int:
    """Run every deferred follow-up mail job inline (as a worker would); return how many."""
    tasks_by_name = {
        tasks.SEND_TASK: tasks.followup_email_send,
        tasks.NOTICE_TASK: tasks.followup_agents_notice,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM public.procrastinate_jobs WHERE queue_name = 'followup'"
            " AND task_name = ANY(%s) AND status = 'todo' RETURNING task_name, args",
            [list(tasks_by_name)],
        )
        jobs = cursor.fetchall()
    for name, args in jobs:
        tasks_by_name[name](**(json.loads(args) if isinstance(args, str) else args))
    return len(jobs)


def mailgun_fields(recipient: str, text: str, *, secret: str = INBOUND_SECRET) -> dict:
    """Return a Mailgun-style inbound webhook's form fields, signed with `secret`."""
    timestamp, token = str(int(time.time())), unique("tok")
    signature = hmac.new(secret.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "recipient": recipient,
        "sender": "visitor@example.com",
        "body-plain": text,
        "Message-Id": f"<{unique('mid')}@example.com>",
        "timestamp": timestamp,
        "token": token,
        "signature": signature.hexdigest(),
    }
