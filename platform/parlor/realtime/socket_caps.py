"""Caps on concurrent sockets per client IP and per principal, counted in this process.

Per process, knowingly: a count shared in Redis would add a round trip to every connect and
leak the slots of a process that dies. The caps guard what they exist for, the memory and
tasks of one process; behind a load balancer of N processes one IP may hold up to N times
`SOCKETS_PER_IP` in all (docs/protocol.md, Limits).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from parlor.base.conf import setting
from parlor.base.identity import Principal


@dataclass(frozen=True)
class SocketSlots:
    """The counters one socket holds while it is open."""

    address: str
    principal: str


class SocketCaps:
    """Counts this process's open sockets per address and per principal against the caps."""

    def __init__(self) -> None:
        self.open: Counter[str] = Counter()

    def acquire(self, slots: SocketSlots) -> bool:
        """Take one slot of each counter and return True, or take none and return False."""
        keys = (slots.address, slots.principal)
        caps = (setting("SOCKETS_PER_IP"), setting("SOCKETS_PER_PRINCIPAL"))
        if any(self.open[key] >= cap for key, cap in zip(keys, caps, strict=True)):
            return False
        self.open.update(keys)
        return True

    def release(self, slots: SocketSlots) -> None:
        """Give back the slots of a socket that has ended."""
        for key in (slots.address, slots.principal):
            self.open[key] -= 1
            if self.open[key] <= 0:
                del self.open[key]


def socket_slots(*, address: str, principal: Principal) -> SocketSlots:
    """Return the counters of a socket from `address` authenticated as `principal`."""
    return SocketSlots(
        address=f"ip:{address}",
        principal=f"principal:{principal.tenant.id}:{principal.kind.value}:{principal.subject}",
    )


# One per process: every socket of the process is counted in it (the event loop is one thread).
SOCKET_CAPS = SocketCaps()
