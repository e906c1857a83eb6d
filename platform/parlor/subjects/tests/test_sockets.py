"""Erasing a subject closes its open sockets (through the revocation of its tokens)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django_tenants.utils import schema_context

from parlor.base.identity import PrincipalKind
from parlor.chat.tests.support import ChatClient, principal_for
from parlor.subjects.records import Subject
from parlor.subjects.services import subject_erase

pytestmark = pytest.mark.usefixtures("live_db")


def erase(created, subject: Subject) -> None:
    with schema_context(created.tenant.schema_name):
        subject_erase(tenant=created.tenant, subject=subject)


async def test_erasure_closes_the_subjects_sockets_and_no_one_elses(tenant_alpha):
    principal = principal_for(tenant_alpha, PrincipalKind.VISITOR)
    client = await ChatClient(principal).connect()
    bystander = await ChatClient(principal_for(tenant_alpha, PrincipalKind.VISITOR)).connect()
    try:
        await sync_to_async(erase)(tenant_alpha, Subject("visitor", principal.subject))
        assert await client.expect_close() == 4401
        await bystander.send(type="ping")
        await bystander.expect("pong")
    finally:
        await client.close()
        await bystander.close()
