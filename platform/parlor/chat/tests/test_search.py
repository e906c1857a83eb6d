"""Full-text search in the tenant's schema: ranking, websearch syntax, bounds, and isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from parlor.base.errors import ValidationFailed
from parlor.chat.search import (
    SEARCH_MAX,
    message_search,
    query_words,
    search_query_check,
    snippet_parts,
)
from parlor.chat.tests.seeding import room_seed

pytestmark = pytest.mark.usefixtures("live_db")

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def word() -> str:
    """Return a word no other test writes."""
    return f"zq{uuid.uuid4().hex[:10]}"


def seeded(schema: str, *bodies: str) -> str:
    with schema_context(schema):
        return room_seed(created_at=AT, lines=[("visitor", "owner", body, AT) for body in bodies])


def test_more_occurrences_rank_first_and_each_hit_names_its_room_and_seq(tenant_alpha):
    term = word()
    room = seeded("alpha", f"one {term} here", f"{term} {term} {term} again", "nothing")
    with schema_context("alpha"):
        hits = message_search(query=term.upper())  # case folds
    assert [(hit.message.room_id, hit.message.seq) for hit in hits] == [(room, 2), (room, 1)]
    assert hits[0].rank > hits[1].rank
    assert any(is_hit and part == term for part, is_hit in hits[1].snippet)


def test_websearch_syntax_phrases_and_exclusion(tenant_alpha):
    term, other = word(), word()
    seeded("alpha", f"{term} {other}", f"{other} then {term}", f"{term} alone")
    with schema_context("alpha"):
        phrase = message_search(query=f'"{term} {other}"')
        excluded = message_search(query=f"{term} -{other}")
        either = message_search(query=f"{term} or {other}")
    assert [hit.message.body for hit in phrase] == [f"{term} {other}"]
    assert [hit.message.body for hit in excluded] == [f"{term} alone"]
    assert len(either) == 3


def test_html_in_a_message_comes_back_as_text_with_only_the_hit_marked(tenant_alpha):
    term = word()
    body = f"<img src=x onerror=alert(1)> {term} <script>x</script>"
    seeded("alpha", body)
    with schema_context("alpha"):
        (hit,) = message_search(query=term)
    assert hit.message.body == body
    assert hit.snippet_text == body
    assert [part for part, is_hit in hit.snippet if is_hit] == [term]


def test_search_never_returns_another_tenants_messages(tenant_alpha, tenant_bravo):
    term = word()
    alpha_room = seeded("alpha", f"alpha says {term}")
    seeded("bravo", f"bravo says {term}")
    with schema_context("alpha"):
        hits = message_search(query=term)
    assert [hit.message.room_id for hit in hits] == [alpha_room]
    with schema_context("bravo"):
        assert [hit.message.body for hit in message_search(query=term)] == [f"bravo says {term}"]


def test_results_are_bounded(tenant_alpha):
    term = word()
    seeded("alpha", *[f"{term} number {n}" for n in range(SEARCH_MAX + 5)])
    with schema_context("alpha"):
        assert len(message_search(query=term, limit=10_000)) == SEARCH_MAX
        assert len(message_search(query=term, limit=3)) == 3


def test_the_search_uses_the_gin_index(tenant_alpha):
    from parlor.chat.search import SEARCH_SQL

    with schema_context("alpha"), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + SEARCH_SQL,
            {"q": "hello", "candidates": 10, "limit": 5},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "chat_message_body_search" in plan


@pytest.mark.parametrize("query", ["", "   ", "x" * 201, "nul\x00here", None, 42])
def test_bad_queries_are_refused(query):
    with pytest.raises(ValidationFailed) as refused:
        search_query_check(query)
    assert refused.value.code == "invalid_query"


def test_snippets_mark_whole_words_of_the_query_around_the_first_hit():
    assert query_words("'it''s' <-> 'refund' & !'no'") == ["refund", "it's", "no"]
    assert snippet_parts("A Refund, refunded: refund!", ["refund"]) == (
        ("A ", False),
        ("Refund", True),
        (", refunded: ", False),
        ("refund", True),
        ("!", False),
    )
    long = "x " * 100 + "needle" + " y" * 200
    parts = snippet_parts(long, ["needle"])
    assert parts[0] == ("\u2026", False) and parts[-1] == ("\u2026", False)
    assert ("needle", True) in parts
    assert snippet_parts("<b>plain</b>", []) == (("<b>plain</b>", False),)
