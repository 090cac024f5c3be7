"""Loads face_recognition and its dlib models once, with a clear error when they are missing."""

from __future__ import annotations

import importlib.util
import threading
import warnings
from functools import cache
from types import ModuleType

DLIB_LOCK = threading.RLock()
"""Held around every call into face_recognition's shared dlib detector, shape predictor and
encoder: they release the GIL and corrupt memory when two threads use them at once (a kiosk's
camera loop beside a verification, the backend's request threads)."""


class FaceModelsMissing(RuntimeError):
    """face_recognition or its model files are not installed."""


@cache
def face_recognition_module() -> ModuleType:
    """The ``face_recognition`` module; raises instead of the library's own ``quit()``."""
    if importlib.util.find_spec("face_recognition_models") is None:
        raise FaceModelsMissing(
            "face_recognition_models is not installed; run `make setup` to build the virtualenv"
        )
    if importlib.util.find_spec("face_recognition") is None:
        raise FaceModelsMissing("face_recognition is not installed; run `make setup`")
    with warnings.catch_warnings():
        # face_recognition_models still imports pkg_resources, which warns on every import.
        warnings.simplefilter("ignore")
        import face_recognition
    return face_recognition
