"""Internal case states, the transitions between them and what a citizen sees of each."""

from __future__ import annotations

from enum import StrEnum

from backend.contracts import PublicStage


class CaseState(StrEnum):
    REGISTERED = "registered"
    VERIFICATION_PENDING = "verification_pending"
    UNDER_REVIEW = "under_review"
    NEEDS_INFORMATION = "needs_information"
    APPROVED = "approved"
    REJECTED = "rejected"
    DOCUMENT_READY = "document_ready"
    ISSUED = "issued"
    APPEALED = "appealed"
    CLOSED = "closed"


INITIAL_STATE = CaseState.REGISTERED

ALLOWED_TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.REGISTERED: frozenset(
        {
            CaseState.VERIFICATION_PENDING,
            CaseState.UNDER_REVIEW,
            CaseState.REJECTED,
            CaseState.CLOSED,
        }
    ),
    CaseState.VERIFICATION_PENDING: frozenset(
        {
            CaseState.UNDER_REVIEW,
            CaseState.NEEDS_INFORMATION,
            CaseState.REJECTED,
            CaseState.CLOSED,
        }
    ),
    CaseState.UNDER_REVIEW: frozenset(
        {
            CaseState.NEEDS_INFORMATION,
            CaseState.APPROVED,
            CaseState.REJECTED,
            CaseState.CLOSED,
        }
    ),
    CaseState.NEEDS_INFORMATION: frozenset(
        {CaseState.UNDER_REVIEW, CaseState.REJECTED, CaseState.CLOSED}
    ),
    # Appeals and reports have no document to issue: an approved one is simply closed.
    CaseState.APPROVED: frozenset({CaseState.DOCUMENT_READY, CaseState.CLOSED}),
    CaseState.REJECTED: frozenset({CaseState.APPEALED, CaseState.CLOSED}),
    CaseState.DOCUMENT_READY: frozenset({CaseState.ISSUED}),
    CaseState.ISSUED: frozenset({CaseState.CLOSED}),
    CaseState.APPEALED: frozenset(
        {CaseState.UNDER_REVIEW, CaseState.APPROVED, CaseState.REJECTED, CaseState.CLOSED}
    ),
    CaseState.CLOSED: frozenset(),
}

PUBLIC_STAGE: dict[CaseState, PublicStage] = {
    CaseState.REGISTERED: PublicStage.RECEIVED,
    CaseState.VERIFICATION_PENDING: PublicStage.RECEIVED,
    CaseState.UNDER_REVIEW: PublicStage.IN_REVIEW,
    CaseState.NEEDS_INFORMATION: PublicStage.ACTION_NEEDED,
    CaseState.APPROVED: PublicStage.DECIDED,
    CaseState.REJECTED: PublicStage.DECIDED,
    CaseState.DOCUMENT_READY: PublicStage.READY,
    CaseState.ISSUED: PublicStage.CLOSED,
    CaseState.APPEALED: PublicStage.IN_REVIEW,
    CaseState.CLOSED: PublicStage.CLOSED,
}


def can_transition(from_state: CaseState, to_state: CaseState) -> bool:
    return to_state in ALLOWED_TRANSITIONS[from_state]


def public_stage(state: CaseState | str) -> PublicStage:
    return PUBLIC_STAGE[CaseState(state)]
