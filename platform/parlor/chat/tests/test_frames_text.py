"""Frame decoding under the one text rule: a lone surrogate is `bad_frame`, not a crash."""

from __future__ import annotations

import pytest

from parlor.chat.frames import FrameError, Limits, frame_parse
from parlor.realtime import protocol

LIMITS = Limits(body_max_bytes=4096, history_max=100, history_default=50)


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "send", "room": "r", "body": "\\ud800", "client_msg_id": "m"}',
        '{"type": "send", "room": "r", "body": "hi", "client_msg_id": "\\udc00"}',
        '{"type": "join", "room": "r", "\\ud800": 1}',
    ],
)
def test_a_lone_surrogate_is_a_bad_frame(text):
    with pytest.raises(FrameError) as refused:
        frame_parse(text, LIMITS)
    assert refused.value.code == protocol.ERROR_BAD_FRAME


def test_malformed_json_is_still_bad_json():
    with pytest.raises(FrameError) as refused:
        frame_parse('{"type": ', LIMITS)
    assert refused.value.code == protocol.ERROR_BAD_JSON
