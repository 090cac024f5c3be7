"""The append-only audit log: each entry carries the SHA-256 of the one before it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from backend.db_types import utc_now
from backend.models import AuditEntry

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serializes appends.
_POSTGRES_AUDIT_LOCK_KEY = 0x5354_4155_4449_54


def compute_entry_hash(
    prev_hash: str, at: datetime, actor: str, action: str, subject: str, details: str
) -> str:
    """The SHA-256 (hex) of an entry's content together with its predecessor's hash."""
    canonical = json.dumps(
        {
            "prev_hash": prev_hash,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def append_audit(
    session: Session, actor: str, action: str, subject: str, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry in the caller's transaction; concurrent appends are serialized."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_AUDIT_LOCK_KEY}
        )
    last_hash = session.scalar(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    )
    prev_hash = last_hash or GENESIS_HASH
    at = utc_now()
    details_text = json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str)
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        details=details_text,
        prev_hash=prev_hash,
        entry_hash=compute_entry_hash(prev_hash, at, actor, action, subject, details_text),
    )
    session.add(entry)
    session.flush()
    return entry


def verify_audit_chain(session: Session) -> tuple[bool, int | None]:
    """(True, None) when every entry links to its predecessor and matches its own hash,
    else (False, id of the first entry that does not)."""
    expected_prev = GENESIS_HASH
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=500)
    )
    for entry in rows:
        recomputed = compute_entry_hash(
            entry.prev_hash, entry.at, entry.actor, entry.action, entry.subject, entry.details
        )
        if entry.prev_hash != expected_prev or entry.entry_hash != recomputed:
            return False, entry.id
        expected_prev = entry.entry_hash
    return True, None
