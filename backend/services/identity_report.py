"""What an officer or auditor reads about a case's identity: the verification and duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from backend.errors import CaseNotFound
from backend.identity.personal_data import case_personal_number, personal_numbers_of_cases
from backend.identity.sealing import DataSealer
from backend.models import Case, FaceVerification
from backend.services.cases import parse_case_number


@dataclass(frozen=True)
class VerificationSummary:
    verification_id: UUID
    decision: str
    distance: float | None
    verify_max_distance: float
    review_max_distance: float
    liveness: str
    kiosk_code: str
    created_at: datetime


@dataclass(frozen=True)
class DuplicateSummary:
    other_case_number: str
    other_personal_number: str | None
    distance: float


@dataclass(frozen=True)
class IdentityReport:
    case_number: str
    personal_number: str | None
    needs_officer_review: bool
    verification: VerificationSummary | None
    duplicates: list[DuplicateSummary]

    def render(self) -> str:
        """Plain text for a terminal."""
        lines = [
            f"case {self.case_number}",
            f"  personal number: {self.personal_number or '-'}",
            f"  needs officer review: {'yes' if self.needs_officer_review else 'no'}",
        ]
        check = self.verification
        if check is None:
            lines.append("  face verification: none")
        else:
            distance = "-" if check.distance is None else f"{check.distance:.4f}"
            lines += [
                f"  face verification {check.verification_id}",
                f"    decision: {check.decision}",
                f"    distance: {distance} (verified <= {check.verify_max_distance:.2f}, "
                f"review <= {check.review_max_distance:.2f})",
                f"    liveness: {check.liveness or '-'}",
                f"    kiosk: {check.kiosk_code}, at {check.created_at.isoformat()}",
            ]
        if not self.duplicates:
            lines.append("  duplicate hits: none")
        else:
            lines.append(f"  duplicate hits: {len(self.duplicates)}")
            lines += [
                f"    case {hit.other_case_number}, personal number "
                f"{hit.other_personal_number or '-'}, distance {hit.distance:.4f}"
                for hit in self.duplicates
            ]
        return "\n".join(lines)


def identity_report(session: Session, case_number: str, sealer: DataSealer) -> IdentityReport:
    """The identity record of a case, its personal numbers opened with ``sealer``;
    CaseNotFound when there is no such case."""
    number = parse_case_number(case_number)
    case = session.scalar(
        select(Case)
        .options(
            joinedload(Case.verification).joinedload(FaceVerification.kiosk),
            selectinload(Case.duplicate_hits),
        )
        .where(Case.case_number == number)
    )
    if case is None:
        raise CaseNotFound(f"no case {number}")
    check = case.verification
    summary = None
    if check is not None:
        summary = VerificationSummary(
            verification_id=check.id,
            decision=check.decision,
            distance=check.distance,
            verify_max_distance=check.verify_max_distance,
            review_max_distance=check.review_max_distance,
            liveness=check.liveness,
            kiosk_code=check.kiosk.code,
            created_at=check.created_at,
        )
    others = personal_numbers_of_cases(
        session, (hit.other_case_number for hit in case.duplicate_hits), sealer
    )
    duplicates = [
        DuplicateSummary(hit.other_case_number, others.get(hit.other_case_number), hit.distance)
        for hit in case.duplicate_hits
    ]
    return IdentityReport(
        case.case_number,
        case_personal_number(case, sealer),
        case.needs_officer_review,
        summary,
        duplicates,
    )
