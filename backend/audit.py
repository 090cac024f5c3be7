"""The append-only audit log: each entry carries a keyed hash (HMAC-SHA256) of itself and of
the entry before it.

The key lives outside the database (``STATION_AUDIT_KEY`` or ``var/audit_key``), so someone
who can write to the database can neither rewrite an entry and recompute the hashes after it
nor append an entry of their own. Entries written before the chain was keyed carry a plain
SHA-256; an ``audit.chain_keyed`` entry seals them once (``station db upgrade``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from backend.db import AUDIT_KEY_INFO
from backend.db_types import utc_now
from backend.models import AuditEntry

GENESIS_HASH = "0" * 64
CHAIN_KEYED_ACTION = "audit.chain_keyed"
CASE_STATE_ACTIONS = {"case.created": "state", "case.state_changed": "to"}
# Arbitrary constant naming the PostgreSQL advisory lock that serializes appends.
_POSTGRES_AUDIT_LOCK_KEY = 0x5354_4155_4449_54


class AuditKeyMissing(RuntimeError):
    """The database was opened without the audit key, so entries can be neither written nor
    checked (open it with ``Database(url, audit_key=settings.resolved_audit_key)``)."""


def compute_entry_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: str,
    key: bytes | None = None,
) -> str:
    """The HMAC-SHA256 under ``key`` (hex) of an entry's content and its predecessor's hash;
    the plain SHA-256 of the same when ``key`` is None (entries from before keying)."""
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
    ).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def audit_key_of(session: Session) -> bytes:
    """The audit key the session's database was opened with."""
    key = session.info.get(AUDIT_KEY_INFO)
    if not key:
        raise AuditKeyMissing("this database was opened without the audit key")
    return key


def append_audit(
    session: Session, actor: str, action: str, subject: str, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry in the caller's transaction; concurrent appends are serialized."""
    key = audit_key_of(session)
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
        entry_hash=compute_entry_hash(prev_hash, at, actor, action, subject, details_text, key),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass
class ChainCheck:
    """What walking the chain found; ``findings`` is empty when it is intact."""

    length: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS_HASH
    legacy_entries: int = 0
    keyed: bool = False
    findings: list[str] = field(default_factory=list)
    first_bad_id: int | None = None
    # The hash of the entry at each position asked for (1 is the first entry).
    hash_at: dict[int, str] = field(default_factory=dict)
    # The last state the chain recorded for each case, by case number.
    case_states: dict[str, str] = field(default_factory=dict)

    def _report(self, entry_id: int | None, finding: str) -> None:
        self.findings.append(finding)
        if self.first_bad_id is None:
            self.first_bad_id = entry_id


def check_chain(session: Session, key: bytes, positions: Collection[int] = ()) -> ChainCheck:
    """Walk every entry: links, keyed hashes, the seal of any unkeyed prefix, case states."""
    check = ChainCheck()
    expected_prev = GENESIS_HASH
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    )
    for entry in rows:
        check.length += 1
        if check.length in positions:
            check.hash_at[check.length] = entry.entry_hash
        _check_entry(check, entry, expected_prev, key)
        _record_case_state(check, entry)
        expected_prev = entry.entry_hash
        check.head_id, check.head_hash = entry.id, entry.entry_hash
    if check.legacy_entries and not check.keyed:
        check._report(
            None,
            f"the chain is not keyed: its {check.legacy_entries} entries carry plain hashes "
            "that anyone can recompute (run `station db upgrade` to seal them)",
        )
    return check


def _check_entry(check: ChainCheck, entry: AuditEntry, expected_prev: str, key: bytes) -> None:
    content = (entry.at, entry.actor, entry.action, entry.subject, entry.details)
    label = f"entry {entry.id} ({entry.action} {entry.subject})"
    if entry.prev_hash != expected_prev:
        check._report(
            entry.id,
            f"{label}: does not link to the entry before it (entries deleted or rewritten)",
        )
    if entry.entry_hash == compute_entry_hash(entry.prev_hash, *content, key):
        if not check.keyed and check.legacy_entries:
            _check_seal(check, entry, label)
        check.keyed = True
    elif entry.entry_hash == compute_entry_hash(entry.prev_hash, *content):
        if check.keyed:
            check._report(
                entry.id, f"{label}: its hash was made without the audit key (forged or rewritten)"
            )
        else:
            check.legacy_entries += 1
    else:
        check._report(entry.id, f"{label}: its content does not match its hash (edited)")


def _check_seal(check: ChainCheck, entry: AuditEntry, label: str) -> None:
    """The first keyed entry after unkeyed ones must be the seal that counts them."""
    if entry.action != CHAIN_KEYED_ACTION:
        check._report(entry.id, f"{label}: follows {check.legacy_entries} unsealed unkeyed entries")
        return
    sealed = json.loads(entry.details).get("legacy_entries")
    if sealed != check.legacy_entries:
        check._report(
            entry.id,
            f"{label}: sealed {sealed} unkeyed entries but {check.legacy_entries} precede it",
        )


def _record_case_state(check: ChainCheck, entry: AuditEntry) -> None:
    state_key = CASE_STATE_ACTIONS.get(entry.action)
    if state_key is None or not entry.subject.startswith("case:"):
        return
    try:
        state = json.loads(entry.details).get(state_key)
    except (ValueError, AttributeError):
        return
    if isinstance(state, str):
        check.case_states[entry.subject.removeprefix("case:")] = state


def verify_audit_chain(session: Session) -> tuple[bool, int | None]:
    """(True, None) when the chain is intact, else (False, id of the first entry that is not;
    None when the fault is the chain as a whole)."""
    check = check_chain(session, audit_key_of(session))
    return not check.findings, check.first_bad_id


def seal_legacy_chain(session: Session) -> AuditEntry | None:
    """Key a chain written before keying: one ``audit.chain_keyed`` entry that commits to its
    unkeyed entries. Nothing when the chain is empty or already keyed; ValueError when the
    unkeyed chain is itself broken (sealing it would bless the damage)."""
    key = audit_key_of(session)
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    if last is None:
        return None
    content = (last.at, last.actor, last.action, last.subject, last.details)
    if last.entry_hash == compute_entry_hash(last.prev_hash, *content, key):
        return None
    check = check_chain(session, key)
    if check.keyed or check.legacy_entries != check.length:
        raise ValueError("the audit chain is broken; not sealing it: " + "; ".join(check.findings))
    return append_audit(
        session,
        "system",
        CHAIN_KEYED_ACTION,
        "audit:chain",
        {"legacy_entries": check.legacy_entries, "legacy_head": check.head_hash},
    )


def chain_head(session: Session) -> tuple[int, int | None, str]:
    """(number of entries, id of the newest, its hash) without walking the chain."""
    length = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    newest = session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    if newest is None:
        return 0, None, GENESIS_HASH
    return length, newest.id, newest.entry_hash
