"""How many face verifications a kiosk and a personal number may make, counted in the database
so the limits hold across backend processes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from backend.contracts import VerificationDecision
from backend.errors import KioskRateLimited, PersonalNumberRateLimited
from backend.models import FaceVerification
from config.settings import BackendSettings

KIOSK_WINDOW = timedelta(minutes=1)
PERSON_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class VerificationLimits:
    max_attempts: int = 3
    attempt_window: timedelta = timedelta(hours=24)
    per_kiosk_per_minute: int = 20
    per_person_per_hour: int = 10

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> VerificationLimits:
        return cls(
            max_attempts=settings.face_max_attempts,
            attempt_window=timedelta(hours=settings.face_attempt_window_hours),
            per_kiosk_per_minute=settings.verification_rate_per_kiosk_per_minute,
            per_person_per_hour=settings.verification_rate_per_person_per_hour,
        )


def _wait_seconds(
    session: Session, condition: ColumnElement[bool], since: datetime, limit: int, now: datetime
) -> int | None:
    """None while fewer than ``limit`` rows match since ``since``, else seconds until fewer will."""
    in_window = condition & (FaceVerification.created_at > since)
    count = session.scalar(select(func.count()).select_from(FaceVerification).where(in_window))
    if (count or 0) < limit:
        return None
    # The row whose expiry brings the count back under the limit.
    freeing = session.scalar(
        select(FaceVerification.created_at)
        .where(in_window)
        .order_by(FaceVerification.created_at)
        .offset((count or 0) - limit)
        .limit(1)
    )
    window = now - since
    seconds = (freeing + window - now).total_seconds() if freeing is not None else 1
    return max(1, math.ceil(seconds))


def enforce_rate_limits(
    session: Session, kiosk_id: int, person_digest: str, limits: VerificationLimits, now: datetime
) -> None:
    """Raise KioskRateLimited or PersonalNumberRateLimited when a quota is used up;
    ``person_digest`` is the keyed digest of the personal number."""
    wait = _wait_seconds(
        session,
        FaceVerification.kiosk_id == kiosk_id,
        now - KIOSK_WINDOW,
        limits.per_kiosk_per_minute,
        now,
    )
    if wait is not None:
        raise KioskRateLimited(wait)
    wait = _wait_seconds(
        session,
        FaceVerification.personal_number_digest == person_digest,
        now - PERSON_WINDOW,
        limits.per_person_per_hour,
        now,
    )
    if wait is not None:
        raise PersonalNumberRateLimited(wait)


def failed_attempts(
    session: Session, person_digest: str, limits: VerificationLimits, now: datetime
) -> int:
    """``not_verified`` results for this number (by its digest) within the attempt window."""
    return (
        session.scalar(
            select(func.count())
            .select_from(FaceVerification)
            .where(
                FaceVerification.personal_number_digest == person_digest,
                FaceVerification.decision == VerificationDecision.NOT_VERIFIED.value,
                FaceVerification.created_at > now - limits.attempt_window,
            )
        )
        or 0
    )
