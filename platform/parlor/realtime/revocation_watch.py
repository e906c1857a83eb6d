"""Every process closes its sockets whose token was revoked, whenever the revocation was made.

A revocation is announced on the channel layer when it commits, which closes the sockets open
at that moment. A socket opened a little later, on a process whose handshake cache (up to
`AUTH_CACHE_SECONDS` old) has not seen the revocation yet, would miss that announcement and
live on; so would every socket if the announcement is lost. Here each process polls, twice a
second, the revocations made recently for the tenants it has sockets of, and hands them to
those sockets just as an announcement would: no revoked token stays usable for more than
about `AUTH_CACHE_SECONDS + POLL_INTERVAL_SECONDS` on any process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from parlor.base.db import in_public_schema
from parlor.base.events import AuthRevoked
from parlor.realtime.auth_session import SocketAuth
from tenants.revocation import revocations_recent

logger = logging.getLogger(__name__)

POLL_INTERVAL_SECONDS = 0.5
# Revocations this recent are handed to every socket at each poll (closing twice is harmless).
# Far longer than the handshake cache, so clock skew between processes and slow commits fit.
RECENT_SECONDS = 15.0


class Watched(Protocol):
    """A socket whose token the watcher checks."""

    auth: SocketAuth

    def auth_revoked(self, event: AuthRevoked) -> None:
        """Close the socket if `event` covers its token."""


class RevocationWatcher:
    """Polls recent revocations for the tenants with open sockets (one per event loop)."""

    def __init__(self) -> None:
        self.sockets: dict[int, set[Watched]] = {}
        self.task: asyncio.Task | None = None
        self.last_poll = time.monotonic()
        self.failing = False

    def watch(self, socket: Watched) -> None:
        """Check `socket`'s token at every poll from now on."""
        self.sockets.setdefault(socket.auth.principal.tenant.id, set()).add(socket)
        if self.task is None or self.task.done():
            self.last_poll = time.monotonic()
            self.task = asyncio.ensure_future(self._poll_forever())

    def unwatch(self, socket: Watched) -> None:
        """Stop checking `socket` (it closed)."""
        tenant_id = socket.auth.principal.tenant.id
        sockets = self.sockets.get(tenant_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self.sockets[tenant_id]

    async def _poll_forever(self) -> None:
        while self.sockets:
            await asyncio.sleep(POLL_INTERVAL_SECONDS)
            await self.poll()
        self.task = None

    async def poll(self) -> None:
        """Hand every recent revocation of a watched tenant to that tenant's sockets."""
        if not self.sockets:
            return
        # After a failed poll (the database away), look back over the whole time missed.
        window = RECENT_SECONDS + time.monotonic() - self.last_poll
        try:
            events = await in_public_schema(
                revocations_recent, tenant_ids=list(self.sockets), seconds=window
            )
        except Exception as error:
            if not self.failing:
                logger.warning("revocation poll failed (%s); retrying", type(error).__name__)
            self.failing = True
            return
        self.failing = False
        self.last_poll = time.monotonic()
        for event in events:
            for socket in tuple(self.sockets.get(event.tenant_id, ())):
                socket.auth_revoked(event)


_watchers: dict[int, tuple[asyncio.AbstractEventLoop, RevocationWatcher]] = {}


def revocation_watcher() -> RevocationWatcher:
    """Return this event loop's revocation watcher."""
    loop = asyncio.get_running_loop()
    entry = _watchers.get(id(loop))
    if entry is None or entry[0] is not loop:
        entry = _watchers[id(loop)] = (loop, RevocationWatcher())
    return entry[1]
