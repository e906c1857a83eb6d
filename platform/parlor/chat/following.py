"""The rooms one socket follows: joining with catch-up, in-order delivery, gaps, room events."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import Any

from parlor.base.conf import setting
from parlor.base.groups import room_group_name
from parlor.base.identity import TenantRef
from parlor.chat import frames, store
from parlor.chat.broadcast import message_item
from parlor.chat.delivery import RoomStream
from parlor.chat.events import RoomEvent, RoomMessage
from parlor.chat.fanout import GroupListener, LayerFaults, ProcessFanout, publish
from parlor.chat.frames import encode
from parlor.chat.presence import PresenceChange, presence_store
from parlor.chat.records import RoomJoined
from parlor.realtime import protocol
from parlor.realtime.auth_session import SocketAuth

logger = logging.getLogger(__name__)

# Presence lives in the channel layer's Redis: while it is down, joins still work (the
# `joined` frame lists only the joiner) and every room enters presence again on recovery.
PRESENCE_FAULTS = LayerFaults("presence")
# A gap fill that fails (the database is away) is tried again after this long.
GAP_RETRY_SECONDS = 1.0

_fill_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def fill_slots() -> asyncio.Semaphore:
    """Return the running loop's bound on storage fills running at once (its pool's size)."""
    # After a layer outage every socket of the process catches up at once: thousands of fills
    # asking the pool together would time out in it and retry together, for ever. In turn,
    # they queue here instead, and each holds a pool connection only while it reads.
    loop = asyncio.get_running_loop()
    slots = _fill_slots.get(loop)
    if slots is None:
        slots = _fill_slots[loop] = asyncio.Semaphore(setting("DB_POOL_MAX_SIZE"))
    return slots


class RoomFollower:
    """Follows a socket's rooms through the process fan-out and pushes their frames in order."""

    # One per socket: slots keep an idle socket small (issue 11).
    __slots__ = ("auth", "fanout", "gap_checks", "listener", "page_size", "push", "socket_id",
                 "streams", "tenant")  # fmt: skip

    def __init__(
        self,
        *,
        tenant: TenantRef,
        auth: SocketAuth,
        fanout: ProcessFanout,
        listener: GroupListener,
        socket_id: str,
        push: Callable[[str], None],
        page_size: int,
    ) -> None:
        self.tenant = tenant
        self.auth = auth
        self.fanout = fanout
        self.listener = listener
        self.socket_id = socket_id
        self.push = push
        self.page_size = page_size
        self.streams: dict[str, RoomStream] = {}
        self.gap_checks: dict[str, asyncio.Task] = {}

    def __contains__(self, room: str) -> bool:
        return room in self.streams

    def __len__(self) -> int:
        return len(self.streams)

    def rooms(self) -> list[str]:
        """Return the rooms followed now."""
        return list(self.streams)

    async def join(self, room: str, *, since_seq: int | None, re: str | None) -> None:
        """Subscribe first, then fetch what was missed, so nothing falls between the two."""
        # The new stream holds live messages until storage says where the catch-up ends.
        rejoining = room in self.streams
        self.streams[room] = RoomStream()
        group = room_group_name(self.tenant.id, room)
        await self.fanout.subscribe(group, self.listener)
        try:
            joined = await store.room_join(
                tenant=self.tenant,
                room_id=room,
                principal=self.auth.principal,
                since_seq=since_seq,
                recent=setting("JOIN_RECENT"),
                page_size=self.page_size,
            )
        except Exception:
            if not rejoining:
                await self.leave(room, announce=False)
            raise
        # The snapshot goes out in `joined`; later changes come as deltas, held until then.
        # The others hear of this join first: once the joiner sees `joined`, the delta is out.
        presence = await self._presence_enter(group)
        if presence.changed:
            delta = _presence(room, presence, joined=(self._member(),))
            await self.broadcast(room, delta, skip_self=True)
        await self._send_joined(joined, since_seq, re, presence)

    async def _presence_enter(self, group: str) -> PresenceChange:
        try:
            presences = await presence_store(self.fanout.layer)
            presence = await presences.enter(group, self.socket_id, self._member())
        except Exception as error:
            PRESENCE_FAULTS.failed(error)
            return PresenceChange(changed=False, online_count=1, online=[self._member()])
        PRESENCE_FAULTS.succeeded()
        return presence

    async def _send_joined(
        self, joined: RoomJoined, since: int | None, re: str | None, presence: PresenceChange
    ) -> None:
        stream = self.streams[joined.room_id]
        messages = joined.page.messages
        newest = max(joined.last_seq, messages[-1].seq if messages else 0)
        if since is None:
            start = newest
        else:
            start = min(since, newest)
            messages = [m for m in messages if m.seq > start]
            start = messages[-1].seq if messages else start
        reply = {
            "type": protocol.SERVER_JOINED,
            "room": joined.room_id,
            "kind": joined.kind,
            "last_seq": newest,
            "read_seq": joined.read_seq,
            "messages": [message_item(m) for m in messages],
            "online": presence.online,
            "online_count": presence.online_count,
        }
        self.push(encode(frames.reply(re, **reply)))
        for text in stream.start(start):
            self.push(text)
        if since is not None and joined.page.has_more:
            await self._fill_from_storage(joined.room_id, stream, upto=None)

    async def _fill_from_storage(self, room: str, stream: RoomStream, upto: int | None) -> None:
        """Send the room's stored messages after `stream.delivered` (up to `upto`), in order."""
        while upto is None or stream.delivered < upto - 1:
            page = await store.message_list(
                tenant=self.tenant,
                room_id=room,
                after=stream.delivered,
                limit=self.page_size,
            )
            if self.streams.get(room) is not stream:
                return  # left or re-joined meanwhile
            for message in page.messages:
                for text in stream.accept(message.seq, encode(frames.message_fields(message))):
                    self.push(text)
            if not page.has_more or not page.messages:
                return

    async def leave(self, room: str, *, announce: bool = True) -> None:
        """Stop following `room`; with `announce`, tell its members this principal went."""
        self.streams.pop(room, None)
        waiting = self.gap_checks.pop(room, None)
        if waiting is not None:
            waiting.cancel()
        await self.fanout.unsubscribe(room_group_name(self.tenant.id, room), self.listener)
        if announce:
            await self._presence_leave(room)

    async def leave_all(self) -> None:
        """Stop the gap timers and leave every room, presence included."""
        for task in self.gap_checks.values():
            task.cancel()
        self.gap_checks.clear()
        for room in list(self.streams):
            await self.leave(room)

    # Events from the fan-out: the hot path, no await, no copy.

    def message_receive(self, event: RoomMessage) -> None:
        """Take a stored message: pass it on in seq order, or hold it and watch the gap."""
        stream = self.streams.get(event.room)
        if stream is None:
            return
        for text in stream.accept(event.seq, event.text):
            self.push(text)
        if stream.has_gap:
            self._watch_gap(event.room, stream)

    def event_receive(self, event: RoomEvent) -> None:
        """Take an unstored room frame: pass it on, or hold it while the room catches up."""
        stream = self.streams.get(event.room)
        if stream is None or event.skip == self.socket_id:
            return
        if stream.catching_up:
            stream.hold(event.text)
        else:
            self.push(event.text)

    def catch_up_all(self) -> None:
        """After the layer was away: enter presence again and fetch every room's missed messages."""
        for room in self.streams:
            self._schedule_fill(room, 0, upto_gap=False)

    # Gaps: a later seq arrived first, or the layer lost publishes.

    def _watch_gap(self, room: str, stream: RoomStream) -> None:
        waiting = self.gap_checks.get(room)
        if waiting is not None and not stream.overflowing:
            return
        delay = 0 if stream.overflowing else setting("GAP_WAIT_SECONDS")
        self._schedule_fill(room, delay, upto_gap=True)

    def _schedule_fill(self, room: str, delay: float, *, upto_gap: bool) -> None:
        waiting = self.gap_checks.get(room)
        if waiting is not None:
            waiting.cancel()
        self.gap_checks[room] = asyncio.ensure_future(self._fill_later(room, delay, upto_gap))

    async def _fill_later(self, room: str, delay: float, upto_gap: bool) -> None:
        # A task per room with a gap, not per socket: it ends when the gap is filled, and a
        # failure (database away) is retried here rather than left behind as a dead task.
        await asyncio.sleep(delay)
        while True:
            try:
                async with fill_slots():
                    await self._fill(room, upto_gap)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("gap fill failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(GAP_RETRY_SECONDS)
                continue
            break
        if self.gap_checks.get(room) is asyncio.current_task():
            del self.gap_checks[room]

    async def _fill(self, room: str, upto_gap: bool) -> None:
        stream = self.streams.get(room)
        if stream is None or stream.catching_up:
            return
        if not upto_gap:
            await self._presence_enter(room_group_name(self.tenant.id, room))
            await self._fill_from_storage(room, stream, upto=None)
        elif stream.has_gap:
            await self._fill_from_storage(room, stream, upto=stream.gap_end)

    async def broadcast(self, room: str, frame: dict[str, Any], *, skip_self: bool = False) -> None:
        """Send an unstored frame to the room's sockets (all but this one with `skip_self`)."""
        group = room_group_name(self.tenant.id, room)
        skip = self.socket_id if skip_self else None
        event = RoomEvent(group=group, room=room, text=encode(frame), skip=skip)
        await publish(self.fanout.layer, group, event)

    def _member(self) -> dict[str, str]:
        return frames.sender_of(self.auth.principal)

    async def _presence_leave(self, room: str) -> None:
        member = self._member()
        group = room_group_name(self.tenant.id, room)
        try:
            presences = await presence_store(self.fanout.layer)
            presence = await presences.leave(group, self.socket_id, member)
        except Exception as error:
            PRESENCE_FAULTS.failed(error)
            return
        if presence.changed:
            await self.broadcast(room, _presence(room, presence, left=(member,)))


def _presence(
    room: str,
    presence: PresenceChange,
    *,
    joined: tuple[dict[str, str], ...] = (),
    left: tuple[dict[str, str], ...] = (),
) -> dict[str, Any]:
    return {
        "type": protocol.SERVER_PRESENCE,
        "room": room,
        "joined": list(joined),
        "left": list(left),
        "online_count": presence.online_count,
    }
