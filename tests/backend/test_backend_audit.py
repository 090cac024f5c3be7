"""The hash-chained, append-only audit log."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from backend.audit import GENESIS_HASH, append_audit, compute_entry_hash, verify_audit_chain
from backend.case_states import CaseState
from backend.commands import verify_audit_command
from backend.db import Database
from backend.models import AuditEntry
from backend.services.cases import change_case_state
from backend.services.kiosks import revoke_kiosk
from config.settings import BackendSettings


def entries(database: Database) -> list[AuditEntry]:
    with database.reading() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def allow_tampering(database: Database, database_kind: str) -> None:
    """What an intruder with database access would do first: switch off the guard."""
    with database.transaction() as session:
        if database_kind == "sqlite":
            session.execute(text("DROP TRIGGER audit_entries_no_update"))
            session.execute(text("DROP TRIGGER audit_entries_no_delete"))
        else:
            session.execute(
                text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change")
            )


@pytest.fixture
def history(
    register: Callable[..., str], submit: Callable[..., dict[str, Any]], database: Database
) -> list[AuditEntry]:
    """Registration, a case, two state changes and a revocation."""
    number = submit()["case_number"]
    with database.transaction() as session:
        change_case_state(session, number, CaseState.UNDER_REVIEW, "officer:3", "looks complete")
        change_case_state(session, number, CaseState.APPROVED, "officer:3")
    with database.transaction() as session:
        revoke_kiosk(session, "0042", actor="operator:1")
    return entries(database)


def test_every_change_is_audited_in_a_verified_chain(
    history: list[AuditEntry], database: Database, settings: BackendSettings
) -> None:
    assert [entry.action for entry in history] == [
        "kiosk.registered",
        "case.created",
        "case.state_changed",
        "case.state_changed",
        "kiosk.credential_revoked",
    ]
    assert history[0].prev_hash == GENESIS_HASH
    for before, after in pairwise(history):
        assert after.prev_hash == before.entry_hash
    assert history[2].actor == "officer:3"
    assert '"note": "looks complete"' in history[2].details
    with database.reading() as session:
        assert verify_audit_chain(session) == (True, None)
    assert verify_audit_command(settings) is True


def test_the_database_refuses_to_change_or_delete_entries(
    history: list[AuditEntry], database: Database
) -> None:
    for statement in (
        "UPDATE audit_entries SET actor = 'someone else'",
        "DELETE FROM audit_entries",
    ):
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text(statement))
    assert len(entries(database)) == len(history)


def test_an_edited_entry_is_detected(
    history: list[AuditEntry], database: Database, database_kind: str, settings: BackendSettings
) -> None:
    allow_tampering(database, database_kind)
    target = history[2]
    with database.transaction() as session:
        session.execute(
            text("UPDATE audit_entries SET actor = 'officer:9' WHERE id = :id"), {"id": target.id}
        )
    with database.reading() as session:
        assert verify_audit_chain(session) == (False, target.id)
    assert verify_audit_command(settings) is False


def test_an_edited_and_rehashed_entry_breaks_the_next_link(
    history: list[AuditEntry], database: Database, database_kind: str, settings: BackendSettings
) -> None:
    """Even someone who holds the audit key cannot rewrite one entry without the next."""
    allow_tampering(database, database_kind)
    target = history[1]
    forged_details = target.details.replace("registered", "closed")
    forged_hash = compute_entry_hash(
        target.prev_hash,
        target.at,
        target.actor,
        target.action,
        target.subject,
        forged_details,
        settings.resolved_audit_key,
    )
    with database.transaction() as session:
        session.execute(
            text("UPDATE audit_entries SET details = :d, entry_hash = :h WHERE id = :id"),
            {"d": forged_details, "h": forged_hash, "id": target.id},
        )
    with database.reading() as session:
        assert verify_audit_chain(session) == (False, history[2].id)


def test_a_deleted_entry_is_detected(
    history: list[AuditEntry], database: Database, database_kind: str
) -> None:
    allow_tampering(database, database_kind)
    with database.transaction() as session:
        session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": history[3].id})
    with database.reading() as session:
        assert verify_audit_chain(session) == (False, history[4].id)


def test_concurrent_appends_keep_one_chain(database: Database) -> None:
    def append(index: int) -> None:
        with database.transaction() as session:
            append_audit(session, f"worker:{index}", "test.append", f"item:{index}", {"i": index})

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(append, range(30)))

    chain = entries(database)
    assert len(chain) == 30
    assert {entry.actor for entry in chain} == {f"worker:{index}" for index in range(30)}
    with database.reading() as session:
        assert verify_audit_chain(session) == (True, None)
