"""The finger screens of one language, for the screen galleries.

Each screen is shown in its longest states (the longest issue, the reader failure with its
detail for staff, every outcome in the summary) by setting the session's finger view, since
what a live reader shows is the end-to-end test's job.
"""

from __future__ import annotations

from dataclasses import replace

from devices.fingerprint import protocol
from devices.fingerprint.finger_images import load_finger_image, smudged_image
from kiosk.finger_reader import png_bytes
from kiosk.session import ErrorCode, FingerOutcome, FingerPhase, FingerResult, FingerView, Step

CLEAN = png_bytes(protocol.quantise(load_finger_image("nbisP1_1")))
SMUDGED = png_bytes(protocol.quantise(smudged_image(load_finger_image("afisA_1"))))


def walk_fingers(gallery) -> None:
    """Place (with the longest issue), a good print, the choice, a broken reader, the reasons
    and the summary."""
    flow = gallery.flow
    flow.finish()
    flow.choose_language(gallery.language)
    first = FingerView("right_index", 0, 4, FingerPhase.PLACE, max_attempts=3)
    views = (
        ("40-finger-place", first, None),
        (
            "41-finger-not-a-print",
            replace(first, attempts=1, issue="not_a_fingerprint"),
            None,
        ),
        (
            "42-finger-smudged-lift",
            replace(
                first, phase=FingerPhase.LIFT, attempts=2, issue="smudged", score=4,
                preview_png=SMUDGED,
            ),
            None,
        ),
        (
            "43-finger-good-lift",
            replace(first, phase=FingerPhase.LIFT, attempts=3, accepted=True, score=88,
                    preview_png=CLEAN),
            None,
        ),
        (
            "44-finger-choose",
            replace(first, phase=FingerPhase.CHOOSE, attempts=3, issue="too_small_area",
                    has_best=True, score=31, preview_png=CLEAN),
            None,
        ),
        (
            "45-finger-reader-broken",
            replace(first, phase=FingerPhase.READER_ERROR,
                    reader_detail="ReaderNotResponding: no reply within 1 s"),
            ErrorCode.FINGER_READER_UNAVAILABLE,
        ),
    )  # fmt: skip
    for name, view, error in views:
        flow._go(Step.FINGER_CAPTURE, data=replace(flow.state.data, finger=view), error=error)
        gallery.shot(name, Step.FINGER_CAPTURE)
    flow._go(Step.FINGER_EXCEPTION, data=replace(flow.state.data, finger=first), error=None)
    gallery.shot("46-finger-exception", Step.FINGER_EXCEPTION)
    results = (
        FingerResult("right_index", FingerOutcome.CAPTURED, 1, 90, CLEAN),
        FingerResult("left_index", FingerOutcome.LOW_QUALITY, 3, 35, CLEAN),
        FingerResult("right_thumb", FingerOutcome.EXCEPTION, 0, exception="unreadable"),
        FingerResult("left_thumb", FingerOutcome.EXCEPTION, 1, exception="bandaged"),
    )
    data = replace(flow.state.data, finger=None, fingers=results)
    flow._go(Step.FINGER_SUMMARY, data=data)
    gallery.shot("47-finger-summary", Step.FINGER_SUMMARY)
    flow.finish()
