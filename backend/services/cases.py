"""Registering kiosk submissions as cases, reading their status, and moving them along."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from backend.audit import append_audit
from backend.case_states import INITIAL_STATE, CaseState, can_transition, public_stage
from backend.contracts import (
    CaseAccepted,
    CaseNumberError,
    CaseStatusView,
    CaseSubmission,
    kiosk_code_of,
    normalize_case_number,
    sequence_of,
)
from backend.db_types import utc_now
from backend.errors import (
    CaseNotFound,
    CaseNumberForeign,
    CaseNumberInvalid,
    CaseNumberTaken,
    SubmissionConflict,
    TransitionNotAllowed,
    VerificationAlreadyUsed,
)
from backend.identity.personal_data import CasePersonalData, seal_case_personal_data
from backend.identity.sealing import DataSealer
from backend.models import Case, CaseEvent, Kiosk
from backend.services.case_fingerprints import (
    FingerprintSearch,
    check_case_fingerprints,
    store_case_fingerprints,
)
from backend.services.case_identity import (
    DuplicateSearch,
    check_case_identity,
    store_duplicate_hits,
)
from backend.services.case_requirements import (
    CaseRules,
    as_utc,
    check_case_requirements,
    check_submitted_at,
)
from backend.services.kiosks import AuthenticatedKiosk
from backend.services.payments import attach_case_payment, check_case_payment
from backend.services.status import status_url_for
from config.services import cached_service_catalogue
from config.settings import BackendSettings
from payments.fees import FeeSchedule, cached_fee_schedule


def submission_payload_hash(submission: CaseSubmission) -> str:
    """SHA-256 of everything a submission says, so a retry can be told from a different one."""
    content = submission.model_dump(mode="json", exclude={"consent"})
    content["submitted_at"] = as_utc(submission.submitted_at).isoformat()
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def case_status_view(case: Case) -> CaseStatusView:
    """What anyone may see of a case: no text, phone or name."""
    return CaseStatusView(
        case_number=case.case_number,
        stage=public_stage(case.state),
        registered_at=case.registered_at,
        updated_at=case.updated_at,
        service_kind=case.service_kind,  # type: ignore[arg-type]
        office=case.kiosk.office,
    )


def _accepted(
    case: Case, created: bool, master_secret: bytes, public_base_url: str
) -> CaseAccepted:
    return CaseAccepted(
        case_number=case.case_number,
        status_url=status_url_for(master_secret, public_base_url, case.case_number),
        registered_at=case.registered_at,
        stage=public_stage(case.state),
        created=created,
    )


def _find_case(session: Session, condition: ColumnElement[bool]) -> Case | None:
    return session.scalar(select(Case).options(joinedload(Case.kiosk)).where(condition))


def _repeat_of(existing: Case, payload_hash: str) -> Case:
    if existing.payload_hash != payload_hash:
        raise SubmissionConflict(
            f"submission {existing.submission_id} was already received with different content"
        )
    return existing


def raise_kiosk_sequence(session: Session, kiosk_id: int, sequence: int) -> None:
    """Record ``sequence`` as the kiosk's highest stored one, unless a higher one is."""
    # One conditional UPDATE: concurrent cases of one kiosk can only ever raise it.
    session.execute(
        update(Kiosk)
        .where(Kiosk.id == kiosk_id, Kiosk.case_sequence < sequence)
        .values(case_sequence=sequence)
        .execution_options(synchronize_session=False)
    )


