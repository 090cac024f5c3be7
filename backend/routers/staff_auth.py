"""Staff login, logout and self-description: ``/api/v1/staff`` (JSON, session cookie)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from backend.contracts import ErrorBody
from backend.db_types import utc_now
from backend.deps import DatabaseDep, Settings
from backend.fleet.staff_deps import SESSION_COOKIE, CsrfCheckedStaff, CurrentStaff
from backend.fleet.views import LoginRequest, StaffView
from backend.services.staff import StaffMember, login, logout
from config.settings import BackendSettings

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


def _secure_cookies(settings: BackendSettings) -> bool:
    """Cookies travel over HTTPS only when the service is published over HTTPS."""
    return settings.public_base_url.lower().startswith("https://")


def _view(member: StaffMember) -> StaffView:
    return StaffView(username=member.username, role=member.role, csrf_token=member.csrf_token)


@router.post("/login", response_model=StaffView, responses={401: {"model": ErrorBody}})
def staff_login(
    body: LoginRequest,
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: Settings,
) -> StaffView:
    """Open a session: sets the ``station_session`` cookie; the CSRF token comes back here."""
    lifetime = timedelta(hours=settings.staff_session_hours)
    hasher = request.app.state.password_hasher
    with database.transaction() as session:
        opened = login(session, body.username, body.password, utc_now(), lifetime, hasher)
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
    "/logout",
    status_code=204,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}},
)
def staff_logout(
    response: Response,
    database: DatabaseDep,
    settings: Settings,
    member: CsrfCheckedStaff,
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
def staff_me(member: CurrentStaff) -> StaffView:
    return _view(member)
