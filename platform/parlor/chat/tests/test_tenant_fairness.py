"""Each tenant's share of the process's message writer."""

from __future__ import annotations

import asyncio

import pytest

from parlor.base.identity import TenantRef
from parlor.base.schemas import tenant_schema
from parlor.chat import ingest
from parlor.chat.ingest import MessageWriter

A = tenant_schema(TenantRef(id=1, slug="a", schema_name="a"))
B = tenant_schema(TenantRef(id=2, slug="b", schema_name="b"))


class StuckCommits:
    """Stands in for the database: each tenant's commits wait until the test lets them go."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, int]] = []
        self.release: dict[str, asyncio.Event] = {}

    async def __call__(self, batch: list) -> list:
        schema = batch[0].schema
        self.batches.append((schema.name, len(batch)))
        await self.release.setdefault(schema.name, asyncio.Event()).wait()
        return [pending.params["n"] for pending in batch]


@pytest.fixture
def commits(monkeypatch) -> StuckCommits:
    stuck = StuckCommits()
    monkeypatch.setattr(ingest, "_commit", stuck)
    monkeypatch.setattr(ingest.statements, "sent_from_row", lambda row: row)
    return stuck


def _send(writer: MessageWriter, schema, n: int) -> asyncio.Future:
    return asyncio.ensure_future(
        writer.store(schema=schema, params={"n": n}, begins_conversation=False)
    )


async def test_another_tenants_send_does_not_wait_for_a_backlogs_commit(commits):
    writer = MessageWriter(batch_max=200, writers=2)
    a_first = _send(writer, A, 1)
    await asyncio.sleep(0)
    a_backlog = [_send(writer, A, n) for n in (2, 3, 4)]
    b_send = _send(writer, B, 10)
    commits.release["b"] = asyncio.Event()
    commits.release["b"].set()
    assert await asyncio.wait_for(b_send, 1) == 10, "B committed while A's batch is stuck"
    assert not a_first.done()
    # A's lane writes one batch at a time: its backlog waits, then goes as one batch.
    assert commits.batches == [("a", 1), ("b", 1)]
    commits.release["a"].set()
    assert await asyncio.wait_for(asyncio.gather(a_first, *a_backlog), 1) == [1, 2, 3, 4]
    assert commits.batches == [("a", 1), ("b", 1), ("a", 3)]
    assert writer.tasks == {} and writer.queues == {}


async def test_lanes_beyond_the_writers_wait_their_turn(commits):
    writer = MessageWriter(batch_max=200, writers=1)
    a_send = _send(writer, A, 1)
    await asyncio.sleep(0)
    b_send = _send(writer, B, 2)
    commits.release["b"] = asyncio.Event()
    commits.release["b"].set()
    await asyncio.sleep(0.01)
    assert not b_send.done(), "one writer: B's batch waits for A's to commit"
    commits.release["a"].set()
    assert await asyncio.wait_for(asyncio.gather(a_send, b_send), 1) == [1, 2]


async def test_a_lone_tenants_backlog_goes_in_one_batch_past_its_share(commits):
    writer = MessageWriter(batch_max=200, tenant_max=2, writers=1)
    first = _send(writer, A, 1)
    await asyncio.sleep(0)
    backlog = [_send(writer, A, n) for n in range(2, 7)]
    await asyncio.sleep(0)
    commits.release["a"].set()
    assert await asyncio.wait_for(asyncio.gather(first, *backlog), 1) == [1, 2, 3, 4, 5, 6]
    # No other lane waits for the writer: the backlog that fell behind catches up at once.
    assert commits.batches == [("a", 1), ("a", 5)]


async def test_while_another_lane_waits_a_batch_holds_the_tenants_share(commits):
    writer = MessageWriter(batch_max=200, tenant_max=2, writers=1)
    commits.release["b"] = asyncio.Event()
    commits.release["b"].set()
    a_first = _send(writer, A, 1)
    await asyncio.sleep(0)
    b_sends = [_send(writer, B, n) for n in range(10, 15)]  # B's lane waits for the writer
    await asyncio.sleep(0)
    a_second = _send(writer, A, 2)
    await asyncio.sleep(0)
    commits.release["a"].set()
    assert await asyncio.wait_for(asyncio.gather(*b_sends), 1) == [10, 11, 12, 13, 14]
    assert await asyncio.wait_for(a_second, 1) == 2 and a_first.result() == 1
    # B's backlog goes two at a time while A's lane waits, then the rest at once.
    assert commits.batches == [("a", 1), ("b", 2), ("a", 1), ("b", 3)]
