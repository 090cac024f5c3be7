"""What the face screen says: one coaching instruction at a time, and the liveness challenges.

Keys are the reason codes of ``biometrics.face.quality.QualityIssue`` and
``biometrics.face.liveness.Challenge``; directions are the citizen's own left and right.
"""

from __future__ import annotations

from kiosk.i18n import N_, Translator
from kiosk.session import FaceView

INSTRUCTIONS: dict[str, str] = {
    "no_face": N_("Stand in front of the camera and look at the screen"),
    "multiple_faces": N_("Only one person, please"),
    "too_far": N_("Come closer"),
    "too_close": N_("Step back a little"),
    "move_left": N_("Move a little to your left"),
    "move_right": N_("Move a little to your right"),
    "move_up": N_("Raise your head a little"),
    "move_down": N_("Lower your head a little"),
    "look_straight": N_("Look straight at the camera"),
    "eyes_closed": N_("Open your eyes"),
    "too_dark": N_("It is too dark: step into the light"),
    "too_bright": N_("Too much light: step out of the glare"),
    "uneven_light": N_("Your face is lit from one side: turn to face the light"),
    "blurry": N_("Hold still"),
}

CHALLENGES: dict[str, str] = {
    "blink": N_("Blink slowly"),
    "turn_left": N_("Slowly turn your head to your left, then back"),
    "turn_right": N_("Slowly turn your head to your right, then back"),
}


def face_prompt(tr: Translator, view: FaceView | None) -> str:
    """The one line the citizen reads under the picture."""
    _ = tr.gettext
    if view is None:
        return _("Stand in front of the camera and look at the screen")
    if view.challenge:
        return _(CHALLENGES.get(view.challenge, "Look straight at the camera"))
    if view.instruction:
        return _(INSTRUCTIONS.get(view.instruction, "Look straight at the camera"))
    return _("Good. Hold still…")


def face_progress(tr: Translator, view: FaceView | None) -> str:
    """A quieter line: which check of how many."""
    if view is None or not view.challenge or view.challenge_total < 2:
        return ""
    return tr.gettext("Check %(index)d of %(total)d") % {
        "index": view.challenge_index + 1,
        "total": view.challenge_total,
    }
