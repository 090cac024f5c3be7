"""Reassembling scanner lines from arbitrary read chunks."""

from __future__ import annotations

import logging
import random

import pytest

from devices.scanner.framing import MAX_LINE_BYTES, LineFramer, decode_code_text


def feed_all(framer: LineFramer, chunks: list[bytes]) -> list[str]:
    codes: list[str] = []
    for chunk in chunks:
        codes.extend(framer.feed(chunk))
    return codes


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"])
def test_each_terminator_ends_a_code(terminator: bytes) -> None:
    framer = LineFramer()
    assert framer.feed(b"000100000423" + terminator) == ["000100000423"]
    assert framer.buffered_bytes == 0


def test_code_split_over_reads_is_held_until_its_terminator() -> None:
    framer = LineFramer()
    assert framer.feed(b"http://127.0.0.1") == []
    assert framer.buffered_bytes == len(b"http://127.0.0.1")
    assert framer.feed(b":8000/s/1") == []
    assert framer.feed(b"23\r") == ["http://127.0.0.1:8000/s/123"]


def test_several_codes_in_one_read_and_crlf_split_between_reads() -> None:
    framer = LineFramer()
    assert framer.feed(b"one\rtwo\nthree\r") == ["one", "two", "three"]
    assert framer.feed(b"\nfour\r\n\r\n") == ["four"]


def test_empty_lines_are_dropped() -> None:
    assert LineFramer().feed(b"\r\n\r\r\n\nx\r\r") == ["x"]


def test_any_chunking_gives_the_same_codes() -> None:
    codes = ["000100000423", "Oʻzbekiston", "http://127.0.0.1:8000/s/000100000423/abc", "Ариза"]
    stream = b"".join(code.encode() + random.Random(i).choice([b"\r", b"\n", b"\r\n"])
                      for i, code in enumerate(codes))  # fmt: skip
    rng = random.Random(1234)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(stream)), rng.randint(0, 12)))
        chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
        assert feed_all(LineFramer(), chunks) == codes


def test_multibyte_character_split_across_reads_decodes_whole() -> None:
    encoded = "Oʻzbek".encode()
    framer = LineFramer()
    assert framer.feed(encoded[:2]) == []
    assert framer.feed(encoded[2:] + b"\r") == ["Oʻzbek"]


def test_invalid_utf8_falls_back_to_latin1() -> None:
    assert LineFramer().feed(b"caf\xe9\r") == ["café"]
    assert decode_code_text(b"\xff\xfe") == "ÿþ"
    assert decode_code_text("ў".encode()) == "ў"


def test_prefix_and_suffix_are_stripped_when_present() -> None:
    framer = LineFramer(prefix="]Q1", suffix=b"\t")
    assert framer.feed(b"]Q1ABC\t\rDEF\r]Q1\t\r") == ["ABC", "DEF"]


def test_line_of_exactly_the_limit_is_kept() -> None:
    framer = LineFramer(max_line_bytes=8)
    assert framer.feed(b"12345678\r") == ["12345678"]
    assert framer.feed(b"123456789\r") == []


def test_overlong_line_without_terminator_is_discarded_and_framer_resyncs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    framer = LineFramer()
    with caplog.at_level(logging.WARNING, logger="devices.scanner.framing"):
        assert framer.feed(b"A" * 3000) == []
        assert framer.feed(b"B" * 3000) == []  # past the limit: dropped
        assert "discarded" in caplog.text
    assert framer.buffered_bytes == 0
    assert framer.feed(b"C" * 5000) == []  # still the same broken line
    assert framer.buffered_bytes == 0
    assert framer.feed(b"tail\rgood\r") == ["good"]
    assert framer.feed(b"next\r") == ["next"]


def test_overlong_line_arriving_whole_is_discarded(caplog: pytest.LogCaptureFixture) -> None:
    framer = LineFramer()
    with caplog.at_level(logging.WARNING, logger="devices.scanner.framing"):
        assert framer.feed(b"x" * (MAX_LINE_BYTES + 1) + b"\rok\r") == ["ok"]
    assert "discarded" in caplog.text


def test_reset_forgets_a_partial_line() -> None:
    framer = LineFramer()
    framer.feed(b"half-a-co")
    framer.reset()
    assert framer.feed(b"whole\r") == ["whole"]


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LineFramer(max_line_bytes=0)