def submit_case(
    session: Session,
    kiosk: AuthenticatedKiosk,
    submission: CaseSubmission,
    master_secret: bytes,
    public_base_url: str,
    duplicates: DuplicateSearch,
    fingerprint_search: FingerprintSearch | None = None,
    fees: FeeSchedule | None = None,
    sealer: DataSealer | None = None,
    rules: CaseRules | None = None,
) -> CaseAccepted:
    """Register a submission as a new case, or return the case an identical earlier copy made.

    A submission naming a face verification is checked against it, its face searched among
    earlier applicants under other personal numbers, and the case flagged for an officer when
    the verification needs review or a duplicate turns up. Its fingerprints are measured,
    sealed and searched the same way (``fingerprint_search``), and an exception, a poor finger
    or a fingerprint hit flags the case too. Safe under concurrent identical requests: the
    unique constraints decide, and the loser re-reads what the winner stored.
    A service with a fee (``fees``, by default the configured schedule) needs a paid order of
    that service from this kiosk that no other case used; the order then records the case.
    The text, phone and personal number are stored sealed by ``sealer`` (by default the
    duplicate search's). Before any of that, the service's requirements (``rules``, by default
    the configured catalogue) are checked and the kiosk's time is bounded by the backend's clock.
    """
    if kiosk_code_of(submission.case_number) != kiosk.code:
        raise CaseNumberForeign(
            f"case number {submission.case_number} does not belong to kiosk {kiosk.code}"
        )
    sealer = sealer or duplicates.sealer
    payload_hash = submission_payload_hash(submission)
    existing = _find_case(session, Case.submission_id == submission.submission_id)
    if existing is not None:
        return _accepted(_repeat_of(existing, payload_hash), False, master_secret, public_base_url)

    if fees is None or rules is None:
        configured = BackendSettings()
        fees = fees if fees is not None else cached_fee_schedule(configured.fee_schedule_path)
        rules = rules or CaseRules(cached_service_catalogue(configured.service_catalogue_path))
    now = utc_now()
    check_submitted_at(submission.submitted_at, now, rules.submission_max_age, rules.clock_skew)
    check_case_requirements(submission, rules.catalogue, fees)
    payment = check_case_payment(session, kiosk, submission, fees)
    identity = check_case_identity(session, kiosk, submission, duplicates, now)
    person_digest = (
        None
        if submission.personal_number is None
        else sealer.personal_number_digest(submission.personal_number)
    )
    fingerprints = None
    if submission.fingerprints:
        if fingerprint_search is None:
            raise RuntimeError("a submission has fingerprints but no fingerprint search is set")
        fingerprints = check_case_fingerprints(
            session, submission.fingerprints, person_digest, fingerprint_search
        )
    needs_officer_review = (identity is not None and identity.needs_officer_review) or (
        fingerprints is not None and fingerprints.needs_officer_review
    )
    case = Case(
        case_number=submission.case_number,
        submission_id=submission.submission_id,
        kiosk_id=kiosk.id,
        service_code=submission.service_code,
        service_kind=submission.service_kind,
        category_code=submission.category_code,
        language=submission.language,
        state=INITIAL_STATE,
        registered_at=now,
        updated_at=now,
        submitted_at=as_utc(submission.submitted_at),
        payload_hash=payload_hash,
        verification_id=submission.verification_id,
        needs_officer_review=needs_officer_review,
    )
    personal = CasePersonalData(submission.text, submission.phone, submission.personal_number)
    seal_case_personal_data(case, personal, sealer)
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        existing = _find_case(session, Case.submission_id == submission.submission_id)
        if existing is not None:
            repeat = _repeat_of(existing, payload_hash)
            return _accepted(repeat, False, master_secret, public_base_url)
        if submission.verification_id is not None and _find_case(
            session, Case.verification_id == submission.verification_id
        ):
            raise VerificationAlreadyUsed(
                f"verification {submission.verification_id} already identifies another case"
            ) from None
        raise CaseNumberTaken(
            f"case number {submission.case_number} is already used by another submission"
        ) from None
    raise_kiosk_sequence(session, kiosk.id, sequence_of(case.case_number))
    if payment is not None:
        attach_case_payment(session, payment, case)
    if identity is not None:
        store_duplicate_hits(session, case, identity.hits)
    if fingerprints is not None and fingerprint_search is not None:
        store_case_fingerprints(session, case, fingerprints, fingerprint_search.sealer)
    session.add(
        CaseEvent(
            case=case, from_state=None, to_state=case.state, at=now, actor=f"kiosk:{kiosk.code}"
        )
    )
    details: dict[str, object] = {
        "submission_id": str(case.submission_id),
        "state": case.state,
        "payload_hash": payload_hash,
    }
    if identity is not None:
        details.update(
            verification_id=str(identity.verification.id),
            verification_decision=identity.verification.decision,
            needs_officer_review=case.needs_officer_review,
            duplicate_hits=len(identity.hits),
        )
    if fingerprints is not None:
        details.update(fingerprints.audit_details(), needs_officer_review=needs_officer_review)
    if payment is not None:
        details.update(payment_order_id=str(payment.id), payment_account=payment.account)
    append_audit(
        session, f"kiosk:{kiosk.code}", "case.created", f"case:{case.case_number}", details
    )
    session.flush()
    return _accepted(case, True, master_secret, public_base_url)


def parse_case_number(raw: str) -> str:
    """A typed case number normalized, or CaseNumberInvalid with the reason."""
    try:
        return normalize_case_number(raw)
    except CaseNumberError as error:
        raise CaseNumberInvalid(error.reason) from None


def case_status_by_number(session: Session, raw_number: str) -> CaseStatusView:
    """The status of a case whose number a citizen typed at a kiosk."""
    number = parse_case_number(raw_number)
    case = _find_case(session, Case.case_number == number)
    if case is None:
        raise CaseNotFound(f"no case {number}")
    return case_status_view(case)


def change_case_state(
    session: Session, number: str, to_state: CaseState | str, actor: str, note: str = ""
) -> Case:
    """Move a case to ``to_state`` if the transition is allowed; history and audit follow."""
    case_number = parse_case_number(number)
    target = CaseState(to_state)
    case = session.scalar(select(Case).where(Case.case_number == case_number).with_for_update())
    if case is None:
        raise CaseNotFound(f"no case {case_number}")
    current = CaseState(case.state)
    if not can_transition(current, target):
        raise TransitionNotAllowed(f"a case cannot go from {current} to {target}")
    now = utc_now()
    case.state = target
    case.updated_at = now
    session.add(
        CaseEvent(case=case, from_state=current, to_state=target, at=now, actor=actor, note=note)
    )
    append_audit(
        session,
        actor,
        "case.state_changed",
        f"case:{case_number}",
        {"from": current, "to": target, "note": note},
    )
    session.flush()
    return case
