"""What a page says is bounded and checked: http(s) URLs only, short text, real zones."""

from __future__ import annotations

import pytest

from parlor.base.errors import ValidationFailed
from parlor.visitors.context import (
    PageIdentity,
    page_identity_parse,
    visitor_context_parse,
)


def parse(**body):
    return visitor_context_parse(body=body, user_agent="Firefox/121.0 (X11; Linux x86_64)")


def test_a_full_context_is_kept_and_the_browser_comes_from_the_header():
    context = parse(
        page_url="https://shop.example/cart?x=1",
        page_title="  Your   cart\n",
        referrer="https://search.example/?q=shoes",
        locale="en-GB",
        timezone="Europe/Paris",
    )
    assert context.page_url == "https://shop.example/cart?x=1"
    assert context.page_title == "Your cart"
    assert context.referrer == "https://search.example/?q=shoes"
    assert (context.browser, context.os) == ("Firefox 121", "Linux")
    assert (context.locale, context.timezone) == ("en-GB", "Europe/Paris")


@pytest.mark.parametrize(
    "field, value",
    [
        ("page_url", "javascript:alert(1)"),
        ("page_url", "file:///etc/passwd"),
        ("page_url", "data:text/html,<script>"),
        ("page_url", "https://"),
        ("page_url", "https://shop.example/\nInjected: yes"),
        ("page_url", 42),
        ("referrer", "javascript:alert(document.cookie)"),
        ("page_title", ["a list"]),
        ("locale", "en_GB<script>"),
        ("locale", "x" * 80),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "../../etc/passwd"),
    ],
)
def test_bad_values_are_refused_with_422(field, value):
    with pytest.raises(ValidationFailed) as refused:
        parse(**{field: value})
    assert refused.value.status == 422 and field in refused.value.detail


def test_long_values_are_cut_to_their_columns():
    context = parse(page_url="https://shop.example/?" + "q" * 5000, page_title="t" * 5000)
    assert len(context.page_url) == 2048 and len(context.page_title) == 200


def test_a_huge_user_agent_is_read_only_in_part():
    context = visitor_context_parse(body={}, user_agent="x" * 100_000 + " Chrome/120")
    assert context.browser == ""


def test_the_pages_identity_is_optional_and_checked():
    assert page_identity_parse({}) is None
    assert page_identity_parse({"name": "", "email": None}) is None
    assert page_identity_parse({"name": " Ana ", "email": "ana@example.com"}) == PageIdentity(
        name="Ana", email="ana@example.com"
    )
    html = "<b>Ana</b><script>alert(1)</script>"
    assert page_identity_parse({"name": html}).name == html  # text: escaped where shown
    for bad in ({"email": "not an address"}, {"name": "n" * 101}, {"name": 5}, {"email": 5}):
        with pytest.raises(ValidationFailed):
            page_identity_parse(bad)
