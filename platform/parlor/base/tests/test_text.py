"""The one text rule: JSON with a lone surrogate is refused, apart from JSON that is malformed."""

from __future__ import annotations

import math

import pytest

from parlor.base.text import InvalidText, json_decode, text_is_valid


@pytest.mark.parametrize(
    "document", ['"\\ud800"', '{"a": "x\\udc00"}', '["\\udbff\\u0041"]', '{"\\ud800": 1}']
)
def test_lone_surrogates_are_invalid_text(document):
    with pytest.raises(InvalidText):
        json_decode(document)


@pytest.mark.parametrize("document", ['{"a": ', "nope", b"\xff\xfe", ""])
def test_malformed_json_is_a_plain_value_error(document):
    with pytest.raises(ValueError) as refused:
        json_decode(document)
    assert not isinstance(refused.value, InvalidText)


def test_valid_text_decodes_including_surrogate_pairs_and_escaped_backslashes():
    assert json_decode('{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}') == {"a": "😀", "b": "\\ud800"}
    assert json_decode(b'{"a": 1}') == {"a": 1}


def test_text_is_valid():
    assert text_is_valid("héllo 😀")
    assert not text_is_valid("\ud800")


def test_what_only_orjson_refuses_still_decodes_as_the_standard_library_does():
    assert math.isnan(json_decode('{"n": NaN}')["n"])
