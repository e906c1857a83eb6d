"""The rooms one socket follows: joining with catch-up, in-order delivery, gaps, room events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from parlor.base.conf import setting
from parlor.base.groups import room_group_name
from parlor.base.identity import TenantRef
from parlor.chat import frames, store
from parlor.chat.broadcast import EVENT_ROOM_MESSAGE, message_item
from parlor.chat.delivery import RoomStream
from parlor.chat.fanout import room_fanout
from parlor.chat.frames import encode
from parlor.chat.presence import PresenceChange, presence_store
from parlor.chat.records import RoomJoined
from parlor.realtime import protocol
from parlor.realtime.auth_session import SocketAuth

# Channel-layer event types (between server processes, never seen by clients).
# Room events carry `group` (the fan-out routes on it) and `room`.
EVENT_ROOM_EVENT = "room.event"  # an ephemeral frame for a room: text, skip (a channel)
EVENT_ROOM_GAP = "room.gap"  # to self: fill a gap in a room's stream from storage


class RoomFollower:
    """Follows a socket's rooms through the process fan-out and pushes their frames in order."""

    def __init__(
        self,
        *,
        tenant: TenantRef,
        auth: SocketAuth,
        channel_layer: Any,
        channel_name: str,
        push: Callable[[str], None],
        page_size: int,
    ) -> None:
        self.tenant = tenant
        self.auth = auth
        self.layer = channel_layer
        self.channel_name = channel_name
        self.push = push
        self.page_size = page_size
        self.fanout = room_fanout(channel_layer)
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
        await self.fanout.subscribe(group, self)
        try:
            joined = await store.room_join(
                tenant=self.tenant,
                room_id=room,
                principal=self.auth.principal,
                since_seq=since_seq,
                recent=setting("JOIN_RECENT"),
                page_size=self.page_size,
            )
            # The snapshot goes out in `joined`; later changes come as deltas, held until then.
            presence = await presence_store().enter(group, self.channel_name, self._member())
        except Exception:
            if not rejoining:
                await self.leave(room, announce=False)
            raise
        await self._send_joined(joined, since_seq, re, presence)
        if presence.changed:
            delta = _presence(room, presence, joined=(self._member(),))
            await self.broadcast(room, delta, skip_self=True)

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
        await self.fanout.unsubscribe(room_group_name(self.tenant.id, room), self)
        if announce:
            await self._presence_leave(room)

    async def leave_all(self) -> None:
        """Stop the gap timers and leave every room, presence included."""
        for task in self.gap_checks.values():
            task.cancel()
        for room in list(self.streams):
            await self.leave(room)

    def fanout_receive(self, event: dict[str, Any]) -> None:
        """Take a room event from the process fan-out: the hot path, no await, no copy."""
        room = event["room"]
        stream = self.streams.get(room)
        if stream is None:
            return
        if event["type"] == EVENT_ROOM_MESSAGE:
            for text in stream.accept(event["seq"], event["text"]):
                self.push(text)
            if stream.has_gap:
                self._watch_gap(room, stream)
        elif event.get("skip") != self.channel_name:
            if stream.catching_up:
                stream.hold(event["text"])
            else:
                self.push(event["text"])

    def _watch_gap(self, room: str, stream: RoomStream) -> None:
        waiting = self.gap_checks.get(room)
        if waiting is not None and not stream.overflowing:
            return
        if waiting is not None:
            waiting.cancel()
        delay = 0 if stream.overflowing else setting("GAP_WAIT_SECONDS")
        self.gap_checks[room] = asyncio.ensure_future(self._ask_gap_fill(room, delay))

    async def _ask_gap_fill(self, room: str, delay: float) -> None:
        # Through the layer, so the fill runs in turn with the other events of this socket.
        await asyncio.sleep(delay)
        await self.layer.send(self.channel_name, {"type": EVENT_ROOM_GAP, "room": room})

    async def gap_fill(self, room: str) -> None:
        """Fetch from storage the messages a room's stream is still missing."""
        self.gap_checks.pop(room, None)
        stream = self.streams.get(room)
        if stream is None or not stream.has_gap:
            return
        await self._fill_from_storage(room, stream, upto=stream.gap_end)

    async def broadcast(self, room: str, frame: dict[str, Any], *, skip_self: bool = False) -> None:
        """Send an unstored frame to the room's sockets (all but this one with `skip_self`)."""
        group = room_group_name(self.tenant.id, room)
        event = {"type": EVENT_ROOM_EVENT, "group": group, "room": room, "text": encode(frame)}
        if skip_self:
            event["skip"] = self.channel_name
        await self.layer.group_send(group, event)

    def _member(self) -> dict[str, str]:
        return frames.sender_of(self.auth.principal)

    async def _presence_leave(self, room: str) -> None:
        member = self._member()
        group = room_group_name(self.tenant.id, room)
        presence = await presence_store().leave(group, self.channel_name, member)
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
