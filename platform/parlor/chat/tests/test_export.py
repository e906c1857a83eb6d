"""Exports stream a keyset page at a time, in order, as JSON or CSV safe for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django_tenants.utils import schema_context

from parlor.base.db import in_schema
from parlor.base.errors import ValidationFailed
from parlor.chat import export
from parlor.chat.export import (
    RangeExport,
    TranscriptExport,
    csv_cell,
    export_stream,
    format_check,
    range_export,
)
from parlor.chat.tests.seeding import room_seed

pytestmark = pytest.mark.usefixtures("live_db")

# A day no other test writes messages on.
DAY = datetime(2019, 2, 3, 0, 0, tzinfo=UTC)


async def collect(stream) -> list[bytes]:
    return [chunk async for chunk in stream]


@pytest.fixture
def big_room(tenant_alpha):
    """A conversation of 1,234 messages on a day of its own, several sent at the same instant."""
    day = DAY + timedelta(days=300 + uuid.uuid4().int % 5000)
    lines = [
        ("visitor", "owner", f"line {n}", day + timedelta(seconds=n // 3)) for n in range(1234)
    ]
    with schema_context("alpha"):
        return room_seed(created_at=day, lines=lines), day


async def test_a_transcript_streams_in_pages_and_never_reads_all_rows_at_once(
    big_room, monkeypatch
):
    reads = []
    real_page = TranscriptExport.page

    def counted(self, *, after, limit):
        rows = real_page(self, after=after, limit=limit)
        reads.append(len(rows))
        return rows

    monkeypatch.setattr(TranscriptExport, "page", counted)
    monkeypatch.setattr(export, "EXPORT_PAGE_ROWS", 100)
    room, _ = big_room
    stream = export_stream(schema_name="alpha", source=TranscriptExport(room), fmt="json")
    head = await anext(stream)
    first_page = await anext(stream)
    # One page of 100 read, one chunk yielded: the rest is not read yet.
    assert reads == [100] and head.startswith(b'{"export":')
    assert first_page.count(b'"seq":') == 100
    rest = await collect(stream)
    assert max(reads) == 100 and sum(reads) == 1234 and len(reads) == 13
    document = json.loads(head + first_page + b"".join(rest))
    assert document["export"]["room"] == room
    assert [m["seq"] for m in document["messages"]] == list(range(1, 1235))
    assert document["messages"][0]["sender"]["kind"] == "visitor"


async def test_a_range_export_pages_by_time_without_losing_or_repeating_a_row(
    big_room, monkeypatch
):
    monkeypatch.setattr(export, "EXPORT_PAGE_ROWS", 7)  # pages end inside a same-instant run
    _, day = big_room
    source = RangeExport(first=day.date(), last=day.date())
    chunks = await collect(export_stream(schema_name="alpha", source=source, fmt="csv"))
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert rows[0] == list(export.CSV_COLUMNS)
    assert len(chunks) == 1 + 1234 // 7 + 1
    bodies = [row[7] for row in rows[1:]]
    assert sorted(bodies) == sorted(f"line {n}" for n in range(1234))
    assert len(set(bodies)) == 1234


async def test_a_range_covers_whole_utc_days_from_first_to_last(tenant_alpha):
    first, last = DAY - timedelta(days=30), DAY + timedelta(days=31)
    lines = [
        ("visitor", "owner", "before", first - timedelta(microseconds=1)),
        ("visitor", "owner", "first instant", first),
        ("visitor", "owner", "last instant", last + timedelta(days=1, microseconds=-1)),
        ("visitor", "owner", "after", last + timedelta(days=1)),
    ]
    await in_schema("alpha", room_seed, created_at=first, lines=lines)
    source = RangeExport(first=first.date(), last=last.date())
    data = b"".join(await collect(export_stream(schema_name="alpha", source=source, fmt="json")))
    bodies = [message["body"] for message in json.loads(data)["messages"]]
    assert bodies == ["first instant", "last instant"]


async def test_an_export_never_includes_another_tenants_messages(tenant_alpha, tenant_bravo):
    day = DAY + timedelta(days=100)
    await in_schema(
        "bravo", room_seed, created_at=day, lines=[("visitor", "owner", "bravo secret", day)]
    )
    alpha_room = await in_schema(
        "alpha", room_seed, created_at=day, lines=[("visitor", "owner", "alpha line", day)]
    )
    source = RangeExport(first=day.date(), last=day.date())
    data = b"".join(await collect(export_stream(schema_name="alpha", source=source, fmt="csv")))
    assert b"alpha line" in data and b"bravo secret" not in data
    bravo_view = TranscriptExport(alpha_room)
    data = b"".join(
        await collect(export_stream(schema_name="bravo", source=bravo_view, fmt="json"))
    )
    assert json.loads(data)["messages"] == []


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("hello = world", "hello = world"),
        ("", ""),
    ],
)
def test_csv_cells_that_look_like_formulas_are_quoted(value, safe):
    assert csv_cell(value) == safe


async def test_formula_bodies_and_html_stay_inert_in_the_csv(tenant_alpha):
    day = DAY + timedelta(days=200)
    lines = [
        ("visitor", "owner", "=cmd|' /C calc'!A0", day),
        ("visitor", "owner", 'a "quoted", multi\nline <b>body</b>', day),
    ]
    await in_schema("alpha", room_seed, created_at=day, lines=lines)
    source = RangeExport(first=day.date(), last=day.date())
    data = b"".join(await collect(export_stream(schema_name="alpha", source=source, fmt="csv")))
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert [row[7] for row in rows[1:]] == [
        "'=cmd|' /C calc'!A0",
        'a "quoted", multi\nline <b>body</b>',
    ]


def test_ranges_and_formats_are_checked():
    assert range_export(first=date(2024, 1, 2), last=date(2024, 1, 2)).end == datetime(
        2024, 1, 3, tzinfo=UTC
    )
    for first, last in [
        (date(2024, 1, 3), date(2024, 1, 2)),
        (None, date(2024, 1, 2)),
        (date(2000, 1, 1), date(2024, 1, 1)),
    ]:
        with pytest.raises(ValidationFailed):
            range_export(first=first, last=last)
    assert format_check(None) == "json" and format_check("csv") == "csv"
    with pytest.raises(ValidationFailed):
        format_check("xml")
