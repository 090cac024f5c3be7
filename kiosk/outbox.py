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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from backend.contracts import CaseAccepted, CaseSubmission, KioskIdentityView
from kiosk.outbox_schema import (
    COLUMNS,
    SCHEMA_VERSION,
    SCRUBBED,
    OutboxEntry,
    OutboxError,
    OutboxState,
    OutboxStateError,
    SequenceFloorUnknown,
    entry_key,
    prepare_schema,
    row_entry,
    set_meta,
    stored_floor,
    timestamp,
    utc_now,
)

__all__ = [
    "SCHEMA_VERSION",
    "Outbox",
    "OutboxEntry",
    "OutboxError",
    "OutboxState",
    "OutboxStateError",
    "SequenceFloorUnknown",
]


class Outbox:
    """A SQLite (WAL) store of submissions, shared by the UI thread and the sync thread."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
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
            prepare_schema(db, self.path)
        self._forget_old_pages()

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
            floor = stored_floor(db)
            if require_floor and floor is None:
                raise SequenceFloorUnknown(f"{self.path}: the backend has not given a floor yet")
            value = max(int(row[0]) if row else 0, floor or 0) + 1
            set_meta(db, "sequence", str(value))
        return value

    def sequence_floor(self) -> int | None:
        """The highest sequence the backend has stored for this kiosk, None if never told."""
        with self._lock:
            return stored_floor(self._db)

    def learn_sequence_floor(self, floor: int) -> int:
        """Keep the backend's floor (it only ever rises here); returns the floor kept."""
        with self._write() as db:
            kept = max(stored_floor(db) or 0, floor)
            set_meta(db, "sequence_floor", str(kept))
        return kept

    def record_numbering_refusal(self, reason: str) -> None:
        """Note that a citizen could not be given a case number (reported to the operator)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO numbering_refusals (at, reason) VALUES (?, ?)",
                (timestamp(self._clock()), reason[:200]),
            )

    def save_identity(self, view: KioskIdentityView) -> None:
        """Keep what the backend said about this kiosk, for receipts made while offline."""
        with self._write() as db:
            set_meta(db, "kiosk_identity", view.model_dump_json())

    def load_identity(self) -> KioskIdentityView | None:
        rows = self._read("SELECT value FROM meta WHERE key = 'kiosk_identity'")
        return KioskIdentityView.model_validate_json(rows[0][0]) if rows else None

    # --- submissions ----------------------------------------------------------------------

    def add(self, submission: CaseSubmission) -> OutboxEntry:
        """Store a new submission as pending.

        Idempotent on ``submission_id``: adding it again changes nothing and returns the entry
        already stored, as first written.
        """
        key = entry_key(submission.submission_id)
        with self._write() as db:
            db.execute(
                "INSERT INTO submissions (submission_id, case_number, payload, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (submission_id) DO NOTHING",
                (
                    key,
                    submission.case_number,
                    submission.model_dump_json(),
                    timestamp(self._clock()),
                ),
            )
            return self._require(db, key)

    def get(self, submission_id: UUID | str) -> OutboxEntry | None:
        rows = self._read(
            f"SELECT {COLUMNS} FROM submissions WHERE submission_id = ?",
            (entry_key(submission_id),),
        )
        return row_entry(rows[0]) if rows else None

    def pending(self) -> list[OutboxEntry]:
        """Entries still to be sent, oldest first."""
        return self._in_state(OutboxState.PENDING)

    def rejected(self) -> list[OutboxEntry]:
        """Entries the backend refused, oldest first, for the operator to look at."""
        return self._in_state(OutboxState.REJECTED)

    def due(self, now: datetime | None = None) -> list[OutboxEntry]:
        """Pending entries whose backoff has passed by ``now``, oldest first."""
        rows = self._read(
            f"SELECT {COLUMNS} FROM submissions WHERE state = ?"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id",
            (OutboxState.PENDING.value, timestamp(now or self._clock())),
        )
        return [row_entry(row) for row in rows]

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
            (error, timestamp(retry_at)),
        )

    def renumber(
        self, submission_id: UUID | str, case_number: str, *, replacing: str
    ) -> OutboxEntry:
        """Give a pending entry a new case number in place of ``replacing``, which belongs to
        another case. An entry no longer pending or already renumbered (by the other thread)
        is returned as it is."""
        key = entry_key(submission_id)
        with self._write() as db:
            current = self._require(db, key)
            if (
                current.state != OutboxState.PENDING
                or current.submission is None
                or current.submission.case_number != replacing
            ):
                return current
            renumbered = current.submission.model_copy(update={"case_number": case_number})
            db.execute(
                "UPDATE submissions SET payload = ?, case_number = ? WHERE submission_id = ?",
                (renumbered.model_dump_json(), case_number, key),
            )
            return self._require(db, key)

    def mark_sent(self, submission_id: UUID | str, accepted: CaseAccepted) -> OutboxEntry:
        """Record the backend's acceptance and scrub the entry's personal data; marking an
        already sent entry changes nothing."""
        entry = self._transition(
            submission_id,
            OutboxState.SENT,
            "state = 'sent', attempts = attempts + 1, last_error = NULL, accepted = ?, sent_at = ?,"
            " payload = ?",
            (accepted.model_dump_json(), timestamp(self._clock()), SCRUBBED),
        )
        self._forget_old_pages()
        return entry

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
        key = entry_key(submission_id)
        with self._write() as db:
            self._require(db, key)
            db.execute("UPDATE submissions SET receipt_printed = 1 WHERE submission_id = ?", (key,))
            return self._require(db, key)

    def purge_sent(self, older_than: timedelta) -> int:
        """Delete entries sent more than ``older_than`` ago; return how many were deleted."""
        cutoff = timestamp(self._clock() - older_than)
        with self._write() as db:
            deleted = db.execute(
                "DELETE FROM submissions WHERE state = 'sent' AND sent_at < ?", (cutoff,)
            ).rowcount
        if deleted:
            self._forget_old_pages()
        return deleted

    def _forget_old_pages(self) -> None:
        with self._lock:
            # Old page images in the write-ahead log still hold scrubbed or purged rows.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- helpers --------------------------------------------------------------------------

    def _in_state(self, state: OutboxState) -> list[OutboxEntry]:
        rows = self._read(
            f"SELECT {COLUMNS} FROM submissions WHERE state = ? ORDER BY id", (state.value,)
        )
        return [row_entry(row) for row in rows]

    def _transition(
        self,
        submission_id: UUID | str,
        target: OutboxState,
        assignments: str,
        params: Sequence[Any],
    ) -> OutboxEntry:
        key = entry_key(submission_id)
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
        row = db.execute(f"SELECT {COLUMNS} FROM submissions WHERE submission_id = ?", (key,))
        found = row.fetchone()
        if found is None:
            raise KeyError(key)
        return row_entry(found)
