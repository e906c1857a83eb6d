"""Agent availability per tenant: online, away or offline, and whether anyone can answer.

An agent chooses online or away (stored: `AgentAvailability`); an agent with no open socket
is offline whatever they chose. Open agent sockets are counted per person in the presence
store (parlor.chat.presence, keyed by the tenant's agents group), so the last tab closing
takes the agent offline. The widget says "online" when `agents_available` is true, and every
socket of the tenant gets an `availability` frame when that answer changes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.layers import get_channel_layer

from parlor.base.db import in_schema
from parlor.base.groups import tenant_agents_group_name, tenant_group_name
from parlor.base.identity import Principal, TenantRef
from parlor.chat.events import TenantFrame
from parlor.chat.fanout import publish
from parlor.chat.frames import encode, sender_of
from parlor.chat.models import AgentAvailability
from parlor.chat.presence import Member, presence_store
from parlor.realtime import protocol

logger = logging.getLogger(__name__)
PRESENCE_TIMEOUT_SECONDS = 2.0
AWAY_CACHE_SECONDS = 2.0
_away_cache: dict[str, tuple[float, frozenset[int]]] = {}
# Every visitor's hello carries `agents_available`: one presence read per tenant and layer per
# HELLO_AVAILABLE_SECONDS, not a Redis round trip per connect (issue 11). This process's own
# changes refresh it at once (availability_announce); another process's within that time.
HELLO_AVAILABLE_SECONDS = 1.0
HELLO_CACHE_MAX = 4096
_hello_cache: dict[tuple[int, int], tuple[float, bool]] = {}
ONLINE = "online"
AWAY = "away"
OFFLINE = "offline"
CHOSEN = (ONLINE, AWAY)
# Staff agents' token subjects (parlor.team.services.STAFF_SUBJECT_PREFIX, a lower layer's
# constant restated: chat may not import team).
STAFF_PREFIX = "staff-"


def staff_user_id(subject: str) -> int | None:
    """Return the staff user's pk an agent subject names, or None (an API-minted agent)."""
    if subject.startswith(STAFF_PREFIX) and subject[len(STAFF_PREFIX) :].isdigit():
        return int(subject[len(STAFF_PREFIX) :])
    return None


def away_users() -> frozenset[int]:
    """Return the staff users of the current tenant schema who chose away."""
    rows = AgentAvailability.objects.filter(status=AWAY)
    return frozenset(rows.values_list("user_id", flat=True))


async def _away_of(tenant: TenantRef) -> frozenset[int]:
    # Every visitor's hello asks: a short per-process cache keeps that off the database.
    # This process's own changes clear it at once; another process's show within seconds.
    now = time.monotonic()
    cached = _away_cache.get(tenant.schema_name)
    if cached is not None and cached[0] > now:
        return cached[1]
    away = await in_schema(tenant.schema_name, away_users)
    _away_cache[tenant.schema_name] = (now + AWAY_CACHE_SECONDS, away)
    return away


def availability_choose(*, user_id: int, status: str) -> None:
    """Store the availability a staff user chose (online or away)."""
    if status not in CHOSEN:
        raise ValueError(f"availability must be one of {CHOSEN}")
    AgentAvailability.objects.update_or_create(user_id=user_id, defaults={"status": status})


def availability_chosen(*, user_id: int) -> str:
    """Return the availability a staff user chose (online unless they chose away)."""
    row = AgentAvailability.objects.filter(user_id=user_id).values_list("status", flat=True)
    return row.first() or ONLINE


async def agents_online(*, tenant: TenantRef, channel_layer: Any = None) -> list[Member]:
    """Return the tenant's agents with an open socket who did not choose away.

    With the presence store unreachable (Redis down), nobody: the widget says "away" and
    takes messages, which is never wrong, and no socket fails for it.
    """
    try:
        async with asyncio.timeout(PRESENCE_TIMEOUT_SECONDS):
            store = await presence_store(channel_layer or get_channel_layer())
            members = await store.members(tenant_agents_group_name(tenant.id))
    except Exception as error:
        logger.warning("agent availability unknown: %s", type(error).__name__)
        return []
    if not any(staff_user_id(member["id"]) is not None for member in members):
        return members
    away = await _away_of(tenant)
    return [m for m in members if staff_user_id(m["id"]) not in away]


