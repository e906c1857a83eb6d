"""The load generator: many client sockets in one asyncio process, pinned to the load core.

`benchmarks.driver` runs a scenario with it; the scenarios drive its clients.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from websockets.exceptions import InvalidState

from benchmarks import wsclient
from benchmarks.adapters import ACK, MESSAGE, Incoming
from benchmarks.tracking import DeliveryCounters, Receiver, body_decode, body_encode


@dataclass(eq=False)
class Client:
    """One socket of the load generator and what it has received."""

    index: int
    room: str
    server: int = 0  # which server process it is connected to (scaleout runs two)
    receiver: Receiver = field(default_factory=Receiver)
    connection: wsclient.ClientConnection | None = None
    next_seq: int = 0
    waiting: dict[str, asyncio.Future] = field(default_factory=dict)


@dataclass
class AckCounters:
    """Acknowledged sends and their latency from the intended send time."""

    acked: int = 0
    latencies: list[int] = field(default_factory=list)
    # Latencies kept apart by the sender's group too (the noisy scenario's two tenants).
    tag_of: Callable[[int], str] | None = None
    by_tag: dict[str, list[int]] = field(default_factory=dict)

    def record(self, intended_ns: int, now_ns: int, index: int | None = None) -> None:
        self.acked += 1
        self.latencies.append(now_ns - intended_ns)
        if self.tag_of is not None and index is not None:
            self.by_tag.setdefault(self.tag_of(index), []).append(now_ns - intended_ns)


class LoadGenerator:
    """Opens clients, sends on schedule and counts every frame the clients receive."""

    def __init__(self, adapter, *, origin: str, body_bytes: int) -> None:
        self.adapter = adapter
        self.origin = origin
        self.body_bytes = body_bytes
        self.deliveries = DeliveryCounters()
        self.acks = AckCounters()
        self.errors: collections.Counter[str] = collections.Counter()
        self.clients: list[Client] = []
        # With several server processes: which one client `index` connects to, and per
        # process, the deliveries its clients received from senders on another process.
        self.server_of: Callable[[int], int] | None = None
        self.crossed: collections.Counter[int] = collections.Counter()

    def counters_reset(self) -> None:
        """Start counting afresh (a scenario running several parts, each with new clients)."""
        self.deliveries = DeliveryCounters()
        self.acks = AckCounters()
        self.errors.clear()
        self.crossed.clear()

    async def open_client(self, index: int, room: str, *, join: bool, timeout: float) -> Client:
        """Connect client `index`, wait until the server greeted it and, if `join`, joined it."""
        server = self.server_of(index) if self.server_of is not None else 0
        client = Client(index=index, room=room, server=server)
        loop = asyncio.get_running_loop()
        # Kept here too: the greeting may arrive with the handshake and pop its waiter at once.
        greetings = [
            client.waiting.setdefault(frame_type, loop.create_future())
            for frame_type in self.adapter.ready_types()
        ]
        client.connection = await wsclient.connect(
            self.adapter.url(room, server),
            on_text=lambda data: self._on_text(client, data),
            subprotocols=self.adapter.subprotocols(index),
            origin=self.origin,
            timeout=timeout,
        )
        try:
            for greeting in greetings:
                await asyncio.wait_for(greeting, timeout)
            if join:
                await self._join(client, timeout)
        except BaseException:
            client.connection.abort()
            raise
        self.clients.append(client)
        return client

    async def _join(self, client: Client, timeout: float) -> None:
        joined_type = self.adapter.joined_type()
        joined = None
        if joined_type is not None:
            joined = client.waiting[joined_type] = asyncio.get_running_loop().create_future()
        for frame in self.adapter.join_frames(client.room):
            client.connection.send_text(frame)
        if joined is not None:
            await asyncio.wait_for(joined, timeout)

    def _on_text(self, client: Client, data: bytes) -> None:
        incoming: Incoming = self.adapter.parse(data)
        now_ns = time.monotonic_ns()
        if incoming.kind == MESSAGE:
            sender = self.deliveries.record(client.receiver, incoming.body, now_ns)
            if self.server_of is not None and self.server_of(sender) != client.server:
                self.crossed[client.server] += 1
            if not self.adapter.acks and body_decode(incoming.body)[0] == client.index:
                self.acks.record(body_decode(incoming.body)[2], now_ns)
        elif incoming.kind == ACK:
            index, _, rest = incoming.client_msg_id.partition(".")
            self.acks.record(int(rest.rsplit(".", 1)[1]), now_ns, int(index))
        else:
            if incoming.error:
                self.errors[incoming.error] += 1
            waiter = client.waiting.pop(incoming.frame_type, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(incoming)

    def send(self, client: Client, intended_ns: int) -> None:
        """Send the client's next message, stamped with the time it was meant to leave."""
        seq = client.next_seq
        client.next_seq += 1
        body = body_encode(client.index, seq, intended_ns, self.body_bytes)
        client_msg_id = f"{client.index}.{seq}.{intended_ns}"
        try:
            client.connection.send_text(self.adapter.send_frame(client.room, body, client_msg_id))
        except InvalidState:
            # The server closed this socket; the message counts as sent, so it shows as lost.
            self.errors["send_on_closed_socket"] += 1

    async def send_on_schedule(
        self, client: Client, *, rate: float, seconds: float, start_ns: int, phase: float
    ) -> int:
        """Send `rate` messages per second for `seconds` from `start_ns`; return how many."""
        interval_ns = 1e9 / rate
        count = int(rate * seconds)
        for i in range(count):
            intended_ns = start_ns + int((phase + i) * interval_ns)
            delay = (intended_ns - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            self.send(client, intended_ns)
        return count

    async def close_all(self, timeout: float = 10.0) -> None:
        """Close every client and wait (bounded) for the server to finish the closing."""
        for client in self.clients:
            client.connection.close()
        closing = [client.connection.closed for client in self.clients]
        if closing:
            await asyncio.wait(closing, timeout=timeout)
        for client in self.clients:
            client.connection.abort()
        self.clients = []
