"""`/api/v1/rooms`: a tenant's server lists rooms, reads their messages and posts as a bot."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django_tenants.utils import schema_context
from ninja import Query, Router

from parlor.api.auth import secret_key_auth
from parlor.api.parsing import json_body
from parlor.api.query import cursor_decode, cursor_encode, query_choice, query_int
from parlor.api.schemas import Closed, body_schema, responses
from parlor.base.conf import setting
from parlor.base.errors import NotFound, ValidationFailed
from parlor.base.groups import ROOM_ID_PATTERN
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.base.times import isoformat
from parlor.chat import posting, selectors, workflow
from parlor.chat.broadcast import message_item
from parlor.chat.models import RoomKind
from parlor.chat.records import StoredRoom
from tenants.models import Tenant

ROOMS_MAX = 100
ROOMS_DEFAULT = 50
MESSAGE_FIELDS = {"body", "client_msg_id", "sender_name"}
PATCH_FIELDS = {"status", "assignee", "snoozed_until"}
SENDER_NAME_MAX_LENGTH = 100
# Every message the tenant's backend posts is sent by this agent: idempotency by client_msg_id.
API_SENDER_ID = "api"
API_ACTOR = workflow.Actor(name="API")
router = Router(tags=["rooms"], auth=secret_key_auth)


class Owner(Closed):
    """Who a conversation belongs to."""

    kind: str
    id: str


class RoomOut(Closed):
    """A room as the API shows it."""

    id: str
    kind: str
    owner: Owner | None
    created_at: str | None
    last_seq: int
    status: Literal["open", "pending", "snoozed", "resolved"]
    assignee: int | None
    snoozed_until: str | None
    last_activity_at: str | None


class RoomPage(Closed):
    """A page of rooms and the cursor of the next one (null at the end)."""

    rooms: list[RoomOut]
    next_cursor: str | None


class Sender(Closed):
    """Who sent a message."""

    kind: str
    id: str
    name: str


class MessageOut(Closed):
    """A stored message, as the WebSocket's frames carry it."""

    room: str
    id: int
    seq: int
    sender: Sender
    body: str
    sent_at: str
    client_msg_id: str


class MessagePage(Closed):
    """A page of a room's messages in seq order."""

    room: str
    messages: list[MessageOut]
    has_more: bool


class MessagePost(Closed):
    """A message the tenant's backend posts; `client_msg_id` makes a retry safe."""

    body: str
    client_msg_id: str
    sender_name: str | None = None


class RoomPatch(Closed):
    """A conversation's workflow change: any of status, assignee (a staff user's id, or null
    for none) and snoozed_until (ISO 8601 with an offset, in the future; with status snoozed)."""

    status: Literal["open", "pending", "snoozed", "resolved"] | None = None
    assignee: int | None = None
    snoozed_until: str | None = None


class RoomsQuery(Closed):
    """Filters and paging of the room list."""

    kind: Literal["conversation", "channel"] | None = None
    limit: int | None = None
    cursor: str | None = None


class MessagesQuery(Closed):
    """Paging of a room's messages: before or after a seq."""

    limit: int | None = None
    before: int | None = None
    after: int | None = None


@router.get("/rooms", response=responses(_200=RoomPage), url_name="api-rooms")
def rooms_list(request: HttpRequest, query: Query[RoomsQuery]) -> HttpResponse:
    """List the tenant's rooms, newest first, a page at a time (`cursor`, `limit`, `kind`)."""
    tenant = request.auth
    kind = query_choice(request.GET, "kind", set(RoomKind.values))
    limit = query_int(request.GET, "limit", minimum=1, maximum=ROOMS_MAX, default=ROOMS_DEFAULT)
    after = cursor_decode(request.GET)
    with schema_context(tenant.schema_name):
        page = selectors.room_list(kind=kind, after=after, limit=limit)
    rooms = [room_json(room) for room in page.rooms]
    return _json({"rooms": rooms, "next_cursor": cursor_encode(page.after)})


@router.get("/rooms/{room_id}", response=responses(_200=RoomOut), url_name="api-room")
def rooms_detail(request: HttpRequest, room_id: str) -> HttpResponse:
    """Return one room of the tenant."""
    tenant = request.auth
    with schema_context(tenant.schema_name):
        room = _room(room_id)
    return _json(room_json(room))


