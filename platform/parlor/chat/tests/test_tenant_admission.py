"""Each tenant's places in the process's message writer, and its messages-a-minute bucket."""

from __future__ import annotations

import asyncio

import pytest

from parlor.base.identity import TenantRef
from parlor.base.schemas import tenant_schema
from parlor.chat import ingest
from parlor.chat.ingest import MessageWriter, TenantAdmission
from parlor.chat.limits import TenantMessageQuota

A = tenant_schema(TenantRef(id=1, slug="a", schema_name="a"))
B = tenant_schema(TenantRef(id=2, slug="b", schema_name="b"))


async def test_a_tenant_over_its_places_waits_while_another_tenant_goes_ahead():
    admission = TenantAdmission(2)
    await admission.acquire(A)
    await admission.acquire(A)
    third = asyncio.ensure_future(admission.acquire(A))
    await asyncio.sleep(0)
    assert not third.done(), "A's third send waits for a place"
    await asyncio.wait_for(admission.acquire(B), 1)  # B is not behind A's backlog
    admission.release(A)
    await asyncio.wait_for(third, 1)
    assert admission.in_flight == {A: 2, B: 1}
    for schema in (A, A, B):
        admission.release(schema)
    assert admission.in_flight == {} and admission.waiting == {}


async def test_a_waiting_send_that_goes_away_gives_no_place_away():
    admission = TenantAdmission(1)
    await admission.acquire(A)
    gone = asyncio.ensure_future(admission.acquire(A))
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    admission.release(A)
    assert admission.in_flight == {}
    await asyncio.wait_for(admission.acquire(A), 1)


async def test_no_cap_when_the_limit_is_zero():
    admission = TenantAdmission(0)
    for _ in range(1000):
        await admission.acquire(A)
    assert admission.in_flight[A] == 1000


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_tenant_gets_a_minutes_worth_then_its_rate_and_another_tenant_its_own():
    clock = Clock()
    quota = TenantMessageQuota(clock=clock)
    assert all(quota.take(tenant_id=1, per_minute=60) for _ in range(60))
    assert not quota.take(tenant_id=1, per_minute=60)
    assert quota.take(tenant_id=2, per_minute=60), "tenant 2 has a bucket of its own"
    clock.now += 1.0  # one second: one message at 60 a minute
    assert quota.take(tenant_id=1, per_minute=60)
    assert not quota.take(tenant_id=1, per_minute=60)
    assert quota.take(tenant_id=1, per_minute=120), "a changed quota starts a full bucket"


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
