"""Failed staff logins counted in the database, per account name and per client address.

After a few free failures each further one makes the next attempt wait twice as long; enough
failures of one account name lock it for a while. Unknown names are counted and locked the same
way, so the answers do not tell which accounts exist. Keys are stored as SHA-256 only: a
mistyped password in the username field does not end up in the database.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.models import StaffLoginThrottle
from config.settings import BackendSettings


@dataclass(frozen=True)
class ThrottlePolicy:
    """How failed logins slow down and lock further attempts."""

    free_failures: int = 3
    address_free_failures: int = 10
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=5)
    lockout_failures: int = 10
    lockout: timedelta = timedelta(minutes=30)
    memory: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> ThrottlePolicy:
        return cls(
            free_failures=settings.staff_login_free_failures,
            address_free_failures=settings.staff_login_address_free_failures,
            first_delay=timedelta(seconds=settings.staff_login_delay_seconds),
            max_delay=timedelta(seconds=settings.staff_login_max_delay_seconds),
            lockout_failures=settings.staff_lockout_failures,
            lockout=timedelta(minutes=settings.staff_lockout_minutes),
            memory=timedelta(minutes=settings.staff_login_failure_memory_minutes),
        )

    def delay_after(self, failures: int, free: int) -> timedelta | None:
        """The wait imposed after this many failures, or None while they are still free."""
        if failures <= free:
            return None
        # Doublings beyond 2**32 change nothing but would overflow a timedelta.
        doublings = min(failures - free - 1, 32)
        return min(self.max_delay, self.first_delay * 2**doublings)


def account_key(username: str) -> str:
    return hashlib.sha256(f"account:{username.strip().lower()}".encode()).hexdigest()


def address_key(address: str) -> str:
    return hashlib.sha256(f"address:{address}".encode()).hexdigest()


@dataclass(frozen=True)
class Refusal:
    """An attempt refused before its password is checked; ``locked`` for an account lockout."""

    retry_after_seconds: int
    locked: bool


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _row(session: Session, key_hash: str) -> StaffLoginThrottle | None:
    return session.scalar(
        select(StaffLoginThrottle).where(StaffLoginThrottle.key_hash == key_hash).with_for_update()
    )


def _locked_row(session: Session, key_hash: str, now: datetime) -> StaffLoginThrottle:
    """The key's row, made if missing, locked for this transaction (FOR UPDATE on PostgreSQL)."""
    row = _row(session, key_hash)
    if row is None:
        try:
            with session.begin_nested():
                session.add(StaffLoginThrottle(key_hash=key_hash, failures=0, last_failure_at=now))
                session.flush()
        except IntegrityError:
            pass  # made by a parallel attempt, which we waited for
        row = _row(session, key_hash)
        assert row is not None
    return row


def check_throttle(session: Session, username: str, address: str, now: datetime) -> Refusal | None:
    """None when an attempt may go ahead; else how long to wait.

    Locks the account's row, then the address's, for the rest of the transaction: parallel
    attempts on one account or address count one after another, and always lock in this
    order, so they cannot deadlock.
    """
    account = _locked_row(session, account_key(username), now)
    address_row = _locked_row(session, address_key(address), now)
    if account.locked_until is not None and account.locked_until > now:
        return Refusal(_seconds_until(account.locked_until, now), locked=True)
    waits = [
        row.blocked_until
        for row in (account, address_row)
        if row.blocked_until is not None and row.blocked_until > now
    ]
    if waits:
        return Refusal(_seconds_until(max(waits), now), locked=False)
    return None


def _count_failure(
    session: Session, key_hash: str, now: datetime, policy: ThrottlePolicy, free: int
) -> StaffLoginThrottle:
    row = _locked_row(session, key_hash, now)
    lock_over = row.locked_until is not None and row.locked_until <= now
    if lock_over or now - row.last_failure_at > policy.memory:
        row.failures = 0
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    delay = policy.delay_after(row.failures, free)
    row.blocked_until = now + delay if delay is not None else None
    return row


def record_failure(
    session: Session, username: str, address: str, now: datetime, policy: ThrottlePolicy
) -> bool:
    """Count a failed attempt on the account name and the address; True when it locks."""
    # Both rows are already locked by check_throttle, in its order.
    account = _count_failure(session, account_key(username), now, policy, policy.free_failures)
    _count_failure(session, address_key(address), now, policy, policy.address_free_failures)
    if account.failures >= policy.lockout_failures and account.locked_until is None:
        account.locked_until = now + policy.lockout
        return True
    return False


def forget_account_failures(session: Session, username: str) -> bool:
    """End an account's delays and lockout; True when there was something to forget."""
    result = session.execute(
        delete(StaffLoginThrottle).where(StaffLoginThrottle.key_hash == account_key(username))
    )
    return bool(result.rowcount)


def prune_throttles(session: Session, now: datetime, policy: ThrottlePolicy) -> None:
    """Drop rows that no longer slow anyone down, so guessed names do not pile up."""
    # Rows another login holds are skipped (PostgreSQL): waiting on them could deadlock.
    stale = list(
        session.scalars(
            select(StaffLoginThrottle.key_hash)
            .where(
                StaffLoginThrottle.last_failure_at < now - policy.memory,
                or_(
                    StaffLoginThrottle.locked_until.is_(None),
                    StaffLoginThrottle.locked_until < now,
                ),
            )
            .with_for_update(skip_locked=True)
        )
    )
    if stale:
        session.execute(delete(StaffLoginThrottle).where(StaffLoginThrottle.key_hash.in_(stale)))