async def agents_available(*, tenant: TenantRef, channel_layer: Any = None) -> bool:
    """Return whether any agent of `tenant` is available now (online and not away)."""
    return bool(await agents_online(tenant=tenant, channel_layer=channel_layer))


async def agents_available_for_hello(*, tenant: TenantRef, channel_layer: Any) -> bool:
    """Return `agents_available`, read at most once per HELLO_AVAILABLE_SECONDS per tenant."""
    key = (tenant.id, id(channel_layer))
    now = time.monotonic()
    cached = _hello_cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    available = await agents_available(tenant=tenant, channel_layer=channel_layer)
    _hello_remember(key, available, now)
    return available


def _hello_remember(key: tuple[int, int], available: bool, now: float) -> None:
    if len(_hello_cache) >= HELLO_CACHE_MAX:
        for stale in [k for k, (until, _) in _hello_cache.items() if until <= now]:
            del _hello_cache[stale]
        if len(_hello_cache) >= HELLO_CACHE_MAX:
            _hello_cache.clear()
    _hello_cache[key] = (now + HELLO_AVAILABLE_SECONDS, available)


async def agent_socket_open(*, principal: Principal, socket_id: str, channel_layer: Any) -> bool:
    """Count an agent's new socket; return whether the tenant was available before.

    The caller says hello first, then calls `availability_announce` with that answer.
    """
    return await _socket_change(principal, socket_id, channel_layer, enter=True, announce=False)


async def agent_socket_alive(*, principal: Principal, socket_id: str, channel_layer: Any) -> None:
    """Renew an agent socket's entry (presence entries expire when nobody renews them)."""
    group = tenant_agents_group_name(principal.tenant.id)
    try:
        async with asyncio.timeout(PRESENCE_TIMEOUT_SECONDS):
            store = await presence_store(channel_layer)
            await store.enter(group, socket_id, sender_of(principal))
    except Exception as error:
        logger.warning("agent availability not renewed: %s", type(error).__name__)


async def agent_socket_closed(*, principal: Principal, socket_id: str, channel_layer: Any) -> None:
    """Forget an agent's socket (offline with the last one); announce a change."""
    await _socket_change(principal, socket_id, channel_layer, enter=False, announce=True)


async def _socket_change(
    principal: Principal, socket_id: str, layer: Any, *, enter: bool, announce: bool
) -> bool:
    before = await agents_available(tenant=principal.tenant, channel_layer=layer)
    group = tenant_agents_group_name(principal.tenant.id)
    try:
        async with asyncio.timeout(PRESENCE_TIMEOUT_SECONDS):
            store = await presence_store(layer)
            if enter:
                await store.enter(group, socket_id, sender_of(principal))
            else:
                await store.leave(group, socket_id, sender_of(principal))
    except Exception as error:
        # The socket serves its rooms all the same; availability heals with the next change.
        logger.warning("agent availability not recorded: %s", type(error).__name__)
        return before
    if announce:
        await availability_announce(tenant=principal.tenant, before=before, channel_layer=layer)
    return before


async def agent_availability_set(*, principal: Principal, status: str, channel_layer: Any) -> str:
    """Store a staff agent's chosen availability; announce a change; return it."""
    user_id = staff_user_id(principal.subject)
    if user_id is None or status not in CHOSEN:
        raise ValueError("only staff agents choose online or away.")
    before = await agents_available(tenant=principal.tenant, channel_layer=channel_layer)
    await in_schema(
        principal.tenant.schema_name, availability_choose, user_id=user_id, status=status
    )
    _away_cache.pop(principal.tenant.schema_name, None)
    await availability_announce(tenant=principal.tenant, before=before, channel_layer=channel_layer)
    return status


async def availability_announce(*, tenant: TenantRef, before: bool, channel_layer: Any) -> None:
    """Send `availability` to every socket of the tenant if the answer is no longer `before`."""
    now = await agents_available(tenant=tenant, channel_layer=channel_layer)
    _hello_remember((tenant.id, id(channel_layer)), now, time.monotonic())
    if now == before:
        return
    group = tenant_group_name(tenant.id)
    text = encode({"type": protocol.SERVER_AVAILABILITY, "available": now})
    await publish(channel_layer, group, TenantFrame(group=group, text=text))
