"""The kiosk outbox: sequence numbers, stored submissions and their states."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from backend.contracts import (
    CaseAccepted,
    CaseSubmission,
    KioskIdentityView,
    PublicStage,
    make_case_number,
)
from kiosk.outbox import SCHEMA_VERSION, Outbox, OutboxState, OutboxStateError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class FakeClock:
    """A settable clock for the outbox's timestamps."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.sqlite", clock=clock) as opened:
        yield opened


def submission(
    sequence: int, text: str = "The street lamp has been broken for a month"
) -> CaseSubmission:
    return CaseSubmission(
        submission_id=uuid4(),
        case_number=make_case_number("0001", sequence),
        service_code="mahalla_appeal",
        service_kind="appeal",
        category_code="public_order",
        language="uz_Latn",
        text=text,
        phone="+998901234567",
        consent=True,
        submitted_at=START,
    )


def accepted_for(entry_submission: CaseSubmission) -> CaseAccepted:
    return CaseAccepted(
        case_number=entry_submission.case_number,
        status_url=f"http://127.0.0.1:8000/s/{entry_submission.case_number}/abcdefghij",
        registered_at=START,
        stage=PublicStage.RECEIVED,
        created=True,
    )


def test_database_is_in_wal_mode_with_its_tables_and_private(outbox: Outbox) -> None:
    with sqlite3.connect(outbox.path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in other.execute("SELECT name FROM sqlite_master")}
    assert {"meta", "submissions"} <= tables
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600


def test_sequence_counts_from_one_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    with Outbox(path) as first:
        assert [first.next_sequence() for _ in range(3)] == [1, 2, 3]
    with Outbox(path) as second:
        assert second.next_sequence() == 4


def test_sequence_survives_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from kiosk.outbox import Outbox\n"
        f"outbox = Outbox(Path({str(path)!r}))\n"
        "print([outbox.next_sequence() for _ in range(5)], flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == -9, result.stderr
    assert result.stdout.strip() == "[1, 2, 3, 4, 5]"
    with Outbox(path) as reopened:
        assert reopened.next_sequence() == 6


