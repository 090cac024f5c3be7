"""Kiosk provisioning and authentication by credential ``<code>.<secret>``."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.contracts import KIOSK_CODE_DIGITS, KioskIdentityView, derive_status_link_key
from backend.db_types import utc_now
from backend.errors import (
    CredentialInvalid,
    CredentialMalformed,
    CredentialMissing,
    CredentialRevoked,
    KioskAlreadyRegistered,
    KioskCodeInvalid,
    KioskDetailsInvalid,
    KioskNotFound,
)
from backend.models import Kiosk

_CREDENTIAL_PATTERN = re.compile(rf"^(\d{{{KIOSK_CODE_DIGITS}}})\.([A-Za-z0-9_-]{{32,128}})$")
# Compared against when the code is unknown, so both failures cost the same.
_UNKNOWN_KIOSK_HASH = hashlib.sha256(b"no such kiosk").hexdigest()


@dataclass(frozen=True)
class AuthenticatedKiosk:
    """The kiosk behind a request, detached from any database session."""

    id: int
    code: str
    name: str
    office: str


def hash_secret(secret: str) -> str:
    """SHA-256 of a credential secret: it is 256 random bits, so a slow hash would add nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _validated_code(code: str) -> str:
    if not re.fullmatch(rf"\d{{{KIOSK_CODE_DIGITS}}}", code):
        raise KioskCodeInvalid(f"kiosk code must be {KIOSK_CODE_DIGITS} digits: {code!r}")
    return code


def register_kiosk(
    session: Session,
    code: str,
    name: str,
    office: str,
    *,
    rotate: bool = False,
    actor: str = "system",
) -> str:
    """Provision a kiosk (or, with ``rotate``, replace its credential) and return the
    credential ``<code>.<secret>``; only a hash of the secret is stored."""
    _validated_code(code)
    if not name.strip() or not office.strip():
        raise KioskDetailsInvalid("kiosk name and office must not be empty")
    secret = secrets.token_urlsafe(32)
    kiosk = session.scalar(select(Kiosk).where(Kiosk.code == code))
    if kiosk is not None:
        if not rotate:
            raise KioskAlreadyRegistered(
                f"kiosk {code} is already registered; rotate its credential explicitly"
            )
        was_revoked = kiosk.revoked_at is not None
        kiosk.name, kiosk.office = name.strip(), office.strip()
        kiosk.credential_hash = hash_secret(secret)
        kiosk.revoked_at = None
        append_audit(
            session,
            actor,
            "kiosk.credential_rotated",
            f"kiosk:{code}",
            {"name": kiosk.name, "office": kiosk.office, "was_revoked": was_revoked},
        )
        return f"{code}.{secret}"
    kiosk = Kiosk(
        code=code, name=name.strip(), office=office.strip(), credential_hash=hash_secret(secret)
    )
    session.add(kiosk)
    try:
        session.flush()
    except IntegrityError as error:
        raise KioskAlreadyRegistered(f"kiosk {code} is already registered") from error
    append_audit(
        session,
        actor,
        "kiosk.registered",
        f"kiosk:{code}",
        {"name": kiosk.name, "office": kiosk.office},
    )
    return f"{code}.{secret}"


def revoke_kiosk(session: Session, code: str, *, actor: str = "system") -> None:
    """Refuse the kiosk's credential from now on (registering with ``rotate`` issues a new one)."""
    kiosk = session.scalar(select(Kiosk).where(Kiosk.code == _validated_code(code)))
    if kiosk is None:
        raise KioskNotFound(f"no kiosk with code {code}")
    if kiosk.revoked_at is not None:
        return
    kiosk.revoked_at = utc_now()
    append_audit(session, actor, "kiosk.credential_revoked", f"kiosk:{code}")


def authenticate_kiosk(session: Session, authorization: str | None) -> AuthenticatedKiosk:
    """The kiosk named by an ``Authorization: Bearer <code>.<secret>`` header, or a
    CredentialError saying what is wrong with it."""
    if not authorization or not authorization.strip():
        raise CredentialMissing("send Authorization: Bearer <kiosk credential>")
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise CredentialMalformed("the Authorization scheme must be Bearer")
    match = _CREDENTIAL_PATTERN.fullmatch(credential.strip())
    if match is None:
        raise CredentialMalformed("a kiosk credential looks like <4-digit code>.<secret>")
    code, secret = match.groups()
    kiosk = session.scalar(select(Kiosk).where(Kiosk.code == code))
    stored_hash = kiosk.credential_hash if kiosk is not None else _UNKNOWN_KIOSK_HASH
    if not hmac.compare_digest(hash_secret(secret), stored_hash) or kiosk is None:
        raise CredentialInvalid("the kiosk credential is not recognised")
    if kiosk.revoked_at is not None:
        raise CredentialRevoked(f"the credential of kiosk {code} has been revoked")
    return AuthenticatedKiosk(id=kiosk.id, code=kiosk.code, name=kiosk.name, office=kiosk.office)


def kiosk_sequence_floor(session: Session, kiosk_id: int) -> int:
    """The highest case sequence stored for a kiosk: it must number its cases above it."""
    return session.scalar(select(Kiosk.case_sequence).where(Kiosk.id == kiosk_id)) or 0


def kiosk_sequence_floor_by_code(session: Session, code: str) -> int:
    kiosk = session.scalar(select(Kiosk).where(Kiosk.code == _validated_code(code)))
    if kiosk is None:
        raise KioskNotFound(f"no kiosk with code {code}")
    return kiosk.case_sequence


def kiosk_identity(
    kiosk: AuthenticatedKiosk, master_secret: bytes, public_base_url: str, sequence_floor: int
) -> KioskIdentityView:
    """What a kiosk learns about itself: the key it signs status links with, and the
    sequence its case numbers must stay above."""
    return KioskIdentityView(
        code=kiosk.code,
        name=kiosk.name,
        status_link_key=derive_status_link_key(master_secret, kiosk.code).hex(),
        public_base_url=public_base_url,
        sequence_floor=sequence_floor,
    )
