"""FastAPI dependencies of staff requests: the session cookie, roles and the CSRF header.

Use ``CurrentStaff`` to read (it needs a session with a second factor; ``SignedInStaff``
admits the sessions that may only enrol one), ``Depends(require_role(...))`` to restrict, and
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
from backend.errors import CsrfFailed, EnrolmentRequired, Forbidden, StaffNotAuthenticated
from backend.fleet.views import StaffRole
from backend.services.staff import (
    LAST_SEEN_RESOLUTION,
    StaffMember,
    resolve_session,
    touch_session,
)

SESSION_COOKIE = "station_session"
CSRF_HEADER = "X-CSRF-Token"


def signed_in_staff(
    request: Request, database: Annotated[Database, Depends(get_database)]
) -> StaffMember:
    """The logged-in staff member, enrolled or not yet, or 401 ``not_authenticated``."""
    now = utc_now()
    with database.reading() as session:
        member = resolve_session(session, request.cookies.get(SESSION_COOKIE), now)
    if member is None:
        raise StaffNotAuthenticated("log in first")
    if now - member.last_seen_at >= LAST_SEEN_RESOLUTION:
        with database.transaction() as session:
            touch_session(session, member, now)
    return member


SignedInStaff = Annotated[StaffMember, Depends(signed_in_staff)]


def current_staff(member: SignedInStaff) -> StaffMember:
    """A staff member with a second factor, or 403 ``enrolment_required``."""
    if member.enrolment_only:
        raise EnrolmentRequired("set up the authenticator app first: /fleet/enrol")
    return member


CurrentStaff = Annotated[StaffMember, Depends(current_staff)]


def _check_csrf(request: Request, member: StaffMember) -> StaffMember:
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), member.csrf_token.encode()):
        raise CsrfFailed("missing or wrong X-CSRF-Token header")
    return member


def require_csrf(request: Request, member: CurrentStaff) -> StaffMember:
    """403 ``csrf_failed`` unless the X-CSRF-Token header equals the session's token."""
    return _check_csrf(request, member)


def require_csrf_signed_in(request: Request, member: SignedInStaff) -> StaffMember:
    """As ``require_csrf``, for the routes a session without a second factor may use."""
    return _check_csrf(request, member)


def require_role(*roles: StaffRole) -> Callable[[StaffMember], StaffMember]:
    """A dependency letting only these roles through (403 ``forbidden`` for the others)."""
    allowed = frozenset(roles)

    def _check(member: CurrentStaff) -> StaffMember:
        if member.role not in allowed:
            raise Forbidden(f"a {member.role.value} may not do this")
        return member

    return _check


CsrfCheckedStaff = Annotated[StaffMember, Depends(require_csrf)]
CsrfCheckedSignedIn = Annotated[StaffMember, Depends(require_csrf_signed_in)]
