"""Fingers as the session records them, and as the case submission carries them."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from backend.contracts import FingerException, FingerPosition, FingerprintCapture
from kiosk.session import FingerOutcome, FingerResult

EXCEPTION_REASONS: tuple[str, ...] = tuple(reason.value for reason in FingerException)


def finger_capture(result: FingerResult) -> FingerprintCapture:
    """The submission's record of one finger."""
    if result.outcome is FingerOutcome.EXCEPTION:
        return FingerprintCapture(
            finger=FingerPosition(result.finger),
            attempts=result.attempts,
            exception=FingerException(result.exception or FingerException.UNREADABLE),
        )
    assert result.image_png is not None
    return FingerprintCapture(
        finger=FingerPosition(result.finger),
        image_png=base64.b64encode(result.image_png).decode("ascii"),
        kiosk_quality=result.score,
        attempts=result.attempts,
    )


def missing_fingers(wanted: Sequence[str], results: Sequence[FingerResult]) -> list[str]:
    """The fingers of ``wanted`` with no result yet, in the order they are asked."""
    done = {result.finger for result in results}
    return [finger for finger in wanted if finger not in done]
