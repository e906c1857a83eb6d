"""Tests of the hello's availability read: once a second per tenant, refreshed by changes here."""

from __future__ import annotations

import pytest

from parlor.chat import availability
from parlor.chat.tests.support import tenant_ref


@pytest.fixture
def reads(monkeypatch):
    """Count presence reads; answer with the value in the returned dict."""
    state = {"reads": 0, "available": False}

    async def fake_agents_available(*, tenant, channel_layer=None):
        state["reads"] += 1
        return state["available"]

    monkeypatch.setattr(availability, "agents_available", fake_agents_available)
    monkeypatch.setattr(availability, "_hello_cache", {})
    return state


async def test_hellos_of_one_tenant_share_one_read_a_second(tenant_alpha, reads):
    tenant, layer = tenant_ref(tenant_alpha), object()
    for _ in range(50):
        assert (
            await availability.agents_available_for_hello(tenant=tenant, channel_layer=layer)
            is False
        )
    assert reads["reads"] == 1


async def test_tenants_are_read_apart(tenant_alpha, tenant_bravo, reads):
    layer = object()
    reads["available"] = True
    alpha, bravo = tenant_ref(tenant_alpha), tenant_ref(tenant_bravo)
    assert await availability.agents_available_for_hello(tenant=alpha, channel_layer=layer)
    reads["available"] = False
    assert not await availability.agents_available_for_hello(tenant=bravo, channel_layer=layer)
    assert await availability.agents_available_for_hello(tenant=alpha, channel_layer=layer)
    assert reads["reads"] == 2


async def test_an_announced_change_in_this_process_reaches_the_next_hello(tenant_alpha, reads):
    tenant, layer = tenant_ref(tenant_alpha), object()
    assert not await availability.agents_available_for_hello(tenant=tenant, channel_layer=layer)
    reads["available"] = True
    await availability.availability_announce(tenant=tenant, before=True, channel_layer=layer)
    assert await availability.agents_available_for_hello(tenant=tenant, channel_layer=layer)


async def test_an_expired_entry_is_read_again(tenant_alpha, reads, monkeypatch):
    tenant, layer = tenant_ref(tenant_alpha), object()
    await availability.agents_available_for_hello(tenant=tenant, channel_layer=layer)
    monkeypatch.setattr(availability, "HELLO_AVAILABLE_SECONDS", -1.0)
    availability._hello_cache.clear()
    await availability.agents_available_for_hello(tenant=tenant, channel_layer=layer)
    await availability.agents_available_for_hello(tenant=tenant, channel_layer=layer)
    assert reads["reads"] == 3
