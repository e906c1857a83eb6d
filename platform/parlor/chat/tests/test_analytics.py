"""Daily figures computed by PostgreSQL, checked against seeded rows with known medians.

The figures run in a probe schema of their own (the tables copied from a tenant's, as every
tenant schema holds them), so the session tenants' rows cannot change the numbers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from parlor.chat.analytics import daily_figures
from parlor.chat.tests.seeding import room_seed

pytestmark = pytest.mark.usefixtures("live_db")

D1 = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
D2 = D1 + timedelta(days=1)
TABLES = ("chat_room", "chat_message", "chat_conversationevent", "ratings_rating")


@pytest.fixture
def probe(tenant_alpha):
    """A schema holding empty copies of the tables read, dropped after the test."""
    name = f"probe_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {name}")
        for table in TABLES:
            cursor.execute(f"CREATE TABLE {name}.{table} (LIKE alpha.{table} INCLUDING ALL)")
    yield name
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {name} CASCADE")


def conversation(start: datetime, *answers: tuple[str, int]) -> str:
    """Seed a conversation started at `start`; `answers` are (sender kind, seconds after)."""
    lines = [("visitor", "owner", "hello", start)]
    lines += [
        (kind, "agent-1" if kind == "agent" else "owner", "…", start + timedelta(seconds=s))
        for kind, s in answers
    ]
    return room_seed(created_at=start, lines=lines)


def seed_conversations() -> dict[str, str]:
    rooms = {
        # D1: first responses of 60, 120 and 600 s (median 120); one never answered.
        "a": conversation(D1, ("agent", 60), ("visitor", 70), ("agent", 80)),
        "b": conversation(D1 + timedelta(hours=1), ("visitor", 10), ("agent", 120)),
        "c": conversation(D1 + timedelta(hours=2), ("agent", 600)),
        "d": conversation(D1 + timedelta(hours=3)),
        # D2: 30 and 90 s: the median is interpolated, 60.
        "e": conversation(D2, ("agent", 30)),
        "f": conversation(D2 + timedelta(hours=5), ("agent", 90)),
    }
    # An agent writing first does not count as a first response.
    room_seed(
        created_at=D2, lines=[("agent", "agent-1", "hi!", D2), ("visitor", "owner", "hey", D2)]
    )
    return rooms


def test_counts_and_median_first_response_per_day(probe):
    with schema_context(probe):
        seed_conversations()
        figures = daily_figures(first=D1.date() - timedelta(days=1), last=D2.date())
    assert [day.day for day in figures.days] == [
        date(2021, 2, 28),
        date(2021, 3, 1),
        date(2021, 3, 2),
    ]
    empty, first, second = figures.days
    assert (empty.conversations, empty.messages, empty.first_response_seconds) == (0, 0, None)
    assert (first.conversations, first.messages) == (4, 10)
    assert (second.conversations, second.messages) == (3, 6)
    assert first.first_response_seconds == 120
    assert second.first_response_seconds == 60
    assert not figures.empty
    assert all(day.resolution_seconds is None and day.csat_average is None for day in figures.days)


def test_median_resolution_and_csat_come_from_the_event_and_rating_tables(probe):
    with schema_context(probe):
        rooms = seed_conversations()
        with connection.cursor() as cursor:
            resolve = (
                "INSERT INTO chat_conversationevent (room_id, kind, actor, detail, created_at)"
                " VALUES (%s, %s, '', %s, %s)"
            )
            for room, kind, to, at in [
                ("a", "status_changed", "resolved", D1 + timedelta(hours=1)),  # 3600 s
                ("b", "status_changed", "pending", D1 + timedelta(hours=1, minutes=30)),
                ("b", "status_changed", "resolved", D1 + timedelta(hours=3)),  # 7200 s
                ("b", "status_changed", "resolved", D1 + timedelta(hours=9)),  # not the first
                ("c", "assigned", "resolved", D1 + timedelta(hours=4)),  # not a status change
                ("e", "status_changed", "resolved", D2 + timedelta(minutes=10)),  # 600 s
            ]:
                cursor.execute(resolve, [rooms[room], kind, f'{{"to": "{to}"}}', at])
            rate = (
                "INSERT INTO ratings_rating (room_id, score, comment, created_at)"
                " VALUES (%s, %s, '', %s)"
            )
            for room, score, at in [("a", 5, D1), ("b", 4, D1), ("c", 2, D1), ("e", 1, D2)]:
                cursor.execute(rate, [rooms[room], score, at + timedelta(hours=6)])
        figures = daily_figures(first=D1.date(), last=D2.date())
    first, second = figures.days
    assert first.resolution_seconds == 5400  # the median of 3600 and 7200
    assert second.resolution_seconds == 600
    assert first.csat_average == pytest.approx(11 / 3) and first.csat_count == 3
    assert second.csat_average == 1 and second.csat_count == 1


def test_a_range_with_nothing_stored_is_empty(probe):
    with schema_context(probe):
        seed_conversations()
        figures = daily_figures(first=date(2020, 1, 1), last=date(2020, 1, 7))
    assert len(figures.days) == 7 and figures.empty
