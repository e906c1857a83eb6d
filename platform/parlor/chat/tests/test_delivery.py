"""RoomStream: in order, exactly once, whatever order the live messages come in."""

from __future__ import annotations

from parlor.chat.delivery import MAX_PENDING, RoomStream


def test_passes_on_the_next_seq_and_drops_what_was_delivered():
    stream = RoomStream(delivered=3)
    assert stream.accept(4, "m4") == ["m4"]
    assert stream.accept(4, "m4 again") == []
    assert stream.accept(2, "m2") == []
    assert stream.delivered == 4


def test_holds_later_messages_until_the_gap_is_filled():
    stream = RoomStream(delivered=0)
    assert stream.accept(3, "m3") == []
    assert stream.accept(2, "m2") == []
    assert stream.has_gap and stream.gap_end == 2
    assert stream.accept(1, "m1") == ["m1", "m2", "m3"]
    assert not stream.has_gap and stream.delivered == 3


def test_a_duplicate_of_a_held_message_is_kept_once():
    stream = RoomStream(delivered=0)
    stream.accept(2, "m2")
    stream.accept(2, "m2 again")
    assert stream.accept(1, "m1") == ["m1", "m2"]


def test_overflows_when_too_much_is_held():
    stream = RoomStream(delivered=0)
    for seq in range(2, MAX_PENDING + 2):
        stream.accept(seq, f"m{seq}")
    assert stream.overflowing


def test_holds_everything_while_catching_up_then_releases_after_the_start():
    stream = RoomStream()
    assert stream.catching_up
    assert stream.accept(5, "m5") == []
    assert stream.accept(7, "m7") == []
    assert stream.accept(6, "m6") == []
    assert not stream.has_gap
    # Storage delivered up to 5: the held 5 is a duplicate, 6 and 7 follow.
    assert stream.start(5) == ["m6", "m7"]
    assert not stream.catching_up and stream.delivered == 7


def test_room_events_held_while_catching_up_follow_the_messages_at_the_start():
    stream = RoomStream()
    stream.accept(3, "m3")
    stream.hold("presence")
    stream.accept(2, "m2")
    assert stream.start(1) == ["m2", "m3", "presence"]
    assert stream.held is None
