"""Browser and operating system from a User-Agent header: a small parser, enough for a label.

No library: the agent needs "Chrome 120 on macOS", not a device database. Order matters, since
most browsers name the engines they imitate (Edge says Chrome and Safari, Chrome says Safari).
"""

from __future__ import annotations

import re

# (name, pattern with the major version in group 1), first match wins.
BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/(\d+)")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome Headless", re.compile(r"\bHeadlessChrome/(\d+)")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"\bVersion/(\d+)[\d.]* (?:Mobile/\w+ )?Safari/")),
)
SYSTEMS = (
    ("iPadOS", re.compile(r"\biPad\b.*?OS (\d+)")),
    ("iOS", re.compile(r"\biPhone OS (\d+)")),
    ("Android", re.compile(r"\bAndroid (\d+)")),
    ("ChromeOS", re.compile(r"\bCrOS\b()")),
    ("Windows", re.compile(r"\bWindows NT \d+()")),
    ("macOS", re.compile(r"\bMac OS X\b()")),
    ("Linux", re.compile(r"\bLinux\b()")),
)


def user_agent_parse(user_agent: str) -> tuple[str, str]:
    """Return ("Chrome 120", "macOS")-like labels for `user_agent`; "" for what is unknown."""
    return _first(BROWSERS, user_agent), _first(SYSTEMS, user_agent)


def _first(table: tuple[tuple[str, re.Pattern[str]], ...], user_agent: str) -> str:
    for name, pattern in table:
        found = pattern.search(user_agent)
        if found:
            return f"{name} {found.group(1)}".strip()
    return ""
