"""A case's personal data at rest: text, phone and personal number sealed with AES-GCM, each
bound to its field of its case; the personal number also as a keyed digest for lookups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.identity.sealing import DataSealer, case_field_context
from backend.models import Case


@dataclass(frozen=True)
class CasePersonalData:
    """What a citizen told the kiosk about themselves, opened."""

    text: str
    phone: str | None
    personal_number: str | None


def seal_case_personal_data(case: Case, data: CasePersonalData, sealer: DataSealer) -> None:
    """Set the sealed fields (and the digest) of ``case``, whose case number must be set."""
    number = case.case_number
    case.text_sealed = sealer.seal(data.text.encode(), case_field_context(number, "text"))
    case.phone_sealed = sealer.seal_text(data.phone, case_field_context(number, "phone"))
    case.personal_number_sealed = sealer.seal_text(
        data.personal_number, case_field_context(number, "personal_number")
    )
    case.personal_number_digest = (
        None
        if data.personal_number is None
        else sealer.personal_number_digest(data.personal_number)
    )


def open_case_personal_data(case: Case, sealer: DataSealer) -> CasePersonalData:
    """The personal data of ``case``; raises SealError if a blob was altered or moved."""
    number = case.case_number
    return CasePersonalData(
        text=sealer.open(case.text_sealed, case_field_context(number, "text")).decode(),
        phone=sealer.open_text(case.phone_sealed, case_field_context(number, "phone")),
        personal_number=sealer.open_text(
            case.personal_number_sealed, case_field_context(number, "personal_number")
        ),
    )


def case_personal_number(case: Case | None, sealer: DataSealer) -> str | None:
    """The opened personal number of ``case`` (None for no case or no number)."""
    if case is None:
        return None
    return sealer.open_text(
        case.personal_number_sealed, case_field_context(case.case_number, "personal_number")
    )


def personal_numbers_of_cases(
    session: Session, case_numbers: Iterable[str], sealer: DataSealer
) -> dict[str, str | None]:
    """The opened personal number of each named case that exists (None when it has none)."""
    wanted = set(case_numbers)
    if not wanted:
        return {}
    cases = session.scalars(select(Case).where(Case.case_number.in_(wanted)))
    return {case.case_number: case_personal_number(case, sealer) for case in cases}
