"""Staff login, logout and self-description: ``/api/v1/staff`` (JSON, session cookie)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from backend.contracts import ErrorBody
from backend.db_types import utc_now
from backend.deps import DatabaseDep, Settings, client_address
from backend.errors import DomainError
from backend.fleet.staff_deps import SESSION_COOKIE, CsrfCheckedSignedIn, SignedInStaff
from backend.fleet.views import (
    EnrolmentConfirmation,
    EnrolmentView,
    LoginRequest,
    RecoveryCodesView,
    StaffView,
)
from backend.services.staff import LoginAttempt, StaffMember, login, logout
from backend.services.staff_throttle import ThrottlePolicy
from backend.services.staff_totp import confirm_enrolment, pending_secret, qr_svg_data_uri
from config.settings import BackendSettings

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


def _secure_cookies(settings: BackendSettings) -> bool:
    """Cookies travel over HTTPS only when the service is published over HTTPS."""
    return settings.public_base_url.lower().startswith("https://")


def _view(member: StaffMember) -> StaffView:
    return StaffView(
        username=member.username,
        role=member.role,
        csrf_token=member.csrf_token,
        enrolment_required=member.enrolment_only,
    )


@router.post(
    "/login",
    response_model=StaffView,
    responses={401: {"model": ErrorBody}, 429: {"model": ErrorBody}},
)
def staff_login(
    body: LoginRequest,
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: Settings,
) -> StaffView:
    """Open a session: sets the ``station_session`` cookie; the CSRF token comes back here.

    An account with a second factor needs its ``code``; one without gets a session that may
    only enrol one (``enrolment_required``). Repeated failures answer 429 with Retry-After.
    """
    lifetime = timedelta(hours=settings.staff_session_hours)
    hasher = request.app.state.password_hasher
    attempt = LoginAttempt(
        utc_now(),
        client_address(request),
        request.app.state.data_sealer,
        ThrottlePolicy.from_settings(settings),
    )
    with database.transaction() as session:
        opened = login(session, body.username, body.password, body.code, attempt, lifetime, hasher)
    if isinstance(opened, DomainError):
        raise opened
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(lifetime.total_seconds()),
        path="/",
        secure=_secure_cookies(settings),
        httponly=True,
        samesite="strict",
    )
    return _view(opened.member)


@router.post(
    "/2fa/enrolment",
    response_model=EnrolmentView,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 409: {"model": ErrorBody}},
)
def start_enrolment(
    request: Request, database: DatabaseDep, member: CsrfCheckedSignedIn
) -> EnrolmentView:
    """The authenticator secret to enrol (the same one until it is confirmed)."""
    with database.transaction() as session:
        secret, uri = pending_secret(session, member.user_id, request.app.state.data_sealer)
    return EnrolmentView(secret=secret, provisioning_uri=uri, qr_code=qr_svg_data_uri(uri))


@router.post(
    "/2fa/confirm",
    response_model=RecoveryCodesView,
    responses={
        401: {"model": ErrorBody},
        403: {"model": ErrorBody},
        409: {"model": ErrorBody, "description": "second_factor_enrolled"},
        422: {"model": ErrorBody, "description": "second_factor_code_invalid"},
    },
)
def confirm(
    body: EnrolmentConfirmation,
    request: Request,
    database: DatabaseDep,
    member: CsrfCheckedSignedIn,
) -> RecoveryCodesView:
    """Enable the authenticator with its first code; answers the recovery codes, once."""
    with database.transaction() as session:
        codes = confirm_enrolment(
            session,
            member.user_id,
            member.session_id,
            body.code,
            utc_now(),
            request.app.state.data_sealer,
            request.app.state.password_hasher,
        )
    return RecoveryCodesView(recovery_codes=codes)


@router.post(
    "/logout",
    status_code=204,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}},
)
def staff_logout(
    response: Response,
    database: DatabaseDep,
    settings: Settings,
    member: CsrfCheckedSignedIn,
) -> Response:
    with database.transaction() as session:
        logout(session, member.session_id)
    response.status_code = 204
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=_secure_cookies(settings),
        httponly=True,
        samesite="strict",
    )
    return response


@router.get("/me", response_model=StaffView, responses={401: {"model": ErrorBody}})
def staff_me(member: SignedInStaff) -> StaffView:
    return _view(member)
