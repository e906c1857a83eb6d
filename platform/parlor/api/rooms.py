"""`/api/v1/rooms`: a tenant's server lists rooms, reads their messages and posts as a bot."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django_tenants.utils import schema_context

from parlor.api.parsing import json_body
from parlor.api.problems import api_view
from parlor.api.query import cursor_decode, cursor_encode, query_choice, query_int
from parlor.base.conf import setting
from parlor.base.errors import NotFound, ValidationFailed
from parlor.base.groups import ROOM_ID_PATTERN
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.base.times import isoformat
from parlor.chat import posting, selectors
from parlor.chat.broadcast import message_item
from parlor.chat.models import RoomKind
from parlor.chat.records import StoredRoom
from tenants.authentication import secret_key_authenticate
from tenants.models import Tenant

ROOMS_MAX = 100
ROOMS_DEFAULT = 50
MESSAGE_FIELDS = {"body", "client_msg_id", "sender_name"}
SENDER_NAME_MAX_LENGTH = 100
# Every message the tenant's backend posts is sent by this agent: idempotency by client_msg_id.
API_SENDER_ID = "api"


@api_view("GET")
def rooms_list(request: HttpRequest) -> HttpResponse:
    """List the tenant's rooms, newest first, a page at a time (`cursor`, `limit`, `kind`)."""
    tenant = _tenant(request)
    kind = query_choice(request.GET, "kind", set(RoomKind.values))
    limit = query_int(request.GET, "limit", minimum=1, maximum=ROOMS_MAX, default=ROOMS_DEFAULT)
    after = cursor_decode(request.GET)
    with schema_context(tenant.schema_name):
        page = selectors.room_list(kind=kind, after=after, limit=limit)
    rooms = [room_json(room) for room in page.rooms]
    return _json({"rooms": rooms, "next_cursor": cursor_encode(page.after)})


@api_view("GET")
def rooms_detail(request: HttpRequest, room_id: str) -> HttpResponse:
    """Return one room of the tenant."""
    tenant = _tenant(request)
    with schema_context(tenant.schema_name):
        room = _room(room_id)
    return _json(room_json(room))


@api_view("GET", "POST")
def room_messages(request: HttpRequest, room_id: str) -> HttpResponse:
    """GET a page of a room's messages in seq order; POST one as the tenant's bot."""
    tenant = _tenant(request)
    if request.method == "POST":
        return _message_post(request, tenant, room_id)
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


def _tenant(request: HttpRequest) -> Tenant:
    return secret_key_authenticate(
        authorization=request.headers.get("Authorization"), host=request.headers.get("Host")
    )
