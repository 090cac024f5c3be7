"""The identity side of a case: which verification identified the applicant, and whether the
same face already applied under another personal number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.contracts import CaseSubmission, VerificationDecision
from backend.db_types import utc_now
from backend.errors import (
    VerificationAlreadyUsed,
    VerificationExpired,
    VerificationMismatch,
    VerificationNotAccepted,
    VerificationNotFound,
)
from backend.identity.gallery import ApplicantGallery, ApplicantHit
from backend.identity.sealing import DataSealer, verification_template_context
from backend.identity.templates import template_from_bytes
from backend.models import Case, CaseDuplicateHit, FaceVerification
from backend.services.kiosks import AuthenticatedKiosk

ACCEPTED_DECISIONS = frozenset({VerificationDecision.VERIFIED, VerificationDecision.MANUAL_REVIEW})


@dataclass(frozen=True)
class DuplicateSearch:
    """What a case submission needs to check the verification it names and to look for the
    same face under other numbers."""

    gallery: ApplicantGallery
    sealer: DataSealer
    max_distance: float
    verification_max_age: timedelta = timedelta(hours=2)


@dataclass(frozen=True)
class CaseIdentity:
    """A submission's verification, checked, and the duplicates its face turned up."""

    verification: FaceVerification
    hits: list[ApplicantHit]

    @property
    def needs_officer_review(self) -> bool:
        return self.verification.decision == VerificationDecision.MANUAL_REVIEW or bool(self.hits)


def usable_verification(
    session: Session,
    kiosk: AuthenticatedKiosk,
    submission: CaseSubmission,
    person_digest: str | None,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> FaceVerification:
    """The verification a submission names, if it may identify this case's applicant;
    ``person_digest`` is the keyed digest of the submission's personal number.

    Its age is judged by the backend's clock (``now``, by default the current time), never by
    the time the kiosk says it filed the case."""
    verification_id = submission.verification_id
    row = session.get(FaceVerification, verification_id)
    if row is None or row.kiosk_id != kiosk.id:
        raise VerificationNotFound(f"no verification {verification_id} made by this kiosk")
    if person_digest != row.personal_number_digest:
        raise VerificationMismatch(
            f"verification {verification_id} was made for another personal number"
        )
    if row.decision not in ACCEPTED_DECISIONS:
        raise VerificationNotAccepted(
            f"verification {verification_id} ended {row.decision}; it does not identify anyone"
        )
    received_at = _utc(now if now is not None else utc_now())
    if max_age is not None and received_at - _utc(row.created_at) > max_age:
        raise VerificationExpired(
            f"verification {verification_id} is older than {max_age} at this case's receipt"
        )
    if session.scalar(select(Case.id).where(Case.verification_id == row.id)) is not None:
        raise VerificationAlreadyUsed(
            f"verification {verification_id} already identifies another case"
        )
    return row


def check_case_identity(
    session: Session,
    kiosk: AuthenticatedKiosk,
    submission: CaseSubmission,
    duplicates: DuplicateSearch,
    now: datetime | None = None,
) -> CaseIdentity | None:
    """Check the named verification and search for duplicates; before the case is added."""
    if submission.verification_id is None:
        return None
    number = submission.personal_number
    digest = None if number is None else duplicates.sealer.personal_number_digest(number)
    verification = usable_verification(
        session, kiosk, submission, digest, duplicates.verification_max_age, now
    )
    hits: list[ApplicantHit] = []
    if verification.template_sealed is not None:
        sealed = verification.template_sealed
        vector = template_from_bytes(
            duplicates.sealer.open(sealed, verification_template_context(verification.id))
        )
        hits = duplicates.gallery.find_duplicates(
            session, vector, verification.personal_number_digest, duplicates.max_distance
        )
    return CaseIdentity(verification, hits)


def store_duplicate_hits(session: Session, case: Case, hits: list[ApplicantHit]) -> None:
    now = utc_now()
    for hit in hits:
        session.add(
            CaseDuplicateHit(
                case_id=case.id,
                other_case_number=hit.case_number,
                distance=hit.distance,
                found_at=now,
            )
        )


def _utc(moment: datetime) -> datetime:
    # SQLite gives stored times back without an offset; they were written in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
