"""Quoted history and signatures are cut from email replies."""

from __future__ import annotations

import pytest

from parlor.followup.quoting import reply_text_extract


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks!\n\nOn Sat, 5 Dec 2026 at 18:00, Shop <s@x> wrote:\n> hi", "Thanks!"),
        ("Thanks!\nOn Sat, 5 Dec 2026 at 18:00, Shop\n<s@x> wrote:\n> hi", "Thanks!"),
        ("Ok\r\n\r\n-----Original Message-----\r\nFrom: Shop", "Ok"),
        ("Ok\n________________________________\nFrom: Shop\nSent: today", "Ok"),
        ("Ok\n> quoted\n> more", "Ok"),
        ("Line one\nLine two\n\n-- \nAda\nACME Inc.", "Line one\nLine two"),
        ("Yes\n\nSent from my iPhone", "Yes"),
        ("Danke\n\nAm 05.12.2026 um 18:00 schrieb Shop <s@x>:\n> hi", "Danke"),
        ("> only a quote", ""),
    ],
)
def test_reply_text_extract(text, expected):
    assert reply_text_extract(text) == expected
