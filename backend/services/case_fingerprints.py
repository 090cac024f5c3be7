"""The fingerprints of a case: measured here, sealed at rest, and searched among earlier cases
under other personal numbers.

The kiosk's own quality score is kept for the record only; quality and templates are always
computed from the image by the backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from backend.contracts import FingerprintCapture
from backend.db_types import utc_now
from backend.errors import FingerprintImageInvalid
from backend.identity.fingerprint_gallery import (
    FingerprintGallery,
    FingerprintHit,
    fingerprint_image_context,
    fingerprint_template_context,
)
from backend.identity.fingerprint_png import FingerprintPngError, decode_fingerprint_png
from backend.identity.sealing import DataSealer
from backend.models import Case, CaseFingerprint, CaseFingerprintHit
from biometrics.fingerprint import (
    FingerprintQuality,
    FingerprintTemplate,
    assess_fingerprint,
    extract_template,
)


@dataclass(frozen=True)
class FingerprintSearch:
    """What a case submission needs to seal its fingerprints and search them."""

    gallery: FingerprintGallery
    sealer: DataSealer


@dataclass(frozen=True)
class MeasuredFinger:
    """One finger of a submission: the capture, and for an image what the backend measured."""

    capture: FingerprintCapture
    png: bytes | None = None
    quality: FingerprintQuality | None = None
    template: FingerprintTemplate | None = None

    @property
    def needs_officer(self) -> bool:
        """An exception, or an image whose measured quality is not acceptable."""
        return self.quality is None or not self.quality.acceptable


@dataclass(frozen=True)
class CaseFingerprints:
    """A submission's fingers, measured, and the duplicates they turned up."""

    fingers: list[MeasuredFinger]
    hits: list[FingerprintHit]

    @property
    def needs_officer_review(self) -> bool:
        return bool(self.hits) or any(finger.needs_officer for finger in self.fingers)

    def audit_details(self) -> dict[str, Any]:
        """What the case's audit entry says of its fingerprints (no images, no templates)."""
        given = [f.capture.finger.value for f in self.fingers if f.capture.exception is None]
        exceptions = {
            f.capture.finger.value: f.capture.exception.value
            for f in self.fingers
            if f.capture.exception is not None
        }
        poor = [
            f.capture.finger.value
            for f in self.fingers
            if f.quality is not None and not f.quality.acceptable
        ]
        return {
            "fingerprints_given": given,
            "finger_exceptions": exceptions,
            "fingerprints_poor_quality": poor,
            "fingerprint_hits": [
                {"finger": hit.finger, "other_case_number": hit.case_number, "score": hit.score}
                for hit in self.hits
            ],
        }


def measure_finger(capture: FingerprintCapture) -> MeasuredFinger:
    """Decode a capture's image and measure its quality and template; exceptions pass as is."""
    if capture.image_png is None:
        return MeasuredFinger(capture)
    try:
        decoded = decode_fingerprint_png(capture.image_png)
    except FingerprintPngError as error:
        raise FingerprintImageInvalid(f"fingerprint {capture.finger.value}: {error}") from None
    quality = assess_fingerprint(decoded.pixels)
    template = extract_template(decoded.pixels)
    return MeasuredFinger(capture, decoded.png, quality, template)


def check_case_fingerprints(
    session: Session,
    captures: list[FingerprintCapture],
    person_digest: str | None,
    search: FingerprintSearch,
) -> CaseFingerprints | None:
    """Measure a submission's fingers and search them; before the case is added, so a bad
    image stores nothing and the search only sees earlier cases. ``person_digest``, the keyed
    digest of the applicant's personal number, keeps their own earlier cases out."""
    if not captures:
        return None
    fingers = [measure_finger(capture) for capture in captures]
    probes = {
        finger.capture.finger.value: finger.template
        for finger in fingers
        if finger.template is not None and finger.template.minutiae
    }
    hits = search.gallery.find_duplicates(session, probes, person_digest) if probes else []
    return CaseFingerprints(fingers, hits)


def store_case_fingerprints(
    session: Session, case: Case, fingerprints: CaseFingerprints, sealer: DataSealer
) -> None:
    """Add the fingers (image and template sealed to this case and finger) and the hits."""
    now = utc_now()
    for measured in fingerprints.fingers:
        capture = measured.capture
        finger = capture.finger.value
        row = CaseFingerprint(
            case_id=case.id,
            finger=finger,
            exception=capture.exception.value if capture.exception is not None else None,
            attempts=capture.attempts,
            kiosk_quality=capture.kiosk_quality,
            quality_issues="",
            created_at=now,
        )
        if measured.png is not None and measured.quality is not None:
            row.quality_score = round(measured.quality.score)
            row.quality_issues = ",".join(str(issue) for issue in measured.quality.issues)
            row.image_sealed = sealer.seal(
                measured.png, fingerprint_image_context(case.case_number, finger)
            )
        if measured.template is not None:
            row.minutiae_count = len(measured.template.minutiae)
            row.template_sealed = sealer.seal(
                measured.template.to_bytes(),
                fingerprint_template_context(case.case_number, finger),
            )
        session.add(row)
    for hit in fingerprints.hits:
        session.add(
            CaseFingerprintHit(
                case_id=case.id,
                finger=hit.finger,
                other_case_number=hit.case_number,
                score=hit.score,
                found_at=now,
            )
        )
