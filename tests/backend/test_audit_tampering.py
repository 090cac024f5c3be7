"""What an intruder with write access to the database can do to the audit log, and how
``station audit verify`` catches each: the key, the signed anchor and the audited case states."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from backend.audit import compute_entry_hash
from backend.case_states import CaseState
from backend.commands import anchor_audit_command, audit_report_command, verify_audit_command
from backend.db import Database
from backend.models import AuditEntry
from backend.services.cases import change_case_state
from config.settings import BackendSettings
from tests.backend.test_backend_audit import allow_tampering, entries


@pytest.fixture
def history(
    register: Callable[..., str], submit: Callable[..., dict[str, Any]], database: Database
) -> list[AuditEntry]:
    """A kiosk, a case and one state change, anchored."""
    number = submit()["case_number"]
    with database.transaction() as session:
        change_case_state(session, number, CaseState.UNDER_REVIEW, "officer:3")
    return entries(database)


def findings(settings: BackendSettings) -> list[str]:
    return audit_report_command(settings).findings


def test_an_untouched_log_has_no_findings(
    history: list[AuditEntry], settings: BackendSettings
) -> None:
    anchor_audit_command(settings)
    report = audit_report_command(settings)
    assert report.findings == []
    assert "audit log intact" in report.render()
    assert f"chain: {len(history)} entries" in report.render()


def test_deleting_the_newest_entry_is_caught_by_the_anchor(
    history: list[AuditEntry], database: Database, database_kind: str, settings: BackendSettings
) -> None:
    anchor_audit_command(settings)
    allow_tampering(database, database_kind)
    with database.transaction() as session:
        session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": history[-1].id})
    # The rest still links up and hashes right: only the anchor knows the tail is gone.
    assert verify_audit_command(settings) is False
    found = findings(settings)
    assert any(f"has {len(history) - 1} entries but" in f and "deleted" in f for f in found)


def test_a_deleted_tail_replaced_by_new_entries_is_caught_by_the_anchor(
    history: list[AuditEntry], database: Database, database_kind: str, settings: BackendSettings
) -> None:
    """The chain is as long as when anchored again, but the anchored head is not in it."""
    anchor_audit_command(settings)
    allow_tampering(database, database_kind)
    with database.transaction() as session:
        session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": history[-1].id})
    with database.transaction() as session:
        change_case_state(session, history[1].subject[5:], CaseState.APPROVED, "officer:3")
    assert any("differs from the head anchored" in f for f in findings(settings))


def test_entries_rewritten_with_recomputed_hashes_are_caught_by_the_key(
    history: list[AuditEntry], database: Database, database_kind: str, settings: BackendSettings
) -> None:
    allow_tampering(database, database_kind)
    prev_hash = history[0].entry_hash
    with database.transaction() as session:
        for entry in history[1:]:
            details = entry.details.replace("officer:3", "officer:9")
            # The intruder does not hold the audit key: plain SHA-256, every link consistent.
            new_hash = compute_entry_hash(
                prev_hash, entry.at, entry.actor, entry.action, entry.subject, details
            )
            session.execute(
                text(
                    "UPDATE audit_entries SET details = :d, prev_hash = :p, entry_hash = :h"
                    " WHERE id = :id"
                ),
                {"d": details, "p": prev_hash, "h": new_hash, "id": entry.id},
            )
            prev_hash = new_hash
    assert verify_audit_command(settings) is False
    found = findings(settings)
    assert sum("made without the audit key" in f for f in found) == len(history) - 1


def test_an_appended_forged_entry_is_caught_by_the_key(
    history: list[AuditEntry], database: Database, settings: BackendSettings
) -> None:
    """Appending needs no tampering with the triggers at all."""
    head = history[-1]
    at, details = head.at, '{"note": "all fine"}'
    forged_hash = compute_entry_hash(
        head.entry_hash, at, "officer:3", "case.note", "case:x", details
    )
    with database.transaction() as session:
        session.add(
            AuditEntry(
                at=at,
                actor="officer:3",
                action="case.note",
                subject="case:x",
                details=details,
                prev_hash=head.entry_hash,
                entry_hash=forged_hash,
            )
        )
    assert verify_audit_command(settings) is False
    assert any("case.note case:x" in f and "without the audit key" in f for f in findings(settings))


def test_a_case_updated_directly_is_caught_by_its_audited_state(
    history: list[AuditEntry], database: Database, settings: BackendSettings
) -> None:
    number = history[1].subject.removeprefix("case:")
    with database.transaction() as session:
        session.execute(
            text("UPDATE cases SET state = 'approved' WHERE case_number = :n"), {"n": number}
        )
    assert verify_audit_command(settings) is False
    assert findings(settings) == [
        f"case {number}: state approved, but the chain last recorded under_review "
        "(changed outside the audited path)"
    ]


def test_a_case_inserted_or_deleted_directly_is_caught(
    history: list[AuditEntry], database: Database, settings: BackendSettings
) -> None:
    number = history[1].subject.removeprefix("case:")
    with database.transaction() as session:
        session.execute(text("DELETE FROM case_events"))
        session.execute(text("DELETE FROM cases WHERE case_number = :n"), {"n": number})
    assert findings(settings) == [f"case {number}: in the chain but missing from the database"]


def test_postgresql_refuses_to_truncate_the_log(
    history: list[AuditEntry], database: Database, database_kind: str
) -> None:
    if database_kind != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite's DELETE is refused by its trigger)")
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text("TRUNCATE audit_entries"))
    assert len(entries(database)) == len(history)


def test_a_truncated_log_is_caught_by_the_anchor(
    history: list[AuditEntry], database: Database, database_kind: str, settings: BackendSettings
) -> None:
    anchor_audit_command(settings)
    with database.transaction() as session:
        if database_kind == "postgresql":
            session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            session.execute(text("TRUNCATE audit_entries"))
        else:
            session.execute(text("DROP TRIGGER audit_entries_no_delete"))
            session.execute(text("DELETE FROM audit_entries"))
        assert session.scalar(select(AuditEntry.id).limit(1)) is None
    found = findings(settings)
    assert any("has 0 entries but the anchor" in f for f in found)
    # And each case is now missing from the chain.
    assert any("the chain never saw it" in f for f in found)
