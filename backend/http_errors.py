"""The one place where errors become HTTP responses with an ``ErrorBody``."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.contracts import ErrorBody
from backend.errors import (
    AlertNotFound,
    CaseNotFound,
    CaseNumberForeign,
    CaseNumberInvalid,
    CaseNumberTaken,
    CredentialError,
    CsrfFailed,
    DomainError,
    EnrolmentRequired,
    FingerprintImageInvalid,
    FleetCommandNotFound,
    Forbidden,
    ImageTooLarge,
    KioskAlreadyRegistered,
    KioskCodeInvalid,
    KioskDetailsInvalid,
    KioskNotFound,
    NoFee,
    PaymentAlreadyUsed,
    PaymentNotPaid,
    PaymentOrderConflict,
    PaymentOrderNotFound,
    PaymentRequired,
    PersonNotFound,
    RateLimited,
    ReferToStaff,
    RequirementsMissing,
    ScreenshotInvalid,
    ScreenshotNotFound,
    ScreenshotNotRequested,
    ScreenshotTooLarge,
    SecondFactorCodeInvalid,
    SecondFactorEnrolled,
    ServiceUnknown,
    StaffLoginFailed,
    StaffNotAuthenticated,
    StaffUserExists,
    StaffUserInvalid,
    StaffUserNotFound,
    SubmissionConflict,
    SubmittedAtOutOfRange,
    TransitionNotAllowed,
    VerificationAlreadyUsed,
    VerificationConflict,
    VerificationExpired,
    VerificationMismatch,
    VerificationNotAccepted,
    VerificationNotFound,
)

logger = logging.getLogger(__name__)

HTTP_STATUS_OF: dict[type[DomainError], int] = {
    CredentialError: 401,
    CaseNumberForeign: 403,
    CaseNotFound: 404,
    KioskNotFound: 404,
    PersonNotFound: 404,
    CaseNumberTaken: 409,
    VerificationConflict: 409,
    VerificationAlreadyUsed: 409,
    SubmissionConflict: 409,
    KioskAlreadyRegistered: 409,
    TransitionNotAllowed: 409,
    ServiceUnknown: 422,
    RequirementsMissing: 422,
    SubmittedAtOutOfRange: 422,
    ImageTooLarge: 413,
    CaseNumberInvalid: 422,
    FingerprintImageInvalid: 422,
    KioskCodeInvalid: 422,
    KioskDetailsInvalid: 422,
    VerificationNotFound: 422,
    VerificationMismatch: 422,
    VerificationNotAccepted: 422,
    VerificationExpired: 422,
    RateLimited: 429,
    ReferToStaff: 429,
    PaymentOrderNotFound: 404,
    PaymentOrderConflict: 409,
    PaymentAlreadyUsed: 409,
    NoFee: 422,
    PaymentRequired: 422,
    PaymentNotPaid: 422,
    StaffLoginFailed: 401,
    StaffNotAuthenticated: 401,
    CsrfFailed: 403,
    Forbidden: 403,
    EnrolmentRequired: 403,
    SecondFactorEnrolled: 409,
    SecondFactorCodeInvalid: 422,
    StaffUserInvalid: 422,
    StaffUserExists: 409,
    StaffUserNotFound: 404,
    FleetCommandNotFound: 404,
    AlertNotFound: 404,
    ScreenshotNotFound: 404,
    ScreenshotInvalid: 422,
    ScreenshotNotRequested: 409,
    ScreenshotTooLarge: 413,
}

# Error codes for failures raised by the framework rather than by our rules.
_FRAMEWORK_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def http_status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS_OF:
            return HTTP_STATUS_OF[cls]
    return 400


def _phrase_code(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


def error_response(
    status_code: int, error: str, detail: str = "", headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorBody(error=error, detail=detail)
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


def _headers_for(error: DomainError) -> dict[str, str] | None:
    if isinstance(error, CredentialError):
        return {
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{error.code}"'
        }
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after_seconds)}
    return None


def _validation_detail(error: RequestValidationError) -> str:
    # Field paths and messages only: the rejected input may hold personal data.
    parts = []
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ()))
        parts.append(f"{location}: {item.get('msg', 'invalid')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
        return error_response(http_status_of(error), error.code, error.detail, _headers_for(error))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(422, "validation_failed", _validation_detail(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _FRAMEWORK_ERROR_CODES.get(error.status_code) or _phrase_code(error.status_code)
        detail = error.detail if isinstance(error.detail, str) else ""
        return error_response(error.status_code, code, detail, dict(error.headers or {}) or None)

    @app.exception_handler(Exception)
    async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "the server failed; try again later")
