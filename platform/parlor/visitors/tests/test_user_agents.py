"""The User-Agent parser names the common browsers and systems, most specific first."""

from __future__ import annotations

import pytest

from parlor.visitors.user_agents import user_agent_parse

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    "user_agent, expected",
    [
        (CHROME_MAC, ("Chrome 120", "macOS")),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61",
            ("Edge 120", "Windows"),
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            ("Firefox 121", "Linux"),
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
            ("Safari 17", "iOS 17"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/120.0.6099.43 Mobile Safari/537.36",
            ("Chrome 120", "Android 14"),
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " HeadlessChrome/131.0.0.0 Safari/537.36",
            ("Chrome Headless 131", "Linux"),
        ),
        ("curl/8.5.0", ("", "")),
        ("", ("", "")),
        ("<script>alert(1)</script>", ("", "")),
    ],
)
def test_browser_and_system(user_agent, expected):
    assert user_agent_parse(user_agent) == expected
