"""`/api/v1/rooms/{id}/export` and `/api/v1/exports/conversations`: streamed JSON or CSV.

Both answer a download that is written as it is read (parlor.chat.export), and both are
recorded in the audit log as `conversation.exported` by `api-key`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django_tenants.utils import schema_context
from ninja import Query, Router
from pydantic import Field

from parlor.api.auth import API_ACTOR, secret_key_auth
from parlor.api.schemas import Closed, responses
from parlor.base.errors import NotFound
from parlor.base.groups import ROOM_ID_PATTERN
from parlor.chat.export import (
    TranscriptExport,
    export_record,
    export_response,
    format_check,
    range_export,
)
from parlor.chat.selectors import room_get

router = Router(tags=["exports"], auth=secret_key_auth)

# The 200 of both exports: a JSON document or CSV, by `format`.
EXPORT_ANSWER = {
    "responses": {
        200: {
            "description": "The export, streamed: JSON (`format=json`, the default) or CSV.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["export", "messages"],
                        "properties": {
                            "export": {"type": "object"},
                            "messages": {"type": "array", "items": {"type": "object"}},
                        },
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }
}


class TranscriptExportQuery(Closed):
    """The format of a transcript export."""

    format: Literal["json", "csv"] | None = None


class RangeExportQuery(Closed):
    """The UTC days of a range export, both included, and its format."""

    from_: date = Field(alias="from")
    to: date
    format: Literal["json", "csv"] | None = None


@router.get(
    "/rooms/{room_id}/export",
    response=responses(),
    openapi_extra=EXPORT_ANSWER,
    url_name="api-room-export",
)
def room_export(
    request: HttpRequest, room_id: str, query: Query[TranscriptExportQuery]
) -> HttpResponse:
    """Download one room's messages in seq order, as JSON or CSV."""
    fmt = format_check(query.format)
    with schema_context(request.auth.schema_name):
        if not ROOM_ID_PATTERN.fullmatch(room_id) or room_get(room_id=room_id) is None:
            raise NotFound("no such room.", code="room_not_found")
        source = TranscriptExport(room_id=room_id)
        export_record(actor=API_ACTOR, source=source, fmt=fmt)
    return export_response(schema_name=request.auth.schema_name, source=source, fmt=fmt)


@router.get(
    "/exports/conversations",
    response=responses(),
    openapi_extra=EXPORT_ANSWER,
    url_name="api-conversations-export",
)
def conversations_export(request: HttpRequest, query: Query[RangeExportQuery]) -> HttpResponse:
    """Download every message sent from `from` to `to` (UTC days), in time order."""
    source = range_export(first=query.from_, last=query.to)
    fmt = format_check(query.format)
    with schema_context(request.auth.schema_name):
        export_record(actor=API_ACTOR, source=source, fmt=fmt)
    return export_response(schema_name=request.auth.schema_name, source=source, fmt=fmt)
