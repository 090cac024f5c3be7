"""The staff second factor: TOTP (RFC 6238) secrets sealed at rest, and one-time recovery codes.

A code is accepted for the current 30-second step or one either side, and each step once only,
so a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import base64
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.db_types import utc_now
from backend.errors import SecondFactorCodeInvalid, SecondFactorEnrolled
from backend.identity.sealing import DataSealer, sealing_context
from backend.models import StaffRecoveryCode, StaffSession, StaffUser

ISSUER = "Smart Station"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def _context(user_id: int) -> bytes:
    return sealing_context("staff_users", "totp_secret", user_id)


def seal_secret(sealer: DataSealer, user: StaffUser, secret: str) -> None:
    user.totp_secret = sealer.seal(secret.encode(), _context(user.id))


def open_secret(sealer: DataSealer, user: StaffUser) -> str | None:
    if user.totp_secret is None:
        return None
    return sealer.open(user.totp_secret, _context(user.id)).decode()


def is_enrolled(user: StaffUser) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def _normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, now: datetime, after_step: int | None) -> int | None:
    """The time step whose code this is (now, or one step either side), if not used yet."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def check_second_factor(
    session: Session,
    user: StaffUser,
    code: str,
    now: datetime,
    sealer: DataSealer,
    hasher: PasswordHasher,
) -> str | None:
    """``"totp"`` or ``"recovery_code"`` when the code is good (and now spent), else None."""
    code = _normalized(code)
    secret = open_secret(sealer, user)
    if not code or secret is None:
        return None
    if code.isdigit() and len(code) == 6:
        step = _matching_step(secret, code, now, user.totp_last_step)
        if step is None:
            return None
        user.totp_last_step = step
        return "totp"
    unused = session.scalars(
        select(StaffRecoveryCode).where(
            StaffRecoveryCode.user_id == user.id, StaffRecoveryCode.used_at.is_(None)
        )
    )
    for row in unused:
        try:
            matches = hasher.verify(row.code_hash, code)
        except (VerificationError, InvalidHashError):
            matches = False
        if matches:
            row.used_at = now
            return "recovery_code"
    return None


def pending_secret(session: Session, user_id: int, sealer: DataSealer) -> tuple[str, str]:
    """The secret being enrolled (made on first call) and its ``otpauth://`` URI."""
    user = session.get_one(StaffUser, user_id)
    if is_enrolled(user):
        raise SecondFactorEnrolled("this account already has a second factor")
    secret = open_secret(sealer, user)
    if secret is None:
        secret = pyotp.random_base32()
        seal_secret(sealer, user, secret)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return secret, uri


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` as an inline SVG image (``data:`` URI) for an ``<img>``."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _new_recovery_code() -> str:
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def confirm_enrolment(
    session: Session,
    user_id: int,
    session_id: int,
    code: str,
    now: datetime,
    sealer: DataSealer,
    hasher: PasswordHasher,
) -> list[str]:
    """Enable the pending secret once a code of it matches; the recovery codes, shown once."""
    user = session.get_one(StaffUser, user_id)
    if is_enrolled(user):
        raise SecondFactorEnrolled("this account already has a second factor")
    secret = open_secret(sealer, user)
    step = None if secret is None else _matching_step(secret, _normalized(code), now, None)
    if step is None:
        raise SecondFactorCodeInvalid("that code does not match; check the device's clock")
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))
    session.add_all(
        StaffRecoveryCode(user_id=user.id, code_hash=hasher.hash(_normalized(one))) for one in codes
    )
    row = session.get(StaffSession, session_id)
    if row is not None:
        row.enrolment_only = False
    subject = f"staff:{user.username}"
    append_audit(session, subject, "staff_2fa_enrolled", subject)
    return codes


def enrol_known_secret(session: Session, user: StaffUser, secret: str, sealer: DataSealer) -> None:
    """Enable a given secret without a first code (the demo's accounts); no recovery codes."""
    pyotp.TOTP(secret).now()  # a malformed base32 secret fails here, not at the next login
    seal_secret(sealer, user, secret)
    user.totp_enabled_at = utc_now()
    user.totp_last_step = None
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))


def reset_second_factor(session: Session, user: StaffUser, actor: str) -> None:
    """Forget the secret and recovery codes and end the sessions: the next login enrols again."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    append_audit(session, actor, "staff_2fa_reset", f"staff:{user.username}")
