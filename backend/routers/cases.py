"""Case submission and lookup by kiosks: ``/api/v1/cases``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from backend.contracts import (
    CASE_NUMBER_SCHEMA,
    CaseAccepted,
    CaseStatusView,
    CaseSubmission,
    ErrorBody,
)
from backend.deps import (
    CurrentKiosk,
    DatabaseDep,
    ReadingSession,
    Settings,
    enforce_kiosk_status_rate_limit,
)
from backend.services.cases import case_status_by_number, submit_case

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post(
    "",
    status_code=201,
    response_model=CaseAccepted,
    responses={
        200: {"model": CaseAccepted, "description": "This submission id was already received"},
        401: {"model": ErrorBody},
        403: {"model": ErrorBody, "description": "case_number_foreign"},
        409: {
            "model": ErrorBody,
            "description": "submission_conflict, case_number_taken, verification_already_used "
            "or payment_already_used",
        },
        413: {"model": ErrorBody},
        422: {
            "model": ErrorBody,
            "description": "service_unknown, requirements_missing (naming each missing "
            "item), submitted_at_out_of_range, verification_not_found, verification_mismatch, "
            "verification_not_accepted, verification_expired, fingerprint_image_invalid, "
            "payment_required, payment_not_paid or validation_failed",
        },
    },
)
def create_case(
    submission: CaseSubmission,
    kiosk: CurrentKiosk,
    database: DatabaseDep,
    settings: Settings,
    request: Request,
    response: Response,
) -> CaseAccepted:
    with database.transaction() as session:
        accepted = submit_case(
            session,
            kiosk,
            submission,
            settings.resolved_secret_key,
            settings.public_base_url,
            duplicates=request.app.state.duplicate_search,
            fingerprint_search=request.app.state.fingerprint_search,
            fees=request.app.state.fee_schedule,
            rules=request.app.state.case_rules,
        )
    if not accepted.created:
        response.status_code = 200
    return accepted


@router.get(
    "/{case_number}/status",
    response_model=CaseStatusView,
    dependencies=[Depends(enforce_kiosk_status_rate_limit)],
    responses={
        401: {"model": ErrorBody},
        404: {"model": ErrorBody, "description": "case_not_found"},
        422: {"model": ErrorBody, "description": "case_number_invalid"},
        429: {"model": ErrorBody, "description": "rate_limited"},
    },
)
def case_status(
    case_number: Annotated[str, Path(json_schema_extra=CASE_NUMBER_SCHEMA)],
    _kiosk: CurrentKiosk,
    session: ReadingSession,
) -> CaseStatusView:
    return case_status_by_number(session, case_number)
