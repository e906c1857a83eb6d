"""Full-text search over the messages of the current tenant schema (PostgreSQL, `simple` config).

Runs in the schema the connection is set to (the dashboard and the API wrap it in the
tenant's `schema_context`), so a search never sees another tenant's rows. The query is the
user's text through `websearch_to_tsquery` ("quoted phrases", `or`, `-excluded`): it never
fails to parse. The `simple` configuration folds case but does not stem or drop stop words:
tenants write in every language, and a word is found as written.

Work is bounded twice: the matches are ranked among the newest SEARCH_CANDIDATES of them
only (a common word in ten million messages must not rank them all), and at most SEARCH_MAX
results come back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection

from parlor.base.errors import ValidationFailed
from parlor.base.text import text_is_valid
from parlor.chat.records import StoredMessage
from parlor.chat.tables import MESSAGE

SEARCH_MAX = 50
SEARCH_DEFAULT = 20
SEARCH_CANDIDATES = 1000
QUERY_MAX_LENGTH = 200
# A snippet: this many characters of the body around its first hit.
SNIPPET_BEFORE, SNIPPET_LENGTH = 60, 220
ELLIPSIS = "\u2026"
LEXEME = re.compile(r"'((?:[^']|'')*)'")

# The expression `to_tsvector('simple', body)` is the GIN index's (chat migration 0003).
SEARCH_SQL = f"""
WITH query AS (SELECT websearch_to_tsquery('simple', %(q)s) AS q),
candidates AS (
    SELECT m.id FROM chat_message m, query
    WHERE to_tsvector('simple', m.body) @@ query.q
    ORDER BY m.id DESC
    LIMIT %(candidates)s
)
SELECT {MESSAGE.column_list("m")},
    ts_rank_cd(to_tsvector('simple', m.body), query.q) AS rank
FROM candidates c JOIN chat_message m ON m.id = c.id, query
ORDER BY rank DESC, m.id DESC
LIMIT %(limit)s
"""  # noqa: S608
BODY_COLUMN = MESSAGE.columns.index("body")
QUERY_TEXT_SQL = "SELECT websearch_to_tsquery('simple', %s)::text"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A message that matched, its rank, and a snippet as (text, is_hit) parts."""

    message: StoredMessage
    rank: float
    snippet: tuple[tuple[str, bool], ...]

    @property
    def snippet_text(self) -> str:
        """Return the snippet as plain text, without hit marks."""
        return "".join(part for part, _ in self.snippet)


def search_query_check(query: object) -> str:
    """Return the search text stripped, or raise ValidationFailed (`invalid_query`)."""
    if not isinstance(query, str) or not query.strip():
        raise ValidationFailed("q: give some words to search for.", code="invalid_query")
    query = query.strip()
    if len(query) > QUERY_MAX_LENGTH:
        raise ValidationFailed(f"q: at most {QUERY_MAX_LENGTH} characters.", code="invalid_query")
    if "\x00" in query or not text_is_valid(query):
        raise ValidationFailed("q: is not valid text.", code="invalid_query")
    return query


def message_search(*, query: str, limit: int = SEARCH_DEFAULT) -> list[SearchHit]:
    """Return the best matches of `query` in the current schema's messages, best first."""
    query = search_query_check(query)
    params = {
        "q": query,
        "candidates": SEARCH_CANDIDATES,
        "limit": max(1, min(limit, SEARCH_MAX)),
    }
    with connection.cursor() as cursor:
        cursor.execute(SEARCH_SQL, params)
        rows = cursor.fetchall()
        cursor.execute(QUERY_TEXT_SQL, [query])
        words = query_words(cursor.fetchone()[0])
    width = len(MESSAGE.columns)
    return [
        SearchHit(
            message=StoredMessage(*row[:width]),
            rank=float(row[width]),
            snippet=snippet_parts(row[BODY_COLUMN], words),
        )
        for row in rows
    ]


def query_words(tsquery: str) -> list[str]:
    """Return the words of a tsquery's text (`'a' <-> 'b' & !'c'`), longest first."""
    words = {match.group(1).replace("''", "'") for match in LEXEME.finditer(tsquery)}
    return sorted((word for word in words if word), key=len, reverse=True)


def snippet_parts(body: str, words: list[str]) -> tuple[tuple[str, bool], ...]:
    """Return a window of `body` around its first hit as (text, is_hit) parts.

    Highlighting is done here, on the stored text as it is: PostgreSQL's ts_headline would
    drop whatever looks like an HTML tag, and the dashboard shows messages as written.
    """
    if not words:
        return ((body[:SNIPPET_LENGTH], False),)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE
    )
    first = pattern.search(body)
    start = max(0, first.start() - SNIPPET_BEFORE) if first else 0
    window = body[start : start + SNIPPET_LENGTH]
    parts: list[tuple[str, bool]] = []
    if start:
        parts.append((ELLIPSIS, False))
    position = 0
    for match in pattern.finditer(window):
        if match.start() > position:
            parts.append((window[position : match.start()], False))
        parts.append((match.group(0), True))
        position = match.end()
    if position < len(window):
        parts.append((window[position:], False))
    if start + SNIPPET_LENGTH < len(body):
        parts.append((ELLIPSIS, False))
    return tuple(parts)
