"""What the finger screens say: which finger, what to do with it, and how it went.

Issue keys are the reason codes of ``biometrics.fingerprint.FingerprintIssue`` plus
``capture_failed`` (the reader could not take or send the picture).
"""

from __future__ import annotations

from kiosk.i18n import N_, Translator
from kiosk.session import FingerPhase, FingerView

FINGER_NAMES: dict[str, str] = {
    "right_thumb": N_("Right thumb"),
    "right_index": N_("Right index finger"),
    "right_middle": N_("Right middle finger"),
    "right_ring": N_("Right ring finger"),
    "right_little": N_("Right little finger"),
    "left_thumb": N_("Left thumb"),
    "left_index": N_("Left index finger"),
    "left_middle": N_("Left middle finger"),
    "left_ring": N_("Left ring finger"),
    "left_little": N_("Left little finger"),
}

ISSUES: dict[str, str] = {
    "no_finger": N_("We did not see a finger. Place it flat on the glass."),
    "not_a_fingerprint": N_(
        "That did not look like a fingerprint. Place the pad of your finger flat on the glass."
    ),
    "too_small_area": N_("Only part of the finger touched the glass. Lay it flat, centred."),
    "low_contrast": N_("The print is too faint. Press a little harder."),
    "smudged": N_("The print is smudged. Dry your finger on a tissue, then try again."),
    "capture_failed": N_("The reader could not take the picture. Place your finger again."),
}

EXCEPTION_REASONS: dict[str, str] = {
    "bandaged": N_("It is bandaged or in plaster"),
    "injured": N_("It is injured or scarred"),
    "missing": N_("The finger is missing"),
    "unreadable": N_("The reader cannot read it"),
}

OUTCOMES: dict[str, str] = {
    "captured": N_("Taken"),
    "low_quality": N_("Taken, low quality"),
    "exception": N_("Cannot be given"),
}


def finger_name(tr: Translator, finger: str) -> str:
    return tr.gettext(FINGER_NAMES.get(finger, finger))


def finger_prompt(tr: Translator, view: FingerView | None) -> str:
    """The one line the citizen reads beside the hands."""
    _ = tr.gettext
    if view is None:
        return ""
    issue = _(ISSUES[view.issue]) if view.issue in ISSUES else ""
    if view.phase is FingerPhase.READING:
        return _("Hold still: reading your fingerprint…")
    if view.phase is FingerPhase.LIFT:
        if view.accepted:
            return _("Good. Now lift your finger.")
        lift = _("Lift your finger.")
        return f"{issue} {lift}"
    if view.phase is FingerPhase.CHOOSE:
        return _("We could not get a clear print of this finger.")
    if view.phase is FingerPhase.READER_ERROR:
        return ""
    place = _("Place this finger flat on the glass.")
    return f"{issue} {place}" if issue else place


def finger_progress(tr: Translator, view: FingerView | None) -> str:
    """A quieter line: which finger of how many, and which attempt."""
    if view is None:
        return ""
    line = tr.gettext("Finger %(index)d of %(total)d") % {
        "index": view.index + 1,
        "total": view.total,
    }
    if view.attempts:
        line += " · " + tr.gettext("attempt %(attempt)d of %(max)d") % {
            "attempt": view.attempts,
            "max": view.max_attempts,
        }
    return line
