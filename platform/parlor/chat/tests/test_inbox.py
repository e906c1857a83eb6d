"""The inbox selector: filters, exact unread counts from read positions, cursor paging, and a
plan that stays on its index with 10,000 conversations."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.base.identity import PrincipalKind
from parlor.chat import services
from parlor.chat.inbox import conversation_inbox, cursor_decode, inbox_sql
from parlor.chat.models import Room
from parlor.chat.tests.support import principal_for

pytestmark = pytest.mark.usefixtures("live_db")
AGENT = "staff-900001"


@pytest.fixture
def fresh_inbox(tenant_alpha):
    """Alpha's earlier open conversations set aside (pending) for the test, then put back."""
    with schema_context(tenant_alpha.tenant.schema_name):
        earlier = list(
            Room.objects.filter(kind="conversation", status="open").values_list("id", flat=True)
        )
        Room.objects.filter(id__in=earlier).update(status="pending")
    yield
    with schema_context(tenant_alpha.tenant.schema_name):
        Room.objects.filter(id__startswith="perf-").delete()
        Room.objects.filter(id__in=earlier).update(status="open")
    connection.set_schema_to_public()


def visitor_says(created, *bodies: str, subject: str | None = None) -> str:
    visitor = principal_for(created, PrincipalKind.VISITOR, subject)
    room = services.own_conversation(visitor)
    for body in bodies:
        services.message_send(
            room_id=room, sender=visitor, body=body, client_msg_id=uuid.uuid4().hex
        )
    return room


def inbox(**kwargs):
    defaults = {"status": "open", "view": "all", "user_id": 7, "agent_subject": AGENT}
    return conversation_inbox(**{**defaults, **kwargs})


def test_unread_counts_are_the_visitors_messages_after_the_agents_read_position(
    tenant_alpha, fresh_inbox
):
    agent = principal_for(tenant_alpha, PrincipalKind.AGENT, AGENT)
    with schema_context(tenant_alpha.tenant.schema_name):
        first = visitor_says(tenant_alpha, "one", "two", "three")
        second = visitor_says(tenant_alpha, "hello")
        services.read_mark(room_id=first, principal=agent, seq=2)
        services.message_send(room_id=first, sender=agent, body="reply", client_msg_id="r1")
        rows = inbox().rows
    counts = {row.room.id: row.unread for row in rows}
    assert counts == {first: 1, second: 1}
    # The agent's reply made `first` the most recently active.
    assert [row.room.id for row in rows] == [first, second]
    assert rows[0].last_message.body == "reply"


def test_filters_mine_unassigned_and_status(tenant_alpha, fresh_inbox):
    with schema_context(tenant_alpha.tenant.schema_name):
        mine, other, nobody, done = (visitor_says(tenant_alpha, "hi") for _ in range(4))
        Room.objects.filter(id=mine).update(assignee=7)
        Room.objects.filter(id=other).update(assignee=8)
        Room.objects.filter(id=done).update(status="resolved")
        ids = lambda **kw: {row.room.id for row in inbox(**kw).rows}  # noqa: E731
        assert ids(view="mine") == {mine}
        assert ids(view="unassigned") == {nobody}
        assert ids(view="all") == {mine, other, nobody}
        assert done in ids(status="resolved") and mine not in ids(status="resolved")
    with pytest.raises(ValueError):
        inbox(status="closed")


def test_cursor_pages_walk_every_conversation_once(tenant_alpha, fresh_inbox):
    with schema_context(tenant_alpha.tenant.schema_name):
        rooms = [visitor_says(tenant_alpha, f"m{index}") for index in range(7)]
        # Two share one activity time: the id breaks the tie.
        same = timezone.now() - timedelta(minutes=5)
        Room.objects.filter(id__in=rooms[:2]).update(last_activity_at=same)
        seen, cursor = [], None
        while True:
            page = inbox(limit=3, cursor=cursor)
            seen += [row.room.id for row in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(rooms) and len(seen) == len(set(seen))
        assert set(seen[-2:]) == set(rooms[:2])
        # A forged cursor starts over instead of failing.
        assert cursor_decode("not-a-cursor!") is None
        assert len(inbox(limit=3, cursor="bm90fGE=").rows) == 3


def test_the_inbox_query_stays_on_its_index_with_10000_conversations(tenant_alpha, fresh_inbox):
    with schema_context(tenant_alpha.tenant.schema_name), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO chat_room (id, kind, owner_kind, owner_id, created_at, last_seq, status,
                assignee, last_activity_at)
            SELECT 'perf-' || n, 'conversation', 'visitor', 'v' || n, now(), 0,
                (ARRAY['open', 'pending', 'snoozed', 'resolved'])[1 + n % 4],
                CASE WHEN n % 3 = 0 THEN NULL ELSE n % 7 END,
                now() - make_interval(secs => n)
            FROM generate_series(1, 10000) AS n
            """
        )
        cursor.execute("ANALYZE chat_room")
        params = {"status": "open", "user": 3, "agent": AGENT, "limit": 51, "at": None, "id": None}
        plans = {}
        for view in ("all", "mine", "unassigned"):
            cursor.execute("EXPLAIN " + inbox_sql(view=view, paged=False), params)
            plans[view] = "\n".join(row[0] for row in cursor.fetchall())
        last = inbox(limit=50).rows[-1].room
        cursor.execute(
            "EXPLAIN " + inbox_sql(view="all", paged=True),
            {**params, "at": last.last_activity_at, "id": last.id},
        )
        plans["paged"] = "\n".join(row[0] for row in cursor.fetchall())
    assert "chat_room_inbox " in plans["all"] + " ", plans["all"]
    assert "chat_room_inbox_assignee" in plans["mine"], plans["mine"]
    for name, plan in plans.items():
        assert "Seq Scan on chat_room" not in plan, (name, plan)
        assert not re.search(r"\bSort\b", plan), (name, plan)  # the index gives the order
