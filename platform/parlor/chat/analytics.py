"""Daily figures of the current tenant schema, computed by PostgreSQL from stored rows.

Per UTC day of a range: conversations started, messages sent, the median first response time
(from a conversation's first message by its owner to the first agent message after it,
counted on the day of that first message), the median resolution time (from a conversation's
start to its first resolve event, counted on the day of the resolve) and customer
satisfaction (the average rating and the number of ratings given that day), the last two
from the resolve events (`chat_conversationevent`) and ratings (`ratings_rating`) of every
tenant schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection

DAYS_SQL = "SELECT generate_series(%(first)s::date, %(last)s::date, interval '1 day')::date"
CONVERSATIONS_SQL = """
SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)
FROM chat_room
WHERE kind = 'conversation' AND created_at >= %(start)s AND created_at < %(end)s
GROUP BY 1
"""
MESSAGES_SQL = """
SELECT (sent_at AT TIME ZONE 'UTC')::date AS day, count(*)
FROM chat_message
WHERE sent_at >= %(start)s AND sent_at < %(end)s
GROUP BY 1
"""
# Conversations whose owner wrote first in the range; each first message's (room, seq) and the
# first agent message after it come from the (room_id, seq) unique index.
FIRST_RESPONSE_SQL = """
WITH opened AS (
    SELECT r.id AS room_id, first_message.seq, first_message.sent_at
    FROM chat_room r
    CROSS JOIN LATERAL (
        SELECT m.seq, m.sent_at FROM chat_message m
        WHERE m.room_id = r.id AND m.sender_kind = r.owner_kind AND m.sender_id = r.owner_id
        ORDER BY m.seq LIMIT 1
    ) first_message
    -- A conversation is created by its owner's first message: a week's slack is plenty, and
    -- bounds the rooms read to the range (chat_room_created_at) instead of every older one.
    WHERE r.kind = 'conversation'
      AND r.created_at >= %(start)s - interval '7 days' AND r.created_at < %(end)s
      AND first_message.sent_at >= %(start)s AND first_message.sent_at < %(end)s
)
SELECT (o.sent_at AT TIME ZONE 'UTC')::date AS day,
    percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(epoch FROM answer.sent_at - o.sent_at)
    )
FROM opened o
CROSS JOIN LATERAL (
    SELECT m.sent_at FROM chat_message m
    WHERE m.room_id = o.room_id AND m.seq > o.seq AND m.sender_kind = 'agent'
    ORDER BY m.seq LIMIT 1
) answer
GROUP BY 1
"""
RESOLUTION_SQL = """
WITH resolved AS (
    SELECT e.room_id, min(e.created_at) AS at
    FROM chat_conversationevent e
    WHERE e.kind = 'status_changed' AND e.detail->>'to' = 'resolved'
    GROUP BY e.room_id
)
SELECT (x.at AT TIME ZONE 'UTC')::date AS day,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.at - r.created_at))
FROM resolved x JOIN chat_room r ON r.id = x.room_id
WHERE x.at >= %(start)s AND x.at < %(end)s
GROUP BY 1
"""
CSAT_SQL = """
SELECT (created_at AT TIME ZONE 'UTC')::date AS day, avg(score)::float8, count(*)
FROM ratings_rating
WHERE created_at >= %(start)s AND created_at < %(end)s
GROUP BY 1
"""


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One day's figures; a median or average is None on a day with nothing to measure."""

    day: date
    conversations: int
    messages: int
    first_response_seconds: float | None
    resolution_seconds: float | None
    csat_average: float | None
    csat_count: int


@dataclass(frozen=True, slots=True)
class Figures:
    """Every day of a range, oldest first."""

    days: list[DayFigures]

    @property
    def empty(self) -> bool:
        """Return whether no day of the range has anything to show."""
        return not any(
            day.conversations or day.messages or day.csat_count or day.resolution_seconds
            for day in self.days
        )


def daily_figures(*, first: date, last: date) -> Figures:
    """Return the figures of each UTC day from `first` to `last`, in the current schema."""
    bounds = {
        "first": first,
        "last": last,
        "start": datetime.combine(first, time.min, tzinfo=UTC),
        "end": datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC),
    }
    days = [row[0] for row in _rows(DAYS_SQL, bounds)]
    conversations = _by_day(CONVERSATIONS_SQL, bounds)
    messages = _by_day(MESSAGES_SQL, bounds)
    first_response = _by_day(FIRST_RESPONSE_SQL, bounds)
    resolution = _by_day(RESOLUTION_SQL, bounds)
    csat = {row[0]: row[1:] for row in _rows(CSAT_SQL, bounds)}
    return Figures(
        days=[
            DayFigures(
                day=day,
                conversations=conversations.get(day, 0),
                messages=messages.get(day, 0),
                first_response_seconds=first_response.get(day),
                resolution_seconds=resolution.get(day),
                csat_average=csat.get(day, (None, 0))[0],
                csat_count=csat.get(day, (None, 0))[1],
            )
            for day in days
        ]
    )


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _by_day(sql: str, params: dict) -> dict:
    return {row[0]: row[1] for row in _rows(sql, params)}
