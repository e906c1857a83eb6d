"""In-order, exactly-once delivery of a room's messages to one socket.

Live messages can arrive out of order (two server processes publish independently) or twice
(a catch-up overlaps the live stream, a client re-sends). Each socket keeps one `RoomStream`
per joined room: it passes on a message only when it is the next seq, holds later ones until
the gap is filled, and drops anything already delivered. While the socket catches up from
storage (after subscribing, before it knows where storage ends) the stream holds everything,
room events (presence, typing, read) too, released after the messages once it starts.
"""

from __future__ import annotations

MAX_PENDING = 1000


class RoomStream:
    """The delivery position of one room on one socket (`delivered` None while catching up)."""

    __slots__ = ("delivered", "held", "pending")

    def __init__(self, delivered: int | None = None) -> None:
        self.delivered = delivered
        self.pending: dict[int, str] = {}
        self.held: list[str] | None = None

    @property
    def catching_up(self) -> bool:
        """Whether the stream still waits for its starting point."""
        return self.delivered is None

    def start(self, delivered: int) -> list[str]:
        """End the catch-up at `delivered`; return the held frames now deliverable, in order."""
        self.delivered = delivered
        self.pending = {seq: text for seq, text in self.pending.items() if seq > delivered}
        ready = self._release([])
        if self.held:
            ready.extend(self.held)
        self.held = None
        return ready

    def hold(self, text: str) -> None:
        """Keep a room event that arrived while catching up, for after the start."""
        if self.held is None:
            self.held = []
        if len(self.held) < MAX_PENDING:
            self.held.append(text)

    def accept(self, seq: int, text: str) -> list[str]:
        """Take a message frame; return the frames now deliverable, in seq order."""
        if self.delivered is None:
            self.pending.setdefault(seq, text)
            return []
        if seq <= self.delivered:
            return []
        if seq != self.delivered + 1:
            self.pending.setdefault(seq, text)
            return []
        self.delivered = seq
        return self._release([text])

    def _release(self, ready: list[str]) -> list[str]:
        while self.pending:
            following = self.pending.pop(self.delivered + 1, None)
            if following is None:
                break
            ready.append(following)
            self.delivered += 1
        return ready

    @property
    def has_gap(self) -> bool:
        """Whether later messages wait for an earlier one that has not arrived."""
        return self.delivered is not None and bool(self.pending)

    @property
    def gap_end(self) -> int:
        """The lowest seq waiting (only meaningful when `has_gap`)."""
        return min(self.pending)

    @property
    def overflowing(self) -> bool:
        """Whether so many messages wait that the gap must be filled now."""
        return len(self.pending) >= MAX_PENDING
