"""Exports of one transcript or of a date range, as JSON or CSV, streamed a page at a time.

An export is never built in memory: an async generator reads keyset pages of EXPORT_PAGE_ROWS
messages (one short query each, off the event loop through `parlor.base.db.in_schema`) and
yields each page encoded as soon as it is read. Under ASGI a StreamingHttpResponse must be
given an async iterator: Django would otherwise collect a sync iterator into one list.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) are prefixed with a single quote (OWASP's "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
from django.db import connection
from django.http import StreamingHttpResponse

from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.base.db import in_schema
from parlor.base.errors import ValidationFailed
from parlor.base.times import isoformat
from parlor.chat.broadcast import message_item
from parlor.chat.records import StoredMessage
from parlor.chat.selectors import message_list
from parlor.chat.tables import MESSAGE

EXPORT_PAGE_ROWS = 500
FORMATS = ("json", "csv")
# The longest date range one export may cover: it streams, so this only stops nonsense input.
RANGE_MAX_DAYS = 3660
CSV_COLUMNS = (
    "room",
    "seq",
    "id",
    "sent_at",
    "sender_kind",
    "sender_id",
    "sender_name",
    "body",
    "client_msg_id",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

RANGE_PAGE_SQL = f"""
SELECT {MESSAGE.column_list()} FROM chat_message
WHERE sent_at >= %s AND sent_at < %s AND (sent_at, id) > (%s, %s)
ORDER BY sent_at, id LIMIT %s
"""  # noqa: S608


@dataclass(frozen=True)
class TranscriptExport:
    """One room's messages in seq order."""

    room_id: str

    def page(self, *, after: Any, limit: int) -> list[StoredMessage]:
        """Return up to `limit` messages after the position `after` (a seq, or None)."""
        return message_list(room_id=self.room_id, after=after or 0, limit=limit).messages

    def position(self, message: StoredMessage) -> Any:
        """Return the keyset position just after `message`."""
        return message.seq

    def describe(self) -> dict[str, str]:
        """Return what the export covers, as its JSON header and the audit log show it."""
        return {"room": self.room_id}

    def filename(self) -> str:
        """Return the download's file name, without extension."""
        return f"conversation-{self.room_id}"


@dataclass(frozen=True)
class RangeExport:
    """Every message of the tenant sent on the days `first` to `last` (UTC), in time order."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """Return the first instant covered."""
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Return the first instant after the range."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)

    def page(self, *, after: Any, limit: int) -> list[StoredMessage]:
        """Return up to `limit` messages after the position `after` ((sent_at, id), or None)."""
        moment, message_id = after or (self.start - timedelta(microseconds=1), 0)
        with connection.cursor() as cursor:
            cursor.execute(RANGE_PAGE_SQL, [self.start, self.end, moment, message_id, limit])
            return [StoredMessage(*row) for row in cursor.fetchall()]

    def position(self, message: StoredMessage) -> Any:
        """Return the keyset position just after `message`."""
        return (message.sent_at, message.id)

    def describe(self) -> dict[str, str]:
        """Return what the export covers, as its JSON header and the audit log show it."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def filename(self) -> str:
        """Return the download's file name, without extension."""
        return f"conversations-{self.first.isoformat()}-{self.last.isoformat()}"


def range_export(*, first: date | None, last: date | None) -> RangeExport:
    """Return the export of the days `first` to `last`, or raise ValidationFailed."""
    if first is None or last is None:
        raise ValidationFailed("give both from and to (YYYY-MM-DD).", code="invalid_range")
    if first > last:
        raise ValidationFailed("from must not be after to.", code="invalid_range")
    if (last - first).days >= RANGE_MAX_DAYS:
        raise ValidationFailed(f"at most {RANGE_MAX_DAYS} days at once.", code="invalid_range")
    return RangeExport(first=first, last=last)


def format_check(value: object) -> str:
    """Return the export format (`json` when absent), or raise ValidationFailed."""
    if value in (None, ""):
        return "json"
    if value not in FORMATS:
        raise ValidationFailed("format must be json or csv.", code="invalid_format")
    return str(value)


async def message_pages(
    schema_name: str, source: TranscriptExport | RangeExport, rows: int | None = None
) -> AsyncIterator[list[StoredMessage]]:
    """Yield the source's messages a keyset page at a time, each read in the tenant's schema."""
    rows = rows or EXPORT_PAGE_ROWS
    position = None
    while True:
        page = await in_schema(schema_name, source.page, after=position, limit=rows)
        if page:
            yield page
        if len(page) < rows:
            return
        position = source.position(page[-1])


def csv_cell(value: str) -> str:
    """Return `value` safe for a spreadsheet: a formula-like start gets a quote before it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_lines(messages: Iterable[StoredMessage], *, header: bool = False) -> bytes:
    """Return messages as CSV lines (with the header line first, if asked)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(CSV_COLUMNS)
    for message in messages:
        writer.writerow(
            [
                csv_cell(message.room_id),
                message.seq,
                message.id,
                isoformat(message.sent_at),
                csv_cell(message.sender_kind),
                csv_cell(message.sender_id),
                csv_cell(message.sender_name),
                csv_cell(message.body),
                csv_cell(message.client_msg_id),
            ]
        )
    return buffer.getvalue().encode()


def json_items(messages: Iterable[StoredMessage], *, first: bool) -> bytes:
    """Return messages as comma-separated JSON objects (with no leading comma if `first`)."""
    items = b",".join(
        orjson.dumps(message_item(message), option=orjson.OPT_UTC_Z) for message in messages
    )
    return items if first else b"," + items


async def export_stream(
    *, schema_name: str, source: TranscriptExport | RangeExport, fmt: str
) -> AsyncIterator[bytes]:
    """Yield the export's bytes: a header, then one chunk per page of messages, then the end."""
    if fmt == "csv":
        yield csv_lines((), header=True)
        async for page in message_pages(schema_name, source):
            yield csv_lines(page)
        return
    header = {"export": {**source.describe(), "exported_at": isoformat(datetime.now(UTC))}}
    yield orjson.dumps(header)[:-1] + b',"messages":['
    first = True
    async for page in message_pages(schema_name, source):
        yield json_items(page, first=first)
        first = False
    yield b"]}"


def export_response(
    *, schema_name: str, source: TranscriptExport | RangeExport, fmt: str
) -> StreamingHttpResponse:
    """Return the export as a streamed download (its async generator runs as it is sent)."""
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    response = StreamingHttpResponse(
        export_stream(schema_name=schema_name, source=source, fmt=fmt), content_type=content_type
    )
    # The name is built from a checked room id or two dates: nothing to quote.
    response["Content-Disposition"] = f'attachment; filename="{source.filename()}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def export_record(*, actor: Any, source: TranscriptExport | RangeExport, fmt: str) -> None:
    """Write the export to the audit log (call inside the tenant's schema, before streaming)."""
    described = source.describe()
    target = described.get("room") or f"{described['from']}..{described['to']}"
    audit_record(
        actor=actor,
        action=actions.CONVERSATION_EXPORTED,
        target=target,
        detail={"format": fmt, "scope": "transcript" if "room" in described else "range"},
    )
