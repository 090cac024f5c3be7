"""The outbox's sequence floor, its schema upgrade, and what it tells the heartbeat."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from backend.contracts import CaseSubmission, make_case_number
from kiosk.fleet.outbox_figures import OutboxFigures
from kiosk.outbox import SCHEMA_VERSION, Outbox, OutboxState, SequenceFloorUnknown

# The outbox file as kiosks before schema 2 wrote it.
_SCHEMA_1 = """
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
CREATE INDEX submissions_by_state ON submissions (state, id);
INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('sequence', '41');
"""


def submission(sequence: int) -> CaseSubmission:
    return CaseSubmission(
        submission_id=uuid4(),
        case_number=make_case_number("0001", sequence),
        service_code="mahalla_appeal",
        service_kind="appeal",
        category_code="noise",
        language="en",
        text="Loud music every night after midnight.",
        consent=True,
        submitted_at=datetime.now(UTC),
    )


def test_numbers_stay_above_the_floor_the_backend_gave(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db") as outbox:
        assert outbox.sequence_floor() is None
        with pytest.raises(SequenceFloorUnknown):
            outbox.next_sequence(require_floor=True)
        assert outbox.learn_sequence_floor(120) == 120
        assert outbox.learn_sequence_floor(7) == 120  # a stale answer never lowers it
        assert outbox.next_sequence(require_floor=True) == 121
        assert outbox.next_sequence() == 122
        outbox.learn_sequence_floor(200)
        assert outbox.next_sequence() == 201
    with Outbox(tmp_path / "outbox.db") as reopened:
        assert reopened.sequence_floor() == 200 and reopened.next_sequence() == 202


def test_a_schema_1_outbox_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    waiting = submission(41)
    with closing(sqlite3.connect(path)) as db:
        db.executescript(_SCHEMA_1)
        db.execute(
            "INSERT INTO submissions (submission_id, payload, created_at) VALUES (?, ?, ?)",
            (str(waiting.submission_id), waiting.model_dump_json(), datetime.now(UTC).isoformat()),
        )
        db.commit()

    with Outbox(path) as outbox:
        (entry,) = outbox.pending()
        assert entry.submission == waiting and entry.server_failures == 0
        assert outbox.due() == [entry]
        # Never told a floor: offline it numbers nothing; told one, it continues its own run.
        assert outbox.sequence_floor() is None
        with pytest.raises(SequenceFloorUnknown):
            outbox.next_sequence(require_floor=True)
        outbox.learn_sequence_floor(10)
        assert outbox.next_sequence(require_floor=True) == 42
    with closing(sqlite3.connect(path)) as db:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION == 3


def test_renumbering_keeps_the_submission_and_refusals_are_counted(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db") as outbox:
        stored = outbox.add(submission(3)).submission
        renumbered = outbox.renumber(
            stored.submission_id, make_case_number("0001", 9), replacing=stored.case_number
        )
        # A second renumbering of the number already replaced (the other thread's) is a no-op.
        again = outbox.renumber(
            stored.submission_id, make_case_number("0001", 10), replacing=stored.case_number
        )
        assert again == renumbered
        assert renumbered.submission.case_number == make_case_number("0001", 9)
        assert renumbered.submission.model_copy(update={"case_number": stored.case_number}) == (
            stored
        )
        assert renumbered.state is OutboxState.PENDING

        outbox.record_numbering_refusal("no floor")
        outbox.mark_rejected(stored.submission_id, "409 case_number_taken")
        figures = OutboxFigures(outbox)
        assert figures.numbering_refused_today() == 1
        assert figures.rejected() == 1 and figures.backlog() == 0
