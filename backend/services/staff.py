"""Staff accounts (argon2id password hashes) and their browser sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.errors import (
    DomainError,
    StaffLoginFailed,
    StaffLoginLocked,
    StaffLoginThrottled,
    StaffUserExists,
    StaffUserInvalid,
    StaffUserNotFound,
)
from backend.fleet.views import StaffRole
from backend.identity.sealing import DataSealer
from backend.models import StaffSession, StaffUser
from backend.services.staff_throttle import (
    ThrottlePolicy,
    check_throttle,
    forget_account_failures,
    prune_throttles,
    record_failure,
)
from backend.services.staff_totp import check_second_factor, is_enrolled, reset_second_factor

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_CHARS = 10
# Refresh a session's last_seen_at at most this often, so reads stay reads.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

DEFAULT_HASHER = PasswordHasher()


def password_hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    """An argon2id hasher with these costs (parallelism and lengths as argon2-cffi's)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _unknown_user_hash(hasher: PasswordHasher) -> str:
    # Verified against when the user is unknown, so both failures cost one verification.
    return _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    return hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class StaffMember:
    """The staff member behind a request, detached from any database session."""

    user_id: int
    username: str
    role: StaffRole
    session_id: int
    csrf_token: str
    last_seen_at: datetime
    enrolment_only: bool = False


@dataclass(frozen=True)
class NewSession:
    token: str
    member: StaffMember
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _valid_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(username):
        raise StaffUserInvalid("username: 2-64 of a-z, 0-9, '.', '_', '-'")
    return username


def _valid_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffUserInvalid(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    return password


def add_staff_user(
    session: Session,
    username: str,
    password: str,
    role: StaffRole | str,
    actor: str = "cli",
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> StaffUser:
    username = _valid_username(username)
    role = StaffRole(role)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise StaffUserExists(f"staff user {username} already exists")
    user = StaffUser(
        username=username,
        password_hash=hasher.hash(_valid_password(password)),
        role=role.value,
        disabled=False,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as error:
        raise StaffUserExists(f"staff user {username} already exists") from error
    append_audit(session, actor, "staff_user_added", f"staff:{username}", {"role": role.value})
    return user


def list_staff_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def _user(session: Session, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if user is None:
        raise StaffUserNotFound(f"no staff user {username}")
    return user


def set_staff_password(
    session: Session,
    username: str,
    password: str,
    actor: str = "cli",
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> None:
    """Replace a password and end every session of that user."""
    user = _user(session, username)
    user.password_hash = hasher.hash(_valid_password(password))
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    append_audit(session, actor, "staff_password_changed", f"staff:{user.username}")


def set_staff_disabled(session: Session, username: str, disabled: bool, actor: str = "cli") -> None:
    user = _user(session, username)
    user.disabled = disabled
    if disabled:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    append_audit(
        session, actor, "staff_disabled" if disabled else "staff_enabled", f"staff:{user.username}"
    )


def _password_matches(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class LoginAttempt:
    """Where and when a login comes from, and the rules it is held to."""

    now: datetime
    address: str
    sealer: DataSealer
    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)


def _refusal(
    session: Session,
    user: StaffUser | None,
    username: str,
    reason: str,
    attempt: LoginAttempt,
) -> StaffLoginFailed:
    """Count and audit a failed attempt (never its password); the one answer for all."""
    subject = f"staff:{user.username}" if user else "staff:unknown"
    # The throttle rows first, the audit log's lock last, in every login: no deadlock.
    locked = record_failure(session, username, attempt.address, attempt.now, attempt.policy)
    details = {"reason": reason, "address": attempt.address}
    append_audit(session, subject, "staff_login_failed", subject, details)
    if locked:
        until = attempt.now + attempt.policy.lockout
        append_audit(session, "system", "staff_locked", subject, {"until": until.isoformat()})
    return StaffLoginFailed("wrong username or password")


def login(
    session: Session,
    username: str,
    password: str,
    code: str,
    attempt: LoginAttempt,
    lifetime: timedelta,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> NewSession | DomainError:
    """Check a password (and the second factor once enrolled) and open a session.

    Returns the error instead of raising it, so that the caller commits the failure's count
    and audit entry first. Every failure is the same StaffLoginFailed; too many of them give
    StaffLoginThrottled or StaffLoginLocked before the password is even looked at. A hash
    made with other argon2 parameters than ``hasher``'s is replaced on success.
    """
    now = attempt.now
    username = username.strip().lower()
    prune_throttles(session, now, attempt.policy)
    refused = check_throttle(session, username, attempt.address, now)
    if refused is not None:
        error = StaffLoginLocked if refused.locked else StaffLoginThrottled
        return error(refused.retry_after_seconds)
    # Locked, so that two logins at once cannot both spend the same authenticator code.
    user = session.scalar(select(StaffUser).where(StaffUser.username == username).with_for_update())
    stored = user.password_hash if user else _unknown_user_hash(hasher)
    matches = _password_matches(hasher, stored, password)
    if user is None or not matches:
        reason = "unknown_user" if user is None else "wrong_password"
        return _refusal(session, user, username, reason, attempt)
    if user.disabled:
        return _refusal(session, user, username, "disabled", attempt)
    factor = "none"
    if is_enrolled(user):
        factor = check_second_factor(session, user, code, now, attempt.sealer, hasher) or ""
        if not factor:
            return _refusal(session, user, username, "wrong_second_factor", attempt)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    forget_account_failures(session, username)
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=hash_token(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
        last_seen_at=now,
        enrolment_only=factor == "none",
    )
    session.add(row)
    session.flush()
    details = {"address": attempt.address, "second_factor": factor}
    subject = f"staff:{user.username}"
    append_audit(session, subject, "staff_login", subject, details)
    return NewSession(token, _member(user, row), row.expires_at)


def unlock_staff_user(session: Session, username: str, actor: str = "cli") -> None:
    """End an account's login delays and lockout."""
    user = _user(session, username)
    forget_account_failures(session, user.username)
    append_audit(session, actor, "staff_unlocked", f"staff:{user.username}")


def reset_staff_second_factor(session: Session, username: str, actor: str = "cli") -> None:
    """Make the account enrol a new authenticator at its next login."""
    reset_second_factor(session, _user(session, username), actor)


def _member(user: StaffUser, row: StaffSession) -> StaffMember:
    return StaffMember(
        user.id,
        user.username,
        StaffRole(user.role),
        row.id,
        row.csrf_token,
        row.last_seen_at,
        row.enrolment_only,
    )


def resolve_session(session: Session, token: str | None, now: datetime) -> StaffMember | None:
    """The staff member of a live session token, or None (unknown, expired, disabled)."""
    if not token:
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
    if row is None or row.expires_at <= now or row.user.disabled:
        return None
    return _member(row.user, row)


def touch_session(session: Session, member: StaffMember, now: datetime) -> None:
    """Record activity on a session, at most once per LAST_SEEN_RESOLUTION."""
    if now - member.last_seen_at >= LAST_SEEN_RESOLUTION:
        row = session.get(StaffSession, member.session_id)
        if row is not None:
            row.last_seen_at = now


def logout(session: Session, session_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == session_id))
