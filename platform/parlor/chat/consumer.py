"""The one WebSocket consumer: many rooms on one socket (protocol in docs/protocol.md)."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.utils import timezone

from parlor.base.conf import setting
from parlor.base.errors import ApplicationError
from parlor.base.groups import tenant_agents_group_name, tenant_group_name
from parlor.base.identity import Principal, TenantRef
from parlor.base.pool import DatabaseFailed
from parlor.base.sweep import wall_sweep
from parlor.base.text_frames import TEXT_WRITE_EXTENSION
from parlor.chat import availability, frames, posting, store
from parlor.chat.broadcast import message_item
from parlor.chat.events import (
    EVENTS,
    ROOM_MESSAGE,
    AgentsInbox,
    AuthRevoked,
    RoomEvent,
    RoomMessage,
    TenantFrame,
)
from parlor.chat.fanout import process_fanout
from parlor.chat.following import RoomFollower
from parlor.chat.frames import FrameError, encode
from parlor.chat.limits import TENANT_MESSAGES, FloodGuard, TokenBucket, Verdict
from parlor.chat.outbox import Outbox
from parlor.chat.permissions import may_join, own_conversation
from parlor.chat.records import MessageSent
from parlor.observability import metrics
from parlor.observability.logs import log_context_set
from parlor.realtime import protocol
from parlor.realtime.auth_session import SocketAuth
from parlor.realtime.revocation_watch import revocation_watcher
from tenants.quota_refusals import quota_refusal_note
from tenants.quotas import MESSAGES_PER_MINUTE, PLANS, Quotas

# EVENT_ROOM_MESSAGE stays importable from here, where tests have always found it.
EVENT_ROOM_MESSAGE = ROOM_MESSAGE
__all__ = ["EVENT_ROOM_MESSAGE", "ChatConsumer"]

logger = logging.getLogger(__name__)
access_log = logging.getLogger("parlor.access")


class ChatConsumer(AsyncWebsocketConsumer):
    """Joins rooms, stores and acknowledges messages, and forwards each room's frames in order."""

    # No Channels groups (Channels would give every instance an empty list of them).
    groups: tuple[str, ...] = ()

    # Channels gives every consumer a channel of its own: a receive task, a queue and a layer
    # subscription per socket, idle or not. This one has none: channel-layer events reach it
    # through the process fan-out (`parlor.chat.fanout`, events in `parlor.chat.events`), and
    # the socket is served by one loop over the client's events.
    async def __call__(self, scope, receive, send) -> None:
        """Serve one socket: dispatch each ASGI event from the client in turn until it closes."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def connect(self) -> None:
        """Accept an authenticated socket, say hello, and follow its token's life."""
        principal: Principal | None = self.scope.get("principal")
        tenant: TenantRef | None = self.scope.get("tenant")
        await self.accept(subprotocol=protocol.SUBPROTOCOL)
        if principal is None or tenant is None or principal.tenant.id != tenant.id:
            # Only reachable without the auth middleware: refuse with the documented code.
            await self.close(code=protocol.CLOSE_TOKEN_INVALID)
            return
        self.tenant = tenant
        self.auth = SocketAuth(principal)
        self.closing = False
        self._load_limits()
        # Tells this socket apart in presence and in `skip` (no channel name of its own).
        self.socket_id = uuid.uuid4().hex
        log_context_set(socket_id=self.socket_id, tenant=tenant.slug)
        metrics.sockets_open.inc()
        self.counted = True
        access_log.info("websocket opened")
        self.fanout = process_fanout(self.channel_layer)
        self.rooms = RoomFollower(
            tenant=tenant,
            auth=self.auth,
            fanout=self.fanout,
            listener=self,
            socket_id=self.socket_id,
            push=self._push,
            page_size=self.limits.history_max,
        )
        self.outbox = Outbox(
            self.base_send,
            max_frames=setting("OUTBOX_MAX_FRAMES"),
            max_stall=setting("OUTBOX_MAX_STALL_SECONDS"),
            text_write=(self.scope.get("extensions") or {}).get(TEXT_WRITE_EXTENSION),
        )
        # Hello is queued before any group is followed: it is always the first frame.
        layer = self.channel_layer
        if principal.is_agent:
            before = await availability.agent_socket_open(
                principal=principal, socket_id=self.socket_id, channel_layer=layer
            )
        hello = self._hello()
        # A visitor's hello may be a second stale (one read per tenant a second, issue 11); an
        # agent's own socket has just changed the answer, so it reads it afresh.
        read = (
            availability.agents_available
            if principal.is_agent
            else availability.agents_available_for_hello
        )
        hello["agents_available"] = await read(tenant=tenant, channel_layer=layer)
        self._queue(hello)
        self.followed: tuple[str, ...] = (tenant_group_name(tenant.id),)
        if principal.is_agent:
            self.followed += (tenant_agents_group_name(tenant.id),)
        for group in self.followed:
            await self.fanout.subscribe(group, self)
        revocation_watcher().watch(self)
        if principal.is_agent:
            # After hello: the first frame on a socket is always `hello`.
            await availability.availability_announce(
                tenant=tenant, before=before, channel_layer=layer
            )
        self._schedule_expiry()
        # Nothing reads the handshake headers after authentication; keep no copy per socket.
        # The list is the token middleware's own (scope_without_token), which the server's
        # scope and the router's copy share: emptied, it frees both.
        headers = self.scope.get("headers")
        if isinstance(headers, list):
            headers.clear()
        self.scope["headers"] = ()

    def _load_limits(self) -> None:
        self.limits = shared_limits(
            setting("BODY_MAX_BYTES"), setting("HISTORY_MAX"), setting("HISTORY_DEFAULT")
        )
        self.frame_max_bytes: int = setting("FRAME_MAX_BYTES")
        self.rooms_max: int = setting("ROOMS_PER_CONNECTION")
        bucket = TokenBucket(rate=setting("RATE_PER_SECOND"), burst=setting("RATE_BURST"))
        self.guard = FloodGuard(bucket, strikes_before_close=setting("RATE_STRIKES_BEFORE_CLOSE"))
        # The tenant's plan quotas, read at the handshake from its cached row (no query).
        quotas: Quotas = self.scope.get("quotas") or PLANS["enterprise"]
        self.messages_per_minute = quotas.messages_per_minute

    @property
    def principal(self) -> Principal:
        return self.auth.principal

    def _hello(self) -> dict[str, Any]:
        return {
            "type": protocol.SERVER_HELLO,
            "principal": frames.sender_of(self.principal),
            "server_time": timezone.now(),
            "conversation": own_conversation(self.principal),
            "limits": {
                "body_bytes": self.limits.body_max_bytes,
                "rooms": self.rooms_max,
                "history": self.limits.history_max,
            },
        }

    async def disconnect(self, code: int) -> None:
        """Leave every room (presence included) and stop the timers."""
        if not hasattr(self, "rooms"):
            return
        if getattr(self, "counted", False):
            self.counted = False
            metrics.sockets_open.dec()
            access_log.info("websocket closed %s", code)
        wall_sweep.cancel(self)
        self.outbox.stop()
        revocation_watcher().unwatch(self)
        for group in self.followed:
            await self.fanout.unsubscribe(group, self)
        if self.principal.is_agent:
            await availability.agent_socket_closed(
                principal=self.principal, socket_id=self.socket_id, channel_layer=self.channel_layer
            )
        await self.rooms.leave_all()

    # Channels' default dispatch closes stale database connections before every event with a
    # thread hop; every database call here goes through database_sync_to_async, which already
    # does that, so the hop would only add latency to every frame.
    async def dispatch(self, message: dict[str, Any]) -> None:
        """Route one ASGI or channel-layer event to its handler."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """Leave everything and stop; as in dispatch, no thread hop to close stale connections."""
        await self.disconnect(message["code"])
        raise StopConsumer()

    # Frames from the client.

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Check one client frame against the limits, parse it and run its handler."""
        if getattr(self, "closing", True):
            return
        if text_data is None:
            self._close(protocol.CLOSE_PROTOCOL_ERROR)
            return
        if self._too_large(text_data):
            self._close(protocol.CLOSE_FRAME_TOO_LARGE)
            return
        verdict = self.guard.check()
        if verdict is not Verdict.ALLOW:
            await self._refuse_flood(verdict)
            return
        try:
            frame = frames.frame_parse(text_data, self.limits)
        except FrameError as error:
            metrics.frame_counter(metrics.frames_in, metrics.OTHER).inc()
            await self._send_error(error.code, error.detail, re=error.re, room=error.room)
            return
        # A parsed frame's type is a known one.
        metrics.frame_counter(metrics.frames_in, frame["type"]).inc()
        await self._run(frame)

    def _too_large(self, text: str) -> bool:
        if len(text) > self.frame_max_bytes:
            return True
        # A character is at most 4 bytes in UTF-8: only long texts need encoding to measure.
        return len(text) * 4 > self.frame_max_bytes and len(text.encode()) > self.frame_max_bytes

    async def _refuse_flood(self, verdict: Verdict) -> None:
        metrics.rate_limit_refusals.labels("frames").inc()
        await self._send_error(protocol.ERROR_RATE_LIMITED, "too many frames; slow down.")
        if verdict is Verdict.CLOSE:
            self._close(protocol.CLOSE_RATE_LIMITED)

    async def _run(self, frame: dict[str, Any]) -> None:
        handler = getattr(self, "on_" + frame["type"].replace(".", "_"))
        try:
            await handler(frame)
        except FrameError as error:
            await self._send_error(error.code, error.detail, re=frame["re"], room=error.room)
        except ApplicationError as error:
            if isinstance(error, DatabaseFailed):
                metrics.backend_errors.labels(error.backend).inc()
            code = error.code if error.code in protocol.ERROR_CODES else protocol.ERROR_BAD_FRAME
            await self._send_error(code, error.detail, re=frame["re"], room=frame.get("room"))
        except Exception:
            metrics.backend_errors.labels("database").inc()
            logger.exception("chat frame %s failed", frame["type"])
            await self._send_error(
                protocol.ERROR_INTERNAL,
                "the server failed; nothing was stored half-way; retry.",
                re=frame["re"],
                room=frame.get("room"),
            )

    async def on_join(self, frame: dict[str, Any]) -> None:
        """Join a room the token grants and catch up on it (see RoomFollower.join)."""
        room = frame["room"]
        if room not in self.rooms and len(self.rooms) >= self.rooms_max:
            raise FrameError(protocol.ERROR_TOO_MANY_ROOMS, "this socket has too many rooms.")
        if not may_join(self.principal, room):
            detail = "this token may not join that room."
            raise FrameError(protocol.ERROR_FORBIDDEN, detail, room=room)
        await self.rooms.join(room, since_seq=frame.get("since_seq"), re=frame["re"])

    async def on_leave(self, frame: dict[str, Any]) -> None:
        """Stop following a room."""
        room = self._joined(frame)
        await self.rooms.leave(room)
        self._queue(_answer(frame, type=protocol.SERVER_LEFT, room=room))

    async def on_send(self, frame: dict[str, Any]) -> None:
        """Post through the one service: acknowledged once durable, then broadcast."""
        room = self._joined(frame)
        if not TENANT_MESSAGES.take(tenant_id=self.tenant.id, per_minute=self.messages_per_minute):
            quota_refusal_note(tenant_id=self.tenant.id, quota=MESSAGES_PER_MINUTE)
            detail = "the tenant's plan allows no more messages this minute; retry later."
            raise FrameError(protocol.ERROR_RATE_LIMITED, detail, room=room)
        started = time.perf_counter()

        def acknowledge(sent: MessageSent) -> None:
            metrics.ack_latency.observe(time.perf_counter() - started)
            message = sent.message
            self._queue(
                _answer(
                    frame,
                    type=protocol.SERVER_ACK,
                    room=room,
                    client_msg_id=message.client_msg_id,
                    id=message.id,
                    seq=message.seq,
                    sent_at=message.sent_at,
                )
            )

        await posting.message_post_async(
            sender=self.principal,
            room_id=room,
            body=frame["body"],
            client_msg_id=frame["client_msg_id"],
            acknowledge=acknowledge,
            channel_layer=self.channel_layer,
        )

    async def on_typing(self, frame: dict[str, Any]) -> None:
        """Tell the room's other members this principal is (or stopped) typing; not stored."""
        room = self._joined(frame)
        typing = {
            "type": protocol.SERVER_TYPING,
            "room": room,
            "sender": frames.sender_of(self.principal),
            "active": frame["active"],
        }
        await self.rooms.broadcast(room, typing, skip_self=True)

    async def on_read(self, frame: dict[str, Any]) -> None:
        """Store the principal's read position, then tell the room's other members."""
        room = self._joined(frame)
        read_seq = await store.read_mark(
            tenant=self.tenant,
            room_id=room,
            principal=self.principal,
            seq=frame["seq"],
        )
        read = {
            "type": protocol.SERVER_READ,
            "room": room,
            "sender": frames.sender_of(self.principal),
            "seq": read_seq,
        }
        await self.rooms.broadcast(room, read, skip_self=True)

    async def on_history(self, frame: dict[str, Any]) -> None:
        """Answer with a page of a joined room's stored messages, oldest first."""
        room = self._joined(frame)
        page = await store.message_list(
            tenant=self.tenant,
            room_id=room,
            before=frame.get("before"),
            after=frame.get("after"),
            limit=frame.get("limit", self.limits.history_default),
        )
        reply = _answer(
            frame,
            type=protocol.SERVER_HISTORY,
            room=room,
            messages=[message_item(m) for m in page.messages],
            has_more=page.has_more,
        )
        self._queue(reply)

    async def on_availability(self, frame: dict[str, Any]) -> None:
        """Store a staff agent's chosen availability (online or away) and confirm it."""
        staff = availability.staff_user_id(self.principal.subject)
        if not self.principal.is_agent or staff is None:
            raise FrameError(protocol.ERROR_FORBIDDEN, "only staff agents choose availability.")
        status = await availability.agent_availability_set(
            principal=self.principal, status=frame["status"], channel_layer=self.channel_layer
        )
        available = await availability.agents_available(
            tenant=self.tenant, channel_layer=self.channel_layer
        )
        reply = _answer(
            frame, type=protocol.SERVER_AVAILABILITY, available=available, status=status
        )
        self._queue(reply)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        """Answer with the server's time (an agent's ping also renews its availability)."""
        pong = _answer(frame, type=protocol.SERVER_PONG, server_time=timezone.now())
        self._queue(pong)
        if self.principal.is_agent:
            await availability.agent_socket_alive(
                principal=self.principal, socket_id=self.socket_id, channel_layer=self.channel_layer
            )

    async def on_auth_refresh(self, frame: dict[str, Any]) -> None:
        """Swap in a new token of the same principal; leave rooms it no longer grants."""
        try:
            principal = await self.auth.refresh(frame["token"])
        except ApplicationError as error:
            raise FrameError(protocol.ERROR_TOKEN_INVALID, error.detail) from None
        self._schedule_expiry()
        expires_at = datetime.fromtimestamp(principal.expires_at, tz=UTC)
        self._queue(_answer(frame, type=protocol.SERVER_AUTH_OK, expires_at=expires_at))
        for room in [room for room in self.rooms.rooms() if not may_join(principal, room)]:
            await self.rooms.leave(room)
            self._queue(
                {
                    "type": protocol.SERVER_ROOM_CLOSED,
                    "room": room,
                    "reason": protocol.ROOM_CLOSED_ACCESS_REVOKED,
                }
            )

    def _joined(self, frame: dict[str, Any]) -> str:
        room = frame["room"]
        if room not in self.rooms:
            raise FrameError(protocol.ERROR_NOT_JOINED, "join the room first.", room=room)
        return room

    # Events from the channel layer, through the process fan-out (parlor.chat.events).

    def fanout_receive(self, event: Any) -> None:
        """Hand one event record to its handler (named in parlor.chat.events.EVENTS)."""
        getattr(self, EVENTS[event.type].handler)(event)

    def fanout_resumed(self) -> None:
        """The layer came back: fetch from storage what every room may have missed meanwhile."""
        self.rooms.catch_up_all()

    def room_message(self, event: RoomMessage) -> None:
        """Deliver a room's stored message in seq order."""
        self.rooms.message_receive(event)

    def room_event(self, event: RoomEvent) -> None:
        """Deliver a room's unstored frame (presence, typing, read)."""
        self.rooms.event_receive(event)

    def agents_inbox(self, event: AgentsInbox) -> None:
        """Forward a conversation's new message to an agent."""
        self._push(event.text)

    def tenant_frame(self, event: TenantFrame) -> None:
        """Forward a frame meant for every socket of the tenant (`availability`)."""
        self._push(event.text)

    def auth_revoked(self, event: AuthRevoked) -> None:
        """Close the socket if the revocation covers its token (announced, or seen by polling)."""
        if not self.closing and self.auth.revoked_by(event):
            suspended = event.suspended
            self._close(
                protocol.CLOSE_TENANT_SUSPENDED if suspended else protocol.CLOSE_TOKEN_INVALID
            )

    # Helpers.

    def _schedule_expiry(self) -> None:
        # No timer of its own (issue 11, idle memory): the process's one sweep calls
        # sweep_due within a second of the token's expiry. An expired token closes at once.
        if self.auth.seconds_until_expiry() > 0:
            wall_sweep.schedule(self, self.principal.expires_at)
        else:
            self.sweep_due()

    def sweep_due(self) -> None:
        """Close with 4401 if the token has expired; otherwise wait for its (refreshed) expiry."""
        if self.closing:
            return
        if self.auth.seconds_until_expiry() > 0:
            wall_sweep.schedule(self, self.principal.expires_at)
            return
        self._close(protocol.CLOSE_TOKEN_INVALID)

    def _queue(self, frame: dict[str, Any]) -> None:
        self._push(encode(frame))

    def _push(self, text: str) -> None:
        metrics.frame_counter(metrics.frames_out, frame_type_of(text)).inc()
        if not self.outbox.push_text(text):
            # The client reads slower than its rooms talk: it resumes with since_seq instead.
            metrics.slow_consumer_closes.inc()
            self.outbox.drop_pending()
            self._close(protocol.CLOSE_SLOW_CONSUMER)

    async def _send_error(
        self, code: str, detail: str, *, re: str | None = None, room: str | None = None
    ) -> None:
        self._queue(frames.error_frame(code, detail, re=re, room=room))

    def _close(self, code: int) -> None:
        """Close after the frames already queued."""
        self.closing = True
        self.outbox.push_close(code)


TYPE_PREFIX = '{"type":"'


@functools.lru_cache(maxsize=16)
def shared_limits(body_max_bytes: int, history_max: int, history_default: int) -> frames.Limits:
    """Return one frozen Limits per distinct setting values: not one per socket (idle memory)."""
    return frames.Limits(
        body_max_bytes=body_max_bytes, history_max=history_max, history_default=history_default
    )


def frame_type_of(text: str) -> str:
    """Return the type of an encoded server frame (every frame starts with it), bounded."""
    # Reading the prefix, not parsing: frames are encoded once and fanned out as text.
    if not text.startswith(TYPE_PREFIX):
        return metrics.OTHER
    end = text.find('"', len(TYPE_PREFIX))
    return metrics.bounded(text[len(TYPE_PREFIX) : end], protocol.SERVER_TYPES)


def _answer(frame: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Return a reply frame carrying the request's id as `re` when it had one."""
    return frames.reply(frame["re"], **fields)
