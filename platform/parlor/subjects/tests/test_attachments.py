"""Erasing a subject, or retention, deletes the files of their attachments too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from parlor.attachments.models import Attachment
from parlor.attachments.selectors import attachment_storage_bytes
from parlor.attachments.tests.support import agent, png, send_file, stored_files, visitor
from parlor.chat.models import Message
from parlor.subjects.records import Subject
from parlor.subjects.services import retention_apply, subject_erase
from tenants.tokens import token_verify

pytestmark = pytest.mark.usefixtures("live_db")


def test_erasure_deletes_the_subjects_files(tenant_alpha, media):
    http = Client()
    token, room = visitor(tenant_alpha)
    first = send_file(http, tenant_alpha, token, room, "a.png", png()).json()
    send_file(http, tenant_alpha, token, room, "b.txt", b"my address")
    other_token, other_room = visitor(tenant_alpha)
    kept = send_file(http, tenant_alpha, other_token, other_room, "c.txt", b"kept").json()
    assert len(stored_files(media)) == 3
    usage = attachment_storage_bytes(tenant_alpha.tenant)
    assert usage >= first["size"] + 10 + 4

    subject = token_verify(token).principal.subject
    with schema_context(tenant_alpha.tenant.schema_name):
        removed = subject_erase(tenant=tenant_alpha.tenant, subject=Subject("visitor", subject))
        assert removed["attachments"] == 2
        assert list(Attachment.objects.filter(room_id=room)) == []
        assert Attachment.objects.filter(id=kept["id"]).exists()
    files = stored_files(media)
    assert len(files) == 1 and files[0].name == kept["id"]
    assert attachment_storage_bytes(tenant_alpha.tenant) == usage - first["size"] - 10
    assert http.get(first["url"]).status_code == 404


def test_retention_deletes_old_conversations_files(tenant_alpha, media):
    http = Client()
    token, room = visitor(tenant_alpha)
    send_file(http, tenant_alpha, token, room, "old.txt", b"old")
    schema = tenant_alpha.tenant.schema_name
    with schema_context(schema):
        old = Message.objects.filter(room_id=room)
        old.update(sent_at=old.first().sent_at - timedelta(days=40))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE chat_room SET created_at = created_at - interval '40 days' WHERE id = %s",
                [room],
            )
        assert retention_apply(days=30) >= 1
        assert not Attachment.objects.filter(room_id=room).exists()
    assert stored_files(media) == []


def test_agent_files_in_an_erased_conversation_go_too(tenant_alpha, media):
    http = Client()
    token, room = visitor(tenant_alpha)
    send_file(http, tenant_alpha, token, room, "q.txt", b"question")
    granted = http.post(
        "/api/v1/attachments/grants",
        {"room": room, "name": "answer.txt"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {agent(tenant_alpha)}",
    ).json()
    assert http.put(granted["upload_url"], b"answer", content_type="text/plain").status_code == 201
    subject = token_verify(token).principal.subject
    with schema_context(tenant_alpha.tenant.schema_name):
        subject_erase(tenant=tenant_alpha.tenant, subject=Subject("visitor", subject))
    assert stored_files(media) == []
