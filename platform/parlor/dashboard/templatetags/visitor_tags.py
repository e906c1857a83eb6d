"""How dashboard templates name visitors and show their context: `{% load visitor_tags %}`.

One place decides a visitor's title (its name, else its friendly label, never the raw id), so
every page spells a visitor the same way; lists fetch all their titles in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django_tenants.utils import schema_context

from parlor.visitors import selectors

register = template.Library()
CONVERSATION = "conversation"


@register.simple_tag(takes_context=True)
def room_titles(context: template.Context, rooms: Iterable[Any]) -> dict[str, str]:
    """Return {room id: title} for `rooms` (rooms, or items with a `.room`), in one query."""
    stored = [getattr(item, "room", item) for item in rooms]
    owners = {(room.owner_kind, room.owner_id) for room in stored if _is_owned(room)}
    with schema_context(context["request"].tenant.schema_name):
        titles = selectors.visitor_titles(owners)
    return {
        room.id: titles[(room.owner_kind, room.owner_id)] if _is_owned(room) else f"#{room.id}"
        for room in stored
    }


@register.simple_tag(takes_context=True)
def room_title(context: template.Context, room: Any, titles: dict[str, str] | None = None) -> str:
    """Return the title of `room`: its visitor's name or label, or `#id` for a channel."""
    if titles is not None and room.id in titles:
        return titles[room.id]
    return room_titles(context, [room])[room.id]


@register.inclusion_tag("dashboard/_visitor_panel.html", takes_context=True)
def visitor_panel(context: template.Context, room: Any) -> dict[str, Any]:
    """Render the side panel of the visitor or user who owns the conversation `room`."""
    if not _is_owned(room):
        return {"card": None}
    with schema_context(context["request"].tenant.schema_name):
        card = selectors.visitor_card(kind=room.owner_kind, subject=room.owner_id, current=True)
    return {"card": card}


def _is_owned(room: Any) -> bool:
    return room.kind == CONVERSATION and bool(room.owner_kind) and bool(room.owner_id)