@pytest.mark.parametrize("shared", [True, False], ids=["one-outbox", "two-connections"])
def test_concurrent_sequences_never_repeat(tmp_path: Path, shared: bool) -> None:
    path = tmp_path / "outbox.sqlite"
    outboxes = [Outbox(path)] * 2 if shared else [Outbox(path), Outbox(path)]
    per_thread = 60
    results: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def take(index: int) -> None:
        barrier.wait()
        results[index].extend(outboxes[index].next_sequence() for _ in range(per_thread))

    threads = [threading.Thread(target=take, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    for opened in set(outboxes):
        opened.close()
    taken = results[0] + results[1]
    assert sorted(taken) == list(range(1, 2 * per_thread + 1))
    assert all(a < b for a, b in zip(results[0], results[0][1:], strict=False))


def test_add_stores_a_pending_entry_and_is_idempotent(outbox: Outbox, clock: FakeClock) -> None:
    original = submission(1)
    entry = outbox.add(original)
    assert entry.submission == original
    assert entry.submission_id == original.submission_id
    assert entry.state is OutboxState.PENDING
    assert (entry.attempts, entry.last_error, entry.accepted) == (0, None, None)
    assert entry.receipt_printed is False
    assert entry.created_at == START

    clock.advance(timedelta(minutes=5))
    retried = original.model_copy(update={"text": "changed on retry"})
    again = outbox.add(retried)
    assert again == entry
    assert outbox.backlog() == 1
    assert outbox.get(original.submission_id) == entry
    assert outbox.get(str(original.submission_id)) == entry
    assert outbox.get(uuid4()) is None


def test_pending_lists_oldest_first(outbox: Outbox) -> None:
    stored = [outbox.add(submission(n)).submission_id for n in range(1, 5)]
    assert [entry.submission_id for entry in outbox.pending()] == stored
    outbox.mark_sent(stored[1], accepted_for(outbox.pending()[1].submission))
    assert [entry.submission_id for entry in outbox.pending()] == [
        stored[0],
        stored[2],
        stored[3],
    ]
    assert outbox.backlog() == 3


def test_failed_attempts_then_sent(outbox: Outbox) -> None:
    sub = submission(7)
    outbox.add(sub)
    outbox.mark_attempt(sub.submission_id, "connection refused")
    entry = outbox.mark_attempt(sub.submission_id, "timed out")
    assert entry.state is OutboxState.PENDING
    assert (entry.attempts, entry.last_error) == (2, "timed out")

    accepted = accepted_for(sub)
    sent = outbox.mark_sent(sub.submission_id, accepted)
    assert sent.state is OutboxState.SENT
    assert (sent.attempts, sent.last_error, sent.accepted) == (3, None, accepted)
    assert outbox.pending() == [] and outbox.backlog() == 0

    assert outbox.mark_sent(sub.submission_id, accepted) == sent  # a repeated answer
    with pytest.raises(OutboxStateError, match="is sent"):
        outbox.mark_attempt(sub.submission_id, "late failure")
    with pytest.raises(OutboxStateError):
        outbox.mark_rejected(sub.submission_id, "late refusal")
    assert outbox.get(sub.submission_id) == sent


def test_rejected_is_kept_and_never_retried(outbox: Outbox) -> None:
    sub = submission(8)
    outbox.add(sub)
    rejected = outbox.mark_rejected(sub.submission_id, "422: unknown service")
    assert rejected.state is OutboxState.REJECTED
    assert (rejected.attempts, rejected.last_error) == (1, "422: unknown service")
    assert outbox.pending() == []
    assert outbox.rejected() == [rejected]
    assert outbox.mark_rejected(sub.submission_id, "again") == rejected
    with pytest.raises(OutboxStateError, match="is rejected"):
        outbox.mark_sent(sub.submission_id, accepted_for(sub))
    with pytest.raises(OutboxStateError):
        outbox.mark_attempt(sub.submission_id, "retry")


def test_receipt_printed_in_any_state_and_unknown_ids_fail(outbox: Outbox) -> None:
    sub = submission(9)
    outbox.add(sub)
    assert outbox.mark_printed(sub.submission_id).receipt_printed is True
    outbox.mark_sent(sub.submission_id, accepted_for(sub))
    assert outbox.get(sub.submission_id).receipt_printed is True  # type: ignore[union-attr]
    unknown = uuid4()
    for mark in (
        lambda: outbox.mark_printed(unknown),
        lambda: outbox.mark_attempt(unknown, "x"),
        lambda: outbox.mark_sent(unknown, accepted_for(sub)),
        lambda: outbox.mark_rejected(unknown, "x"),
    ):
        with pytest.raises(KeyError):
            mark()


def test_states_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    sub_sent, sub_pending = submission(1), submission(2)
    with Outbox(path) as first:
        first.add(sub_sent)
        first.add(sub_pending)
        first.mark_printed(sub_sent.submission_id)
        sent = first.mark_sent(sub_sent.submission_id, accepted_for(sub_sent))
        pending = first.mark_attempt(sub_pending.submission_id, "offline")
    with Outbox(path) as second:
        assert second.get(sub_sent.submission_id) == sent
        assert second.pending() == [pending]


def test_purge_sent_deletes_only_old_sent_entries_and_their_text(
    outbox: Outbox, clock: FakeClock
) -> None:
    old = submission(1, text="MARKER-old-sent-appeal")
    recent = submission(2, text="MARKER-recent-sent-appeal")
    waiting = submission(3, text="MARKER-still-pending")
    refused = submission(4, text="MARKER-rejected")
    for sub in (old, recent, waiting, refused):
        outbox.add(sub)
    outbox.mark_sent(old.submission_id, accepted_for(old))
    outbox.mark_rejected(refused.submission_id, "refused")
    clock.advance(timedelta(hours=1))
    outbox.mark_sent(recent.submission_id, accepted_for(recent))
    clock.advance(timedelta(minutes=30))

    assert outbox.purge_sent(timedelta(hours=1)) == 1
    assert outbox.get(old.submission_id) is None
    assert outbox.get(recent.submission_id) is not None
    assert [entry.submission_id for entry in outbox.pending()] == [waiting.submission_id]
    assert [entry.submission_id for entry in outbox.rejected()] == [refused.submission_id]

    on_disk = b"".join(
        candidate.read_bytes()
        for candidate in outbox.path.parent.iterdir()
        if candidate.name.startswith(outbox.path.name)
    )
    assert b"MARKER-still-pending" in on_disk and b"MARKER-rejected" in on_disk
    assert b"MARKER-recent-sent-appeal" not in on_disk  # scrubbed when it was sent
    assert b"MARKER-old-sent-appeal" not in on_disk

    assert outbox.purge_sent(timedelta(0)) == 1
    assert outbox.purge_sent(timedelta(0)) == 0
    assert outbox.backlog() == 1


def _outbox_bytes(outbox: Outbox) -> bytes:
    return b"".join(
        candidate.read_bytes()
        for candidate in outbox.path.parent.iterdir()
        if candidate.name.startswith(outbox.path.name)
    )


def test_a_sent_entry_keeps_only_its_case_number_id_and_state(outbox: Outbox) -> None:
    sub = submission(5, text="MARKER-citizen-text").model_copy(
        update={"personal_number": "30408612600011"}
    )
    outbox.add(sub)
    assert b"MARKER-citizen-text" in _outbox_bytes(outbox)

    sent = outbox.mark_sent(sub.submission_id, accepted_for(sub))

    assert sent.submission is None
    assert (sent.submission_id, sent.case_number) == (sub.submission_id, sub.case_number)
    assert sent.state is OutboxState.SENT and sent.accepted == accepted_for(sub)
    on_disk = _outbox_bytes(outbox)
    for secret in (b"MARKER-citizen-text", b"+998901234567", b"30408612600011"):
        assert secret not in on_disk


def test_a_schema_1_outbox_is_upgraded_and_its_sent_entries_scrubbed(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    sent, waiting = submission(1, text="MARKER-sent"), submission(2, text="MARKER-waiting")
    with sqlite3.connect(path) as db:
        db.executescript(OUTBOX_SCHEMA_1)
        db.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('sequence', '2')")
        for sub, state in ((sent, "sent"), (waiting, "pending")):
            db.execute(
                "INSERT INTO submissions (submission_id, payload, state, accepted, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    str(sub.submission_id),
                    sub.model_dump_json(),
                    state,
                    accepted_for(sub).model_dump_json() if state == "sent" else None,
                    START.isoformat(timespec="microseconds"),
                ),
            )
    db.close()

    with Outbox(path) as upgraded:
        old = upgraded.get(sent.submission_id)
        assert old is not None and old.submission is None
        assert old.case_number == sent.case_number
        assert upgraded.pending()[0].submission == waiting
        assert upgraded.pending()[0].case_number == waiting.case_number
        assert upgraded.next_sequence() == 3
        on_disk = _outbox_bytes(upgraded)
    assert b"MARKER-sent" not in on_disk and b"MARKER-waiting" in on_disk
    with sqlite3.connect(path) as db:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    db.close()
    assert version == (str(SCHEMA_VERSION),)


OUTBOX_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    accepted TEXT,
    receipt_printed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
"""


def test_identity_is_cached_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    view = KioskIdentityView(
        code="0001",
        name="Kiosk 0001",
        status_link_key="ab" * 32,
        public_base_url="http://127.0.0.1:8000",
    )
    with Outbox(path) as first:
        assert first.load_identity() is None
        first.save_identity(view)
        first.save_identity(view.model_copy(update={"name": "Kiosk 0001 (hall)"}))
    with Outbox(path) as second:
        assert second.load_identity() == view.model_copy(update={"name": "Kiosk 0001 (hall)"})


def test_naive_clock_is_refused(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite", clock=lambda: datetime(2025, 1, 1)) as naive:
        with pytest.raises(ValueError, match="timezone-aware"):
            naive.add(submission(1))
        assert naive.backlog() == 0
