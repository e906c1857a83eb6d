"""Caps on concurrent sockets per client IP, per principal and per tenant, counted in this process.

Per process, knowingly: a count shared in Redis would add a round trip to every connect and
leak the slots of a process that dies. The caps guard what they exist for, the memory and
tasks of one process; behind a load balancer of N processes one IP may hold up to N times
`SOCKETS_PER_IP` in all (docs/protocol.md, Limits). The tenant's cap is its plan's quota of
concurrent sockets (tenants.quotas), counted the same way (docs/quotas.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum

from parlor.base.conf import setting
from parlor.base.identity import Principal


@dataclass(frozen=True)
class SocketSlots:
    """The counters one socket holds while it is open."""

    address: str
    principal: str
    tenant: str
    tenant_cap: int

    @property
    def keys(self) -> tuple[str, str, str]:
        return (self.address, self.principal, self.tenant)


class Refusal(Enum):
    """Which cap refused a socket: the platform's own (4429) or the tenant's quota (4423)."""

    SOCKETS = "too_many_sockets"
    TENANT_QUOTA = "quota_exceeded"


class SocketCaps:
    """Counts this process's open sockets per address, principal and tenant against the caps."""

    def __init__(self) -> None:
        self.open: Counter[str] = Counter()

    def acquire(self, slots: SocketSlots) -> Refusal | None:
        """Take one slot of each counter and return None, or take none and say which cap refused."""
        if self.open[slots.tenant] >= slots.tenant_cap:
            return Refusal.TENANT_QUOTA
        caps = (setting("SOCKETS_PER_IP"), setting("SOCKETS_PER_PRINCIPAL"))
        if any(self.open[key] >= cap for key, cap in zip(slots.keys[:2], caps, strict=True)):
            return Refusal.SOCKETS
        self.open.update(slots.keys)
        return None

    def tenant_open(self, tenant_id: int) -> int:
        """Return how many sockets of the tenant this process holds open."""
        return self.open.get(f"tenant:{tenant_id}", 0)

    def tenant_counts(self) -> dict[int, int]:
        """Return this process's open sockets per tenant id."""
        return {
            int(key.removeprefix("tenant:")): count
            for key, count in self.open.items()
            if key.startswith("tenant:") and count > 0
        }

    def release(self, slots: SocketSlots) -> None:
        """Give back the slots of a socket that has ended."""
        for key in slots.keys:
            self.open[key] -= 1
            if self.open[key] <= 0:
                del self.open[key]


def socket_slots(*, address: str, principal: Principal, tenant_cap: int) -> SocketSlots:
    """Return the counters of a socket from `address` authenticated as `principal`."""
    return SocketSlots(
        address=f"ip:{address}",
        principal=f"principal:{principal.tenant.id}:{principal.kind.value}:{principal.subject}",
        tenant=f"tenant:{principal.tenant.id}",
        tenant_cap=tenant_cap,
    )


# One per process: every socket of the process is counted in it (the event loop is one thread).
SOCKET_CAPS = SocketCaps()
