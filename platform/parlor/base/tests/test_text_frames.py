"""text_frame: the frames websockets' own client parser reads back, at every length encoding."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from parlor.base.text_frames import text_frame


def parsed(frame: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(frame)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("the frame was incomplete")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_every_length_encoding_parses_back_to_the_text(size):
    text = "é" * (size // 2) + "x" * (size % 2)
    frame = parsed(text_frame(text))
    assert frame.opcode is Opcode.TEXT and frame.fin
    assert frame.data.decode() == text


def test_the_same_object_reuses_its_frame_and_an_equal_copy_is_framed_anew():
    text = "".join(["hello ", "world"])
    first = text_frame(text)
    assert text_frame(text) is first
    copy = "".join(["hello", " world"])
    assert copy is not text
    assert text_frame(copy) == first and text_frame(copy) is not first


def test_another_text_between_two_writes_does_not_leak_into_the_next():
    assert parsed(text_frame("a")).data == b"a"
    assert parsed(text_frame("b")).data == b"b"
