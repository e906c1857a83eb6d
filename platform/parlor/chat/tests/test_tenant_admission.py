"""Each tenant's places in the process's message writer, and its messages-a-minute bucket."""

from __future__ import annotations

import asyncio

import pytest

from parlor.base.identity import TenantRef
from parlor.base.schemas import tenant_schema
from parlor.chat.ingest import TenantAdmission
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
