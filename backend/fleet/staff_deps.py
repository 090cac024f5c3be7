"""FastAPI dependencies of staff requests: the session cookie, roles and the CSRF header.

Use ``CurrentStaff`` to read, ``Depends(require_role(...))`` to restrict, and
``Depends(require_csrf)`` on every state-changing route (or ``StaffWriter`` for both).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from backend.db import Database
from backend.db_types import utc_now
from backend.deps import get_database
from backend.errors import CsrfFailed, Forbidden, StaffNotAuthenticated
from backend.fleet.views import StaffRole
from backend.services.staff import (
    LAST_SEEN_RESOLUTION,
    StaffMember,
    resolve_session,
    touch_session,
)

SESSION_COOKIE = "station_session"
CSRF_HEADER = "X-CSRF-Token"


def current_staff(
    request: Request, database: Annotated[Database, Depends(get_database)]
) -> StaffMember:
    """The logged-in staff member, or 401 ``not_authenticated``."""
    now = utc_now()
    with database.reading() as session:
        member = resolve_session(session, request.cookies.get(SESSION_COOKIE), now)
    if member is None:
        raise StaffNotAuthenticated("log in first")
    if now - member.last_seen_at >= LAST_SEEN_RESOLUTION:
        with database.transaction() as session:
            touch_session(session, member, now)
    return member


CurrentStaff = Annotated[StaffMember, Depends(current_staff)]


def require_csrf(request: Request, member: CurrentStaff) -> StaffMember:
    """403 ``csrf_failed`` unless the X-CSRF-Token header equals the session's token."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), member.csrf_token.encode()):
        raise CsrfFailed("missing or wrong X-CSRF-Token header")
    return member


def require_role(*roles: StaffRole) -> Callable[[StaffMember], StaffMember]:
    """A dependency letting only these roles through (403 ``forbidden`` for the others)."""
    allowed = frozenset(roles)

    def _check(member: CurrentStaff) -> StaffMember:
        if member.role not in allowed:
            raise Forbidden(f"a {member.role.value} may not do this")
        return member

    return _check


CsrfCheckedStaff = Annotated[StaffMember, Depends(require_csrf)]
