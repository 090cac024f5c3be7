"""The outbox's SQLite schema and its upgrades, and its rows as typed entries."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

from backend.contracts import CaseAccepted, CaseSubmission

SCHEMA_VERSION = 3
# The payload of an entry the backend accepted: nothing of the citizen is kept.
SCRUBBED = ""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL UNIQUE,
    case_number TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    accepted TEXT,
    receipt_printed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    server_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT
);
CREATE INDEX IF NOT EXISTS submissions_by_state ON submissions (state, id);
CREATE TABLE IF NOT EXISTS numbering_refusals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""

# Schema 1 -> 2: per-entry backoff after server errors. (The sequence floor and the refusals
# need no change to existing tables: a meta key, and a table the schema above creates.)
_UPGRADE_TO_2 = (
    "ALTER TABLE submissions ADD COLUMN server_failures INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE submissions ADD COLUMN next_attempt_at TEXT",
)

# Schema 2 -> 3: entries carry their case number, and sent entries lose their payload.
_UPGRADE_TO_3 = (
    "ALTER TABLE submissions ADD COLUMN case_number TEXT NOT NULL DEFAULT ''",
    "UPDATE submissions SET case_number = json_extract(payload, '$.case_number')",
    f"UPDATE submissions SET payload = '{SCRUBBED}' WHERE state = 'sent'",
)

COLUMNS = (
    "submission_id, case_number, payload, state, attempts, last_error, accepted, receipt_printed,"
    " created_at, server_failures, next_attempt_at"
)


class OutboxError(Exception):
    """The outbox database cannot be used."""


class OutboxStateError(OutboxError):
    """A change that the entry's current state does not allow."""


class SequenceFloorUnknown(OutboxError):
    """The backend has never told this outbox which case sequence to number above."""


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"  # refused by the backend for good: kept for the operator, not retried


@dataclass(frozen=True)
class OutboxEntry:
    """One stored submission and what has happened to it; ``submission`` is None once sent,
    when its personal data has been scrubbed."""

    submission_id: UUID
    case_number: str
    submission: CaseSubmission | None
    state: OutboxState
    attempts: int
    last_error: str | None
    accepted: CaseAccepted | None
    receipt_printed: bool
    created_at: datetime
    server_failures: int = 0  # server errors in a row on this entry
    next_attempt_at: datetime | None = None  # backoff after server errors


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    # A fixed width keeps the stored text ordered like the instants it names.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_key(submission_id: UUID | str) -> str:
    return str(UUID(str(submission_id)))


def _create_schema(db: sqlite3.Connection) -> None:
    # executescript() would commit the open transaction; run the statements one by one.
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return found.fetchone() is not None


def stored_floor(db: sqlite3.Connection) -> int | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'sequence_floor'").fetchone()
    return int(row[0]) if row else None


def set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def row_entry(row: tuple[Any, ...]) -> OutboxEntry:
    key, case_number, payload, state, attempts, last_error, accepted, printed = row[:8]
    created_at, server_failures, next_attempt_at = row[8:]
    return OutboxEntry(
        submission_id=UUID(key),
        case_number=case_number,
        submission=None if payload == SCRUBBED else CaseSubmission.model_validate_json(payload),
        state=OutboxState(state),
        attempts=int(attempts),
        last_error=last_error,
        accepted=CaseAccepted.model_validate_json(accepted) if accepted else None,
        receipt_printed=bool(printed),
        created_at=datetime.fromisoformat(created_at),
        server_failures=int(server_failures),
        next_attempt_at=datetime.fromisoformat(next_attempt_at) if next_attempt_at else None,
    )


def prepare_schema(db: sqlite3.Connection, path: Path) -> None:
    """Create the schema, or bring an older outbox file up to this one (in a transaction)."""
    row = (
        db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if _has_table(db, "meta")
        else None
    )
    if row is not None and int(row[0]) > SCHEMA_VERSION:
        raise OutboxError(f"{path}: schema {row[0]} is newer than this kiosk")
    if row is not None and int(row[0]) < 2:
        for statement in _UPGRADE_TO_2:
            db.execute(statement)
    if row is not None and int(row[0]) < 3:
        for statement in _UPGRADE_TO_3:
            db.execute(statement)
    _create_schema(db)
    set_meta(db, "schema_version", str(SCHEMA_VERSION))
