"""message_send under real concurrency: gap-free seq and idempotent client_msg_id."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from parlor.base.errors import NotFound, PermissionDenied
from parlor.base.identity import PrincipalKind
from parlor.chat import selectors, services
from parlor.chat.models import Room, RoomKind
from parlor.chat.tests.support import principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")


def _in_thread(schema: str, function, **kwargs):
    # Each worker thread has its own database connection: real concurrent transactions.
    try:
        with schema_context(schema):
            return function(**kwargs)
    finally:
        connection.close()


def test_concurrent_senders_get_gap_free_seq_and_resends_store_once(tenant_alpha):
    schema = tenant_alpha.tenant.schema_name
    room = unique("concurrent")
    with schema_context(schema):
        Room.objects.create(id=room, kind=RoomKind.CHANNEL)
    senders = [principal_for(tenant_alpha) for _ in range(4)]
    start = threading.Barrier(8)

    def send_many(sender, repeat: int):
        start.wait()
        results = []
        for number in range(25):
            # Every message is sent twice: the copy must come back with the same id and seq.
            for _ in range(repeat):
                results.append(
                    _in_thread(
                        schema,
                        services.message_send,
                        room_id=room,
                        sender=sender,
                        body=f"{sender.subject} {number}",
                        client_msg_id=f"m{number}",
                    )
                )
        return results

    with ThreadPoolExecutor(8) as pool:
        # Two threads per sender send the same client_msg_ids at the same time.
        futures = [pool.submit(send_many, sender, 1) for sender in senders for _ in range(2)]
        results = [result for future in futures for result in future.result()]

    with schema_context(schema):
        page = selectors.message_list(room_id=room, after=0, limit=1000)
        last_seq = selectors.room_get(room_id=room).last_seq
    assert [m.seq for m in page.messages] == list(range(1, 101))
    assert last_seq == 100
    by_key = {}
    for result in results:
        key = (result.message.sender_id, result.message.client_msg_id)
        by_key.setdefault(key, set()).add((result.message.id, result.message.seq))
    assert len(by_key) == 100
    assert all(len(ids) == 1 for ids in by_key.values())
    assert sum(result.created for result in results) == 100


def test_agent_cannot_write_to_a_conversation_that_does_not_exist(tenant_alpha):
    with schema_context(tenant_alpha.tenant.schema_name), pytest.raises(NotFound):
        services.message_send(
            room_id="c-" + "0" * 40,
            sender=principal_for(tenant_alpha, PrincipalKind.AGENT),
            body="hello?",
            client_msg_id="a",
        )


def test_visitor_cannot_write_to_a_channel_it_is_not_granted(tenant_alpha):
    visitor = principal_for(tenant_alpha, PrincipalKind.VISITOR, rooms=())
    with schema_context(tenant_alpha.tenant.schema_name), pytest.raises(PermissionDenied):
        services.message_send(room_id=unique("ch"), sender=visitor, body="x", client_msg_id="a")


def test_send_inside_a_transaction_keeps_it_usable_after_a_resend(tenant_alpha):
    from django.db import transaction

    schema = tenant_alpha.tenant.schema_name
    visitor = principal_for(tenant_alpha, PrincipalKind.VISITOR)
    room = services.own_conversation(visitor)
    with schema_context(schema), transaction.atomic():
        first = services.message_send(room_id=room, sender=visitor, body="x", client_msg_id="a")
        again = services.message_send(room_id=room, sender=visitor, body="x", client_msg_id="a")
        assert (again.created, again.message.seq) == (False, first.message.seq)
        assert selectors.room_get(room_id=room).last_seq == 1
