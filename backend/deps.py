"""FastAPI dependencies: settings, database, the calling kiosk, public rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from backend.db import Database
from backend.errors import RateLimited
from backend.rate_limit import SlidingWindowRateLimiter
from backend.services.kiosks import AuthenticatedKiosk, authenticate_kiosk
from config.settings import BackendSettings

# Declared for the OpenAPI schema; the header is parsed by the service for precise errors.
_kiosk_bearer = HTTPBearer(
    auto_error=False, scheme_name="KioskCredential", description="<kiosk code>.<secret>"
)


def get_settings(request: Request) -> BackendSettings:
    return request.app.state.settings


def get_database(request: Request) -> Database:
    return request.app.state.database


def reading_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with database.reading() as session:
        yield session


def current_kiosk(
    request: Request,
    database: Annotated[Database, Depends(get_database)],
    _bearer: Annotated[object, Security(_kiosk_bearer)] = None,
) -> AuthenticatedKiosk:
    with database.reading() as session:
        return authenticate_kiosk(session, request.headers.get("authorization"))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def public_rate_limit_wait(request: Request) -> int | None:
    """Count this request against its client's public quota; seconds to wait if over it."""
    limiter: SlidingWindowRateLimiter = request.app.state.public_rate_limiter
    return limiter.hit(client_address(request))


def enforce_public_rate_limit(request: Request) -> None:
    wait = public_rate_limit_wait(request)
    if wait is not None:
        raise RateLimited(wait)


Settings = Annotated[BackendSettings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ReadingSession = Annotated[Session, Depends(reading_session)]
CurrentKiosk = Annotated[AuthenticatedKiosk, Depends(current_kiosk)]


def enforce_kiosk_status_rate_limit(request: Request, kiosk: CurrentKiosk) -> None:
    """Count a kiosk's case status lookup against its own quota."""
    limiter: SlidingWindowRateLimiter = request.app.state.kiosk_status_rate_limiter
    wait = limiter.hit(kiosk.code)
    if wait is not None:
        raise RateLimited(wait)
