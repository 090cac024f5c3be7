"""Shared pieces of the identity tests: photos, a memoizing encoder, request bodies."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from backend.identity.demo_people import DemoPerson, demo_person
from backend.identity.templates import PortraitEncoder, portrait_encoder
from biometrics.face.encoding import FaceRefused
from config.face import FaceMatchSettings
from config.settings import PROJECT_ROOT

FACES = PROJECT_ROOT.parent / "shared" / "data" / "faces"
PEOPLE = FACES / "people"
TWO_PEOPLE = FACES / "multi" / "harington_with_leslie.jpg"
NO_FACE = PROJECT_ROOT.parent / "shared" / "data" / "fingerprints" / "negative" / "landscape.jpg"
VERIFICATIONS = "/api/v1/identity/verifications"


def photo(name: str) -> Path:
    """``obama_2`` -> the file of that photo in faces/people."""
    return next(PEOPLE.glob(f"{name}.*"))


class MemoizingEncoder:
    """The backend's real encoder, remembering each photo's template or refusal, so a test
    session encodes every shared photo once."""

    def __init__(self, settings: FaceMatchSettings | None = None) -> None:
        self._encode: PortraitEncoder = portrait_encoder(settings or FaceMatchSettings())
        self._known: dict[str, np.ndarray | FaceRefused] = {}
        self.encoded = 0

    def __call__(self, portrait: bytes) -> np.ndarray:
        key = hashlib.sha256(portrait).hexdigest()
        if key not in self._known:
            self.encoded += 1
            try:
                self._known[key] = self._encode(portrait)
            except FaceRefused as refused:
                self._known[key] = refused
        known = self._known[key]
        if isinstance(known, FaceRefused):
            raise known
        return known.copy()


def verification_body(
    person: DemoPerson | str,
    portrait: Path | bytes,
    *,
    birth_date: date | None = None,
    liveness: str = "blink,turn_left",
    **overrides: Any,
) -> dict[str, Any]:
    """A FaceVerificationRequest as JSON for a demo person (or a personal number)."""
    if isinstance(person, str):
        person = demo_person(person)
    data = portrait.read_bytes() if isinstance(portrait, Path) else portrait
    body: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "personal_number": person.personal_number,
        "birth_date": (birth_date or person.birth_date).isoformat(),
        "portrait_jpeg": base64.b64encode(data).decode(),
        "liveness": liveness,
    }
    body.update(overrides)
    return body
