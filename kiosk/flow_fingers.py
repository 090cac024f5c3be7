"""The fingerprint part of the citizen's session: each configured finger in turn, judged.

A mixin of ``KioskFlow`` (kiosk.flow). Reader events arrive on the UI thread through
``finger_event``. One touch of the glass is one attempt; after ``max_attempts`` poor images the
citizen keeps the best one or says why the finger cannot be given, which the officer sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from biometrics.fingerprint import FingerprintIssue
from kiosk.finger_reader import FingerEvent, FingerEventKind, FingerImage
from kiosk.finger_results import EXCEPTION_REASONS, missing_fingers
from kiosk.session import (
    ErrorCode,
    FingerOutcome,
    FingerPhase,
    FingerResult,
    FingerView,
    FlowState,
    SessionData,
    Step,
)

if TYPE_CHECKING:
    from config.profiles import KioskProfile

log = logging.getLogger(__name__)

FINGER_BACK = {Step.FINGER_EXCEPTION: Step.FINGER_CAPTURE}  # attempts made so far still count

CAPTURE_FAILED = "capture_failed"
# An image with one of these is not a print of the finger at all: never kept as "the best".
_NOT_A_PRINT = frozenset({FingerprintIssue.NO_FINGER, FingerprintIssue.NOT_A_FINGERPRINT})


class FingerFeed(Protocol):
    """Reader events for the finger screen (kiosk.finger_reader.FingerReaderFeed)."""

    def start(self, on_event: Callable[[FingerEvent], None]) -> None: ...

    def stop(self) -> None: ...


class FingerSteps:
    """Events of the finger screens; mixed into ``KioskFlow``."""

    profile: KioskProfile
    _state: FlowState
    _finger_feed: FingerFeed | None
    _best_finger: FingerImage | None = None

    # provided by KioskFlow
    def _accept(self, *steps: Step) -> None: ...
    def _set(self, **changes: Any) -> None: ...
    def _go(self, step: Step, **kwargs: Any) -> None: ...
    def _after_fingers(self, data: SessionData) -> None: ...
    def touch(self) -> None: ...

    # --- events from the citizen -----------------------------------------------------------

    def finger_cannot_give(self) -> None:
        """The finger being asked cannot be given: on to choosing the reason."""
        self._accept(Step.FINGER_CAPTURE)
        self._go(Step.FINGER_EXCEPTION)

    def finger_exception(self, reason: str) -> None:
        """Record why the finger cannot be given, and ask for the next one."""
        self._accept(Step.FINGER_EXCEPTION)
        if reason not in EXCEPTION_REASONS:
            raise ValueError(f"not a finger exception reason: {reason!r}")
        view = self._state.data.finger
        assert view is not None
        result = FingerResult(
            view.finger, FingerOutcome.EXCEPTION, attempts=view.attempts, exception=reason
        )
        self._finger_done(result)

    def finger_keep_best(self) -> None:
        """Every attempt was poor: send the best image, marked as low quality."""
        self._accept(Step.FINGER_CAPTURE)
        view = self._state.data.finger
        if view is None or view.phase is not FingerPhase.CHOOSE or self._best_finger is None:
            return
        self._finger_done(self._best_result(view, FingerOutcome.LOW_QUALITY))

    def finger_retry_reader(self) -> None:
        """After a reader failure: try the reader again."""
        self._accept(Step.FINGER_CAPTURE)
        view = self._state.data.finger
        if view is None or view.phase is not FingerPhase.READER_ERROR:
            return
        data = replace(self._state.data, finger=replace(view, phase=FingerPhase.PLACE))
        self._set(data=data, error=None)
        if self._finger_feed is not None:
            self._finger_feed.start(self.finger_event)

    def fingers_done(self) -> None:
        """From the summary, on to the form."""
        self._accept(Step.FINGER_SUMMARY)
        self._after_fingers(self._state.data)

    def fingers_again(self) -> None:
        """From the summary, give every finger again."""
        self._accept(Step.FINGER_SUMMARY)
        self._start_fingers(replace(self._state.data, fingers=()))

    # --- events from the reader ------------------------------------------------------------

    def finger_event(self, event: FingerEvent) -> None:
        """What the reader saw; the finger screen follows it."""
        view = self._state.data.finger
        if self._state.screen is not Step.FINGER_CAPTURE or view is None:
            return
        self.touch()  # someone is at the reader
        kind = event.kind
        if kind is FingerEventKind.READER_FAILED:
            detail = f"{type(event.error).__name__}: {event.error}" if event.error else ""
            self._show(
                replace(view, phase=FingerPhase.READER_ERROR, reader_detail=detail),
                ErrorCode.FINGER_READER_UNAVAILABLE,
            )
        elif view.phase in (FingerPhase.CHOOSE, FingerPhase.READER_ERROR):
            return
        elif kind is FingerEventKind.READING and view.phase is FingerPhase.PLACE:
            self._show(replace(view, phase=FingerPhase.READING))
        elif kind is FingerEventKind.IMAGE and event.image is not None:
            self._judged(view, event.image)
        elif kind is FingerEventKind.CAPTURE_FAILED:
            self._show(replace(view, phase=FingerPhase.PLACE, issue=CAPTURE_FAILED))
        elif kind is FingerEventKind.LIFTED and view.phase is FingerPhase.LIFT:
            self._lifted(view)

    # --- internals -------------------------------------------------------------------------

    def _wanted_fingers(self, data: SessionData) -> list[str]:
        """The fingers the session's service asks for (``data``'s, which may be newer than the
        state's)."""
        code = data.service_code
        return list(self.profile.service(code).fingers) if code else []

    def _fingers_missing(self, data: SessionData) -> bool:
        return bool(missing_fingers(self._wanted_fingers(data), data.fingers))

    def _start_fingers(self, data: SessionData) -> None:
        """Ask for the first finger without a result; the summary when all have one."""
        wanted = self._wanted_fingers(data)
        missing = missing_fingers(wanted, data.fingers)
        if not missing:
            self._go(Step.FINGER_SUMMARY, data=replace(data, finger=None))
            return
        self._best_finger = None
        finger = missing[0]
        view = FingerView(
            finger=finger,
            index=wanted.index(finger),
            total=len(wanted),
            phase=FingerPhase.PLACE,
            max_attempts=self.profile.finger_capture.max_attempts,
        )
        error = None if self._finger_feed is not None else ErrorCode.FINGER_READER_UNAVAILABLE
        if error is not None:
            view = replace(view, phase=FingerPhase.READER_ERROR)
        self._go(Step.FINGER_CAPTURE, data=replace(data, finger=view), error=error)

    def _judged(self, view: FingerView, image: FingerImage) -> None:
        quality = image.quality
        attempts = view.attempts + 1
        issue = quality.issues[0].value if quality.issues else None
        if self._better_than_best(image):
            self._best_finger = image
        self._show(
            replace(
                view,
                phase=FingerPhase.LIFT,
                attempts=attempts,
                issue=issue,
                accepted=quality.acceptable,
                score=quality.score,
                preview_png=image.png,
            )
        )

    def _better_than_best(self, image: FingerImage) -> bool:
        """An acceptable image always wins; a poor one only over a poorer one."""
        quality, best = image.quality, self._best_finger
        if quality.acceptable:
            return True
        if set(quality.issues) & _NOT_A_PRINT:
            return False
        return best is None or (not best.quality.acceptable and quality.score > best.quality.score)

    def _lifted(self, view: FingerView) -> None:
        if view.accepted and self._best_finger is not None:
            self._finger_done(self._best_result(view, FingerOutcome.CAPTURED))
        elif view.attempts >= view.max_attempts:
            has_best = self._best_finger is not None
            self._show(replace(view, phase=FingerPhase.CHOOSE, has_best=has_best))
        else:
            self._show(replace(view, phase=FingerPhase.PLACE))

    def _best_result(self, view: FingerView, outcome: FingerOutcome) -> FingerResult:
        best = self._best_finger
        assert best is not None
        return FingerResult(
            view.finger, outcome, view.attempts, score=best.quality.score, image_png=best.png
        )

    def _finger_done(self, result: FingerResult) -> None:
        data = self._state.data
        kept = tuple(r for r in data.fingers if r.finger != result.finger)
        self._best_finger = None
        self._start_fingers(replace(data, fingers=(*kept, result)))

    def _show(self, view: FingerView, error: ErrorCode | None = None) -> None:
        self._set(data=replace(self._state.data, finger=view), error=error)

    def _follow_reader(self, before: Step, after: Step) -> None:
        """Run the reader only while the finger screen shows."""
        if self._finger_feed is None or before == after:
            return
        if after is Step.FINGER_CAPTURE:
            self._finger_feed.start(self.finger_event)
        elif before is Step.FINGER_CAPTURE:
            self._finger_feed.stop()