@router.patch(
    "/rooms/{room_id}",
    response=responses(_200=RoomOut),
    openapi_extra=body_schema(RoomPatch),
    url_name="api-room-patch",
)
def room_patch(request: HttpRequest, room_id: str) -> HttpResponse:
    """Change a conversation's status, assignee or snooze; 422 changes nothing."""
    tenant = request.auth
    body = json_body(request, fields=PATCH_FIELDS)
    changes: dict[str, Any] = {}
    if "status" in body:
        changes["status"] = body["status"]
        if not isinstance(body["status"], str):
            raise ValidationFailed("status must be a string.", code="invalid_status")
    if "assignee" in body:
        changes["assignee"] = body["assignee"]
    if "snoozed_until" in body:
        changes["snoozed_until"] = _when(body["snoozed_until"])
    if not changes:
        raise ValidationFailed("give status, assignee or snoozed_until.", code="invalid_field")
    workflow.conversation_update(tenant=tenant, room_id=room_id, actor=API_ACTOR, **changes)
    with schema_context(tenant.schema_name):
        room = _room(room_id)
    return _json(room_json(room))


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) and len(value) < 40 else None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(
            "snoozed_until must be an ISO 8601 time with an offset (2030-01-01T09:00:00Z).",
            code="invalid_time",
        )
    return parsed


@router.get(
    "/rooms/{room_id}/messages", response=responses(_200=MessagePage), url_name="api-room-messages"
)
def room_messages(request: HttpRequest, room_id: str, query: Query[MessagesQuery]) -> HttpResponse:
    """Return a page of a room's messages in seq order."""
    tenant = request.auth
    history_max = setting("HISTORY_MAX")
    limit = query_int(
        request.GET, "limit", minimum=1, maximum=history_max, default=setting("HISTORY_DEFAULT")
    )
    before = query_int(request.GET, "before", minimum=0, maximum=2**63 - 1)
    after = query_int(request.GET, "after", minimum=0, maximum=2**63 - 1)
    if before is not None and after is not None:
        raise ValidationFailed("give before or after, not both.", code="invalid_parameter")
    with schema_context(tenant.schema_name):
        _room(room_id)
        page = selectors.message_list(room_id=room_id, before=before, after=after, limit=limit)
    return _json(
        {
            "room": room_id,
            "messages": [message_item(message) for message in page.messages],
            "has_more": page.has_more,
        }
    )


@router.post(
    "/rooms/{room_id}/messages",
    response=responses(_200=MessageOut, _201=MessageOut),
    openapi_extra=body_schema(MessagePost),
)
def room_message_post(request: HttpRequest, room_id: str) -> HttpResponse:
    """Post a message as the tenant's bot: 201 when stored, 200 for a repeated client_msg_id."""
    return _message_post(request, request.auth, room_id)


def _message_post(request: HttpRequest, tenant: Tenant, room_id: str) -> HttpResponse:
    body = json_body(request, fields=MESSAGE_FIELDS)
    sender = api_sender(tenant, _sender_name(body.get("sender_name"), tenant))
    if not ROOM_ID_PATTERN.fullmatch(room_id):
        raise NotFound("no such room.", code="room_not_found")
    try:
        sent = posting.message_post(
            sender=sender,
            room_id=room_id,
            body=body.get("body"),
            client_msg_id=body.get("client_msg_id"),
        )
    except NotFound:
        raise NotFound("no such room.", code="room_not_found") from None
    return _json(message_item(sent.message), status=201 if sent.created else 200)


def api_sender(tenant: Tenant, name: str) -> Principal:
    """Return the agent principal the tenant's backend posts as, shown under `name`."""
    ref = TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name)
    return Principal(
        kind=PrincipalKind.AGENT,
        subject=API_SENDER_ID,
        name=name,
        tenant=ref,
        token_id="",
        issued_at=0,
        expires_at=0,
    )


def room_json(room: StoredRoom) -> dict[str, Any]:
    """Return what the API shows of a room."""
    owner = {"kind": room.owner_kind, "id": room.owner_id} if room.owner_kind else None
    return {
        "id": room.id,
        "kind": room.kind,
        "owner": owner,
        "created_at": isoformat(room.created_at),
        "last_seq": room.last_seq,
        "status": room.status,
        "assignee": room.assignee,
        "snoozed_until": isoformat(room.snoozed_until) if room.snoozed_until else None,
        "last_activity_at": isoformat(room.last_activity_at) if room.last_activity_at else None,
    }


def _room(room_id: str) -> StoredRoom:
    room = selectors.room_get(room_id=room_id) if ROOM_ID_PATTERN.fullmatch(room_id) else None
    if room is None:
        raise NotFound("no such room.", code="room_not_found")
    return room


def _sender_name(value: object, tenant: Tenant) -> str:
    if value is None:
        return tenant.name
    if not isinstance(value, str) or not value.strip() or len(value) > SENDER_NAME_MAX_LENGTH:
        raise ValidationFailed(
            f"sender_name must be a string of 1-{SENDER_NAME_MAX_LENGTH} characters.",
            code="invalid_field",
        )
    if "\x00" in value:
        raise ValidationFailed("sender_name must not contain NUL characters.", code="invalid_field")
    return value.strip()


def _json(data: dict[str, Any], status: int = 200) -> HttpResponse:
    # orjson with a Z suffix: messages read here match the WebSocket's frames byte for byte.
    return HttpResponse(
        orjson.dumps(data, option=orjson.OPT_UTC_Z), status=status, content_type="application/json"
    )
