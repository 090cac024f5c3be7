"""Turn the byte stream of a line scanner into decoded codes.

Serial scanners send each code as text followed by CR, LF or CRLF, sometimes wrapped in a
configured prefix and suffix. Reads do not follow code boundaries: one code may arrive over
several reads and several codes may arrive in one.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 4096
_LINE_END = re.compile(rb"\r|\n")


def decode_code_text(raw: bytes) -> str:
    """Decode scanner bytes as UTF-8, falling back to latin-1 so any byte string decodes."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


class LineFramer:
    """Reassemble complete codes from byte chunks in arrival order."""

    def __init__(
        self,
        *,
        prefix: str | bytes = b"",
        suffix: str | bytes = b"",
        max_line_bytes: int = MAX_LINE_BYTES,
    ) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self._prefix = _as_bytes(prefix)
        self._suffix = _as_bytes(suffix)
        self._max_line_bytes = max_line_bytes
        self._partial = bytearray()
        # After an over-long line, bytes are dropped until the next terminator so that the
        # tail of the broken line is never reported as a code of its own.
        self._discarding = False

    @property
    def buffered_bytes(self) -> int:
        """Bytes of an unterminated line held until its terminator arrives."""
        return len(self._partial)

    def reset(self) -> None:
        """Forget any partial line, e.g. after the device was reconnected."""
        self._partial.clear()
        self._discarding = False

    def feed(self, chunk: bytes) -> list[str]:
        """Take the next bytes read from the device; return the codes they complete."""
        *complete, tail = _LINE_END.split(chunk)
        codes: list[str] = []
        for piece in complete:
            code = self._finish_line(piece)
            if code is not None:
                codes.append(code)
        self._hold(tail)
        return codes

    def _finish_line(self, piece: bytes) -> str | None:
        if self._discarding:
            self._discarding = False
            self._partial.clear()
            return None
        line = bytes(self._partial) + piece
        self._partial.clear()
        if len(line) > self._max_line_bytes:
            self._warn_too_long(len(line))
            return None
        return self._code_of(line)

    def _hold(self, tail: bytes) -> None:
        if self._discarding or not tail:
            return
        self._partial += tail
        if len(self._partial) > self._max_line_bytes:
            self._warn_too_long(len(self._partial))
            self._partial.clear()
            self._discarding = True

    def _warn_too_long(self, size: int) -> None:
        logger.warning(
            "scanner line longer than %d bytes (%d so far) discarded",
            self._max_line_bytes,
            size,
        )

    def _code_of(self, line: bytes) -> str | None:
        if self._prefix and line.startswith(self._prefix):
            line = line[len(self._prefix) :]
        if self._suffix and line.endswith(self._suffix):
            line = line[: -len(self._suffix)]
        if not line:
            return None
        return decode_code_text(line)
