"""The audit key and the anchor signing key stay out of the database; anchors are signed, made
on demand and in the background; ``station audit`` and the sealing of an unkeyed chain."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend.app import create_app
from backend.audit import (
    CHAIN_KEYED_ACTION,
    GENESIS_HASH,
    AuditKeyMissing,
    append_audit,
    compute_entry_hash,
)
from backend.audit_anchors import Anchor, append_anchor, public_key_pem, sign_head
from backend.commands import anchor_audit_command, audit_report_command, migrate
from backend.db import Database
from backend.db_types import utc_now
from backend.models import AuditEntry
from cli.main import main
from config.settings import BackendSettings
from tests.backend.test_backend_audit import allow_tampering, entries


@pytest.fixture
def cli_env(settings: BackendSettings, monkeypatch: pytest.MonkeyPatch) -> BackendSettings:
    """The ``station`` command sees the test's database and var folder."""
    monkeypatch.setenv("STATION_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("STATION_VAR_DIR", str(settings.var_dir))
    return settings


def anchor_lines(settings: BackendSettings) -> list[dict[str, Any]]:
    path = settings.resolved_audit_anchor_path
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_keys_are_files_only_their_owner_reads(
    settings: BackendSettings, register: Callable[..., str]
) -> None:
    register()
    anchor_audit_command(settings)
    for name in ("audit_key", "audit_signing_key.pem"):
        mode = stat.S_IMODE((settings.var_dir / name).stat().st_mode)
        assert mode == 0o600, name
    assert len(settings.resolved_audit_key) == 64


def test_a_database_opened_without_the_audit_key_cannot_append(
    settings: BackendSettings,
) -> None:
    database = Database(settings.resolved_database_url)
    try:
        with pytest.raises(AuditKeyMissing), database.transaction() as session:
            append_audit(session, "cli", "test.append", "item:1")
    finally:
        database.dispose()


def test_anchor_is_a_signed_line_of_the_head(
    settings: BackendSettings, register: Callable[..., str], database: Database
) -> None:
    register()
    first = anchor_audit_command(settings)
    register("0043")
    second = anchor_audit_command(settings)
    head = entries(database)[-1]
    assert (first.seq, second.seq) == (1, 2)
    assert (second.entry_id, second.head) == (head.id, head.entry_hash)
    lines = anchor_lines(settings)
    assert [line["seq"] for line in lines] == [1, 2]
    assert set(lines[1]) == {"seq", "entry_id", "head", "at", "signature"}


def test_a_tampered_anchor_or_one_signed_with_another_key_is_reported(
    settings: BackendSettings, register: Callable[..., str], database: Database
) -> None:
    register()
    anchor_audit_command(settings)
    path = settings.resolved_audit_anchor_path
    # Someone tries to make a shorter chain look anchored: edit the line, keep its signature.
    genuine = anchor_lines(settings)[0]
    edited = {**genuine, "seq": 0, "entry_id": None, "head": GENESIS_HASH}
    with path.open("a") as handle:
        handle.write(json.dumps(edited) + "\n")
    with database.reading() as session:
        foreign = sign_head(session, Ed25519PrivateKey.generate())
    append_anchor(path, foreign)
    report = audit_report_command(settings)
    assert report.findings == [
        "anchor line 2: bad signature (forged or altered)",
        "anchor line 3: bad signature (forged or altered)",
    ]
    assert "AUDIT LOG NOT INTACT: 2 finding(s)" in report.render()


def test_a_public_key_given_explicitly_must_match(
    settings: BackendSettings, register: Callable[..., str], tmp_path: Path
) -> None:
    register()
    anchor_audit_command(settings)
    other = tmp_path / "other.pem"
    other.write_text(public_key_pem(Ed25519PrivateKey.generate()))
    report = audit_report_command(settings, public_key_path=other)
    assert report.findings[0] == "anchor line 1: bad signature (forged or altered)"


def test_anchors_given_explicitly_must_exist(
    settings: BackendSettings, register: Callable[..., str], tmp_path: Path
) -> None:
    register()
    assert audit_report_command(settings).intact  # no anchor yet: a note, not a finding
    report = audit_report_command(settings, anchors_path=tmp_path / "missing.jsonl")
    assert report.findings == [
        f"no anchor file at {tmp_path / 'missing.jsonl'}: the chain's tail cannot be checked"
    ]


def test_the_app_anchors_in_the_background_only_when_the_chain_changed(
    settings: BackendSettings, register: Callable[..., str]
) -> None:
    fast = settings.model_copy(update={"audit_anchor_seconds": 0.05})
    with TestClient(create_app(fast)):
        wait_for(lambda: settings.resolved_audit_anchor_path.exists())
        time.sleep(0.4)  # several intervals with nothing new
        assert [line["seq"] for line in anchor_lines(settings)] == [0]
        register()
        wait_for(lambda: len(anchor_lines(settings)) == 2)
        time.sleep(0.3)
    assert [line["seq"] for line in anchor_lines(settings)] == [0, 1]
    assert audit_report_command(settings).intact


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_station_audit_commands(
    cli_env: BackendSettings,
    register: Callable[..., str],
    database: Database,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    register()
    assert main(["audit", "public-key"]) == 0
    pem = capsys.readouterr().out
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    public_key = tmp_path / "audit.pub"
    public_key.write_text(pem)
    assert main(["audit", "anchor"]) == 0
    assert "anchored 1 entries" in capsys.readouterr().out
    anchors = str(cli_env.resolved_audit_anchor_path)
    verify = ["audit", "verify", "--anchors", anchors, "--public-key", str(public_key)]
    assert main(verify) == 0
    assert "audit log intact" in capsys.readouterr().out

    allow_tampering(database, "postgresql" if "postgresql" in database.url else "sqlite")
    with database.transaction() as session:
        session.execute(text("DELETE FROM audit_entries"))
    assert main(verify) == 1
    out = capsys.readouterr().out
    assert "AUDIT LOG NOT INTACT" in out
    assert "the chain has 0 entries but the anchor" in out


def insert_unkeyed(database: Database, count: int) -> list[AuditEntry]:
    """Entries as the backend wrote them before the chain was keyed: plain SHA-256."""
    prev_hash, at = GENESIS_HASH, utc_now() - timedelta(days=1)
    with database.transaction() as session:
        for index in range(count):
            fields = ("cli", "kiosk.registered", f"kiosk:{index:04d}", "{}")
            entry_hash = compute_entry_hash(prev_hash, at, *fields)
            session.add(
                AuditEntry(
                    at=at,
                    actor=fields[0],
                    action=fields[1],
                    subject=fields[2],
                    details=fields[3],
                    prev_hash=prev_hash,
                    entry_hash=entry_hash,
                )
            )
            session.flush()
            prev_hash = entry_hash
    return entries(database)


def test_an_unkeyed_chain_is_sealed_once_by_db_upgrade(
    settings: BackendSettings, database: Database, register: Callable[..., str]
) -> None:
    insert_unkeyed(database, 3)
    assert audit_report_command(settings).findings == [
        "the chain is not keyed: its 3 entries carry plain hashes that anyone can recompute "
        "(run `station db upgrade` to seal them)"
    ]
    migrate(settings)
    migrate(settings)  # once only
    register()
    chain = entries(database)
    assert [entry.action for entry in chain[3:]] == [CHAIN_KEYED_ACTION, "kiosk.registered"]
    assert json.loads(chain[3].details) == {"legacy_entries": 3, "legacy_head": chain[2].entry_hash}
    assert audit_report_command(settings).intact


def test_rewriting_a_sealed_unkeyed_entry_is_caught(
    settings: BackendSettings, database: Database, database_kind: str
) -> None:
    legacy = insert_unkeyed(database, 2)
    migrate(settings)
    allow_tampering(database, database_kind)
    # Plain hashes can be recomputed; the keyed seal after them still names the old head.
    details = '{"forged": true}'
    first = legacy[0]
    new_first = compute_entry_hash(
        first.prev_hash, first.at, first.actor, first.action, first.subject, details
    )
    second = legacy[1]
    new_second = compute_entry_hash(
        new_first, second.at, second.actor, second.action, second.subject, second.details
    )
    with database.transaction() as session:
        session.execute(
            text("UPDATE audit_entries SET details = :d, entry_hash = :h WHERE id = :id"),
            {"d": details, "h": new_first, "id": first.id},
        )
        session.execute(
            text("UPDATE audit_entries SET prev_hash = :p, entry_hash = :h WHERE id = :id"),
            {"p": new_first, "h": new_second, "id": second.id},
        )
    found = audit_report_command(settings).findings
    assert len(found) == 1 and "audit.chain_keyed" in found[0] and "does not link" in found[0]


def test_a_broken_unkeyed_chain_is_not_sealed(
    settings: BackendSettings,
    database: Database,
    database_kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    legacy = insert_unkeyed(database, 2)
    allow_tampering(database, database_kind)
    with database.transaction() as session:
        session.execute(
            text("UPDATE audit_entries SET actor = 'x' WHERE id = :id"), {"id": legacy[0].id}
        )
    migrate(settings)
    assert "the audit chain is broken; not sealing it" in caplog.text
    assert len(entries(database)) == 2
    assert any("(edited)" in f for f in audit_report_command(settings).findings)


def test_anchor_lines_round_trip() -> None:
    anchor = Anchor(3, 7, "ab" * 32, "2026-12-03T09:00:00+00:00", "c2ln")
    assert Anchor.from_json(json.loads(anchor.line())) == anchor
    with pytest.raises(ValueError):
        Anchor.from_json({"seq": "3", "entry_id": 7, "head": "", "at": "", "signature": ""})
