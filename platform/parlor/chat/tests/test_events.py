"""The channel-layer events: each type has a record and reaches an existing consumer handler."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import pytest

from parlor.base.events import event_message
from parlor.chat.consumer import ChatConsumer
from parlor.chat.events import EVENTS, EventError, RoomMessage, event_parse
from tenants.revocation import REVOKED_EVENT, revoked_event


def _event_handlers() -> dict[str, type]:
    """Return ChatConsumer's methods that take one event record, with the record's class."""
    handlers = {}
    for name, method in inspect.getmembers(ChatConsumer, inspect.isfunction):
        hints = typing.get_type_hints(method)
        hints.pop("return", None)
        records = [
            hint for hint in hints.values() if hasattr(hint, "type") and inspect.isclass(hint)
        ]
        if len(hints) == 1 and records:
            handlers[name] = records[0]
    return handlers


def test_every_event_type_reaches_an_existing_handler_that_takes_its_record():
    handlers = _event_handlers()
    for kind, spec in EVENTS.items():
        assert spec.record.type == kind
        if spec.handler is None:
            continue  # the fan-out's own (fanout.probe)
        assert handlers.get(spec.handler) is spec.record, f"{kind} -> {spec.handler}"


def test_every_event_handler_of_the_consumer_has_an_event_type():
    routed = {spec.handler for spec in EVENTS.values()}
    assert set(_event_handlers()) == routed - {None}


def test_records_are_frozen_and_round_trip_through_a_layer_message():
    for spec in EVENTS.values():
        assert dataclasses.is_dataclass(spec.record)
        assert spec.record.__dataclass_params__.frozen
    event = RoomMessage(group="t.1.r.a", room="a", seq=3, text="{}")
    assert event_parse(event_message(event)) == event
    assert REVOKED_EVENT in EVENTS
    revoked = revoked_event(1, jti="j")
    assert event_parse(event_message(revoked)) == revoked


@pytest.mark.parametrize(
    "message",
    [
        {"type": "room.gap", "room": "a"},  # retired: gaps are filled without the layer
        {"type": "room.message", "group": "t.1.r.a", "room": "a"},
        {"type": "room.message", "group": "t.1.r.a", "room": "a", "seq": 1, "text": "", "x": 1},
        {"group": "t.1.r.a"},
    ],
)
def test_anything_else_is_refused(message):
    with pytest.raises(EventError):
        event_parse(message)
