"""The kiosk's local outbox: every submission is stored here first, then synced to the backend.

A submission is written before the receipt is printed and before the backend is asked, so a
crash or a dead network never loses what a citizen filed. The sync thread sends what is pending
and records the answer; sent entries are purged once they are no longer needed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

from backend.contracts import CaseAccepted, CaseSubmission, KioskIdentityView

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL UNIQUE,
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

_COLUMNS = (
    "submission_id, payload, state, attempts, last_error, accepted, receipt_printed, created_at,"
    " server_failures, next_attempt_at"
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
    """One stored submission and what has happened to it."""

    submission: CaseSubmission
    state: OutboxState
    attempts: int
    last_error: str | None
    accepted: CaseAccepted | None
    receipt_printed: bool
    created_at: datetime
    server_failures: int = 0  # server errors in a row on this entry
    next_attempt_at: datetime | None = None  # backoff after server errors

    @property
    def submission_id(self) -> UUID:
        return self.submission.submission_id


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    # A fixed width keeps the stored text ordered like the instants it names.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _key(submission_id: UUID | str) -> str:
    return str(UUID(str(submission_id)))


class Outbox:
    """A SQLite (WAL) store of submissions, shared by the UI thread and the sync thread."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Citizens' texts and phone numbers live here: readable by the kiosk user only.
        # SQLite gives the -wal and -shm files the permissions of the database file.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        self._db = sqlite3.connect(
            self.path, timeout=10.0, isolation_level=None, check_same_thread=False
        )
        try:
            self._configure()
        except BaseException:
            self._db.close()
            raise

    def _configure(self) -> None:
        mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise OutboxError(f"{self.path}: cannot use WAL journal mode (got {mode!r})")
        # FULL: a committed sequence number must survive a power cut, or it could be reused.
        self._db.execute("PRAGMA synchronous=FULL")
        # Overwrite deleted rows so purged personal data does not linger in free pages.
        self._db.execute("PRAGMA secure_delete=ON")
        with self._write() as db:
            row = (
                db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if _has_table(db, "meta")
                else None
            )
            if row is not None and int(row[0]) > SCHEMA_VERSION:
                raise OutboxError(f"{self.path}: schema {row[0]} is newer than this kiosk")
            if row is not None and int(row[0]) < 2:
                for statement in _UPGRADE_TO_2:
                    db.execute(statement)
            _create_schema(db)
            _set_meta(db, "schema_version", str(SCHEMA_VERSION))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            # IMMEDIATE takes the write lock up front, so a read-then-update cannot interleave
            # with another connection's (another process's) write.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- sequence and identity ------------------------------------------------------------

    def next_sequence(self, *, require_floor: bool = False) -> int:
        """The next number of this kiosk's sequence, above every number it issued and above
        the floor the backend gave it: never repeated, even on crashes or a reinstall.

        With ``require_floor``, a kiosk never told its floor gets ``SequenceFloorUnknown``:
        a fresh outbox cannot know which numbers an earlier installation used.
        """
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'sequence'").fetchone()
            floor = _floor(db)
            if require_floor and floor is None:
                raise SequenceFloorUnknown(f"{self.path}: the backend has not given a floor yet")
            value = max(int(row[0]) if row else 0, floor or 0) + 1
            _set_meta(db, "sequence", str(value))
        return value

    def sequence_floor(self) -> int | None:
        """The highest sequence the backend has stored for this kiosk, None if never told."""
        with self._lock:
            return _floor(self._db)

    def learn_sequence_floor(self, floor: int) -> int:
        """Keep the backend's floor (it only ever rises here); returns the floor kept."""
        with self._write() as db:
            kept = max(_floor(db) or 0, floor)
            _set_meta(db, "sequence_floor", str(kept))
        return kept

    def record_numbering_refusal(self, reason: str) -> None:
        """Note that a citizen could not be given a case number (reported to the operator)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO numbering_refusals (at, reason) VALUES (?, ?)",
                (_timestamp(self._clock()), reason[:200]),
            )

    def save_identity(self, view: KioskIdentityView) -> None:
        """Keep what the backend said about this kiosk, for receipts made while offline."""
        with self._write() as db:
            _set_meta(db, "kiosk_identity", view.model_dump_json())

    def load_identity(self) -> KioskIdentityView | None:
        rows = self._read("SELECT value FROM meta WHERE key = 'kiosk_identity'")
        return KioskIdentityView.model_validate_json(rows[0][0]) if rows else None

    # --- submissions ----------------------------------------------------------------------

    def add(self, submission: CaseSubmission) -> OutboxEntry:
        """Store a new submission as pending.

        Idempotent on ``submission_id``: adding it again changes nothing and returns the entry
        already stored, as first written.
        """
        key = _key(submission.submission_id)
        with self._write() as db:
            db.execute(
                "INSERT INTO submissions (submission_id, payload, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (submission_id) DO NOTHING",
                (key, submission.model_dump_json(), _timestamp(self._clock())),
            )
            return self._require(db, key)

    def get(self, submission_id: UUID | str) -> OutboxEntry | None:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM submissions WHERE submission_id = ?", (_key(submission_id),)
        )
        return _entry(rows[0]) if rows else None

    def pending(self) -> list[OutboxEntry]:
        """Entries still to be sent, oldest first."""
        return self._in_state(OutboxState.PENDING)

    def rejected(self) -> list[OutboxEntry]:
        """Entries the backend refused, oldest first, for the operator to look at."""
        return self._in_state(OutboxState.REJECTED)

    def due(self, now: datetime | None = None) -> list[OutboxEntry]:
        """Pending entries whose backoff has passed by ``now``, oldest first."""
        rows = self._read(
            f"SELECT {_COLUMNS} FROM submissions WHERE state = ?"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id",
            (OutboxState.PENDING.value, _timestamp(now or self._clock())),
        )
        return [_entry(row) for row in rows]

    def stuck(self, after_failures: int) -> int:
        """How many pending entries failed with a server error ``after_failures`` times in a row."""
        rows = self._read(
            "SELECT count(*) FROM submissions WHERE state = ? AND server_failures >= ?",
            (OutboxState.PENDING.value, after_failures),
        )
        return int(rows[0][0])

    def backlog(self) -> int:
        """How many entries wait to be sent."""
        rows = self._read(
            "SELECT count(*) FROM submissions WHERE state = ?", (OutboxState.PENDING.value,)
        )
        return int(rows[0][0])

    def mark_attempt(self, submission_id: UUID | str, error: str) -> OutboxEntry:
        """Record a failed try to send a pending entry; it stays pending."""
        return self._transition(
            submission_id,
            OutboxState.PENDING,
            "attempts = attempts + 1, last_error = ?",
            (error,),
        )

    def mark_server_failure(
        self, submission_id: UUID | str, error: str, retry_at: datetime
    ) -> OutboxEntry:
        """Record that the backend failed on this entry (5xx); it is skipped until ``retry_at``."""
        return self._transition(
            submission_id,
            OutboxState.PENDING,
            "attempts = attempts + 1, last_error = ?, server_failures = server_failures + 1,"
            " next_attempt_at = ?",
            (error, _timestamp(retry_at)),
        )

    def renumber(self, submission_id: UUID | str, case_number: str) -> OutboxEntry:
        """Give a pending entry a new case number (its old one belongs to another case)."""
        key = _key(submission_id)
        with self._write() as db:
            current = self._require(db, key)
            if current.state != OutboxState.PENDING:
                raise OutboxStateError(f"submission {key} is {current.state.value}: not renumbered")
            renumbered = current.submission.model_copy(update={"case_number": case_number})
            db.execute(
                "UPDATE submissions SET payload = ? WHERE submission_id = ?",
                (renumbered.model_dump_json(), key),
            )
            return self._require(db, key)

    def mark_sent(self, submission_id: UUID | str, accepted: CaseAccepted) -> OutboxEntry:
        """Record the backend's acceptance; marking an already sent entry changes nothing."""
        return self._transition(
            submission_id,
            OutboxState.SENT,
            "state = 'sent', attempts = attempts + 1, last_error = NULL, accepted = ?, sent_at = ?",
            (accepted.model_dump_json(), _timestamp(self._clock())),
        )

    def mark_rejected(self, submission_id: UUID | str, error: str) -> OutboxEntry:
        """Record that the backend refused the entry for good; it is never retried."""
        return self._transition(
            submission_id,
            OutboxState.REJECTED,
            "state = 'rejected', attempts = attempts + 1, last_error = ?",
            (error,),
        )

    def mark_printed(self, submission_id: UUID | str) -> OutboxEntry:
        """Record that the citizen's receipt was printed."""
        key = _key(submission_id)
        with self._write() as db:
            self._require(db, key)
            db.execute("UPDATE submissions SET receipt_printed = 1 WHERE submission_id = ?", (key,))
            return self._require(db, key)

    def purge_sent(self, older_than: timedelta) -> int:
        """Delete entries sent more than ``older_than`` ago; return how many were deleted."""
        cutoff = _timestamp(self._clock() - older_than)
        with self._write() as db:
            deleted = db.execute(
                "DELETE FROM submissions WHERE state = 'sent' AND sent_at < ?", (cutoff,)
            ).rowcount
        if deleted:
            with self._lock:
                # Old page images in the write-ahead log still hold the purged rows.
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    # --- helpers --------------------------------------------------------------------------

    def _in_state(self, state: OutboxState) -> list[OutboxEntry]:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM submissions WHERE state = ? ORDER BY id", (state.value,)
        )
        return [_entry(row) for row in rows]

    def _transition(
        self,
        submission_id: UUID | str,
        target: OutboxState,
        assignments: str,
        params: Sequence[Any],
    ) -> OutboxEntry:
        key = _key(submission_id)
        with self._write() as db:
            current = self._require(db, key)
            if current.state == target and target != OutboxState.PENDING:
                return current
            if current.state != OutboxState.PENDING:
                raise OutboxStateError(
                    f"submission {key} is {current.state.value}, cannot become {target.value}"
                )
            db.execute(
                f"UPDATE submissions SET {assignments} WHERE submission_id = ?", (*params, key)
            )
            return self._require(db, key)

    @staticmethod
    def _require(db: sqlite3.Connection, key: str) -> OutboxEntry:
        row = db.execute(f"SELECT {_COLUMNS} FROM submissions WHERE submission_id = ?", (key,))
        found = row.fetchone()
        if found is None:
            raise KeyError(key)
        return _entry(found)


def _create_schema(db: sqlite3.Connection) -> None:
    # executescript() would commit the open transaction; run the statements one by one.
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return found.fetchone() is not None


def _floor(db: sqlite3.Connection) -> int | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'sequence_floor'").fetchone()
    return int(row[0]) if row else None


def _set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    _, payload, state, attempts, last_error, accepted, printed, created_at = row[:8]
    server_failures, next_attempt_at = row[8:]
    return OutboxEntry(
        submission=CaseSubmission.model_validate_json(payload),
        state=OutboxState(state),
        attempts=int(attempts),
        last_error=last_error,
        accepted=CaseAccepted.model_validate_json(accepted) if accepted else None,
        receipt_printed=bool(printed),
        created_at=datetime.fromisoformat(created_at),
        server_failures=int(server_failures),
        next_attempt_at=datetime.fromisoformat(next_attempt_at) if next_attempt_at else None,
    )
