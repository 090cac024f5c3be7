"""Face verification by kiosks: ``/api/v1/identity``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from backend.contracts import ErrorBody, FaceVerificationRequest, FaceVerificationResult
from backend.deps import CurrentKiosk
from backend.services.identity import FaceVerificationService

router = APIRouter(prefix="/api/v1/identity", tags=["identity"])


def get_face_verification(request: Request) -> FaceVerificationService:
    return request.app.state.face_verification


@router.post(
    "/verifications",
    response_model=FaceVerificationResult,
    responses={
        401: {"model": ErrorBody},
        404: {"model": ErrorBody, "description": "person_not_found"},
        409: {"model": ErrorBody, "description": "verification_conflict"},
        413: {
            "model": ErrorBody,
            "description": "body_too_large, or image_too_large: the portrait's header "
            "declares more pixels than are decoded",
        },
        422: {"model": ErrorBody},
        429: {
            "model": ErrorBody,
            "description": "refer_to_staff, kiosk_rate_limited or personal_number_rate_limited",
        },
    },
)
def create_verification(
    body: FaceVerificationRequest,
    kiosk: CurrentKiosk,
    service: Annotated[FaceVerificationService, Depends(get_face_verification)],
) -> FaceVerificationResult:
    # A plain def: encoding is CPU-bound, so it runs in the threadpool, not on the event loop.
    return service.verify(kiosk, body)
