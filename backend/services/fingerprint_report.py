"""What an officer or auditor reads about a case's fingerprints: each finger and its hits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.contracts import FingerPosition
from backend.errors import CaseNotFound
from backend.identity.personal_data import personal_numbers_of_cases
from backend.identity.sealing import DataSealer
from backend.models import Case
from backend.services.cases import parse_case_number

_FINGER_ORDER = {finger.value: index for index, finger in enumerate(FingerPosition)}


@dataclass(frozen=True)
class FingerprintHitSummary:
    other_case_number: str
    other_personal_number: str | None
    score: float


@dataclass(frozen=True)
class FingerSummary:
    finger: str
    exception: str | None
    attempts: int
    kiosk_quality: int | None
    quality_score: int | None
    quality_issues: tuple[str, ...]
    minutiae_count: int | None
    hits: tuple[FingerprintHitSummary, ...]

    def render(self) -> list[str]:
        if self.exception is not None:
            return [f"    {self.finger}: exception {self.exception}, {self.attempts} attempt(s)"]
        issues = ", ".join(self.quality_issues) or "no issues"
        kiosk = "-" if self.kiosk_quality is None else str(self.kiosk_quality)
        lines = [
            f"    {self.finger}: quality {self.quality_score} ({issues}; kiosk said {kiosk}), "
            f"{self.minutiae_count} minutiae, {self.attempts} attempt(s)"
        ]
        lines += [
            f"      hit: case {hit.other_case_number}, personal number "
            f"{hit.other_personal_number or '-'}, score {hit.score:.4f}"
            for hit in self.hits
        ]
        return lines


@dataclass(frozen=True)
class FingerprintReport:
    case_number: str
    fingers: list[FingerSummary]

    @property
    def hit_count(self) -> int:
        return sum(len(finger.hits) for finger in self.fingers)

    def render(self) -> str:
        """Plain text for a terminal, indented to follow the identity report."""
        if not self.fingers:
            return "  fingerprints: none"
        exceptions = sum(finger.exception is not None for finger in self.fingers)
        lines = [
            f"  fingerprints: {len(self.fingers) - exceptions} given, {exceptions} exception(s), "
            f"{self.hit_count} hit(s)"
        ]
        for finger in self.fingers:
            lines += finger.render()
        return "\n".join(lines)


def fingerprint_report(session: Session, case_number: str, sealer: DataSealer) -> FingerprintReport:
    """The fingerprint record of a case, the hits' personal numbers opened with ``sealer``;
    CaseNotFound when there is no such case."""
    number = parse_case_number(case_number)
    case = session.scalar(
        select(Case)
        .options(selectinload(Case.fingerprints), selectinload(Case.fingerprint_hits))
        .where(Case.case_number == number)
    )
    if case is None:
        raise CaseNotFound(f"no case {number}")
    others = personal_numbers_of_cases(
        session, (hit.other_case_number for hit in case.fingerprint_hits), sealer
    )
    hits_of: dict[str, list[FingerprintHitSummary]] = {}
    for hit in case.fingerprint_hits:
        other = others.get(hit.other_case_number)
        hits_of.setdefault(hit.finger, []).append(
            FingerprintHitSummary(hit.other_case_number, other, hit.score)
        )
    fingers = [
        FingerSummary(
            finger=row.finger,
            exception=row.exception,
            attempts=row.attempts,
            kiosk_quality=row.kiosk_quality,
            quality_score=row.quality_score,
            quality_issues=tuple(issue for issue in row.quality_issues.split(",") if issue),
            minutiae_count=row.minutiae_count,
            hits=tuple(hits_of.get(row.finger, ())),
        )
        for row in sorted(case.fingerprints, key=lambda row: _FINGER_ORDER.get(row.finger, 99))
    ]
    return FingerprintReport(case.case_number, fingers)
