"""The schema is built by Alembic migrations, and they match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from backend.db import make_engine
from backend.migrate import alembic_config, upgrade_database
from backend.models import Base

TABLES = {
    "kiosks",
    "cases",
    "case_events",
    "audit_entries",
    "registry_people",
    "face_verifications",
    "case_duplicate_hits",
    "case_fingerprints",
    "case_fingerprint_hits",
    "payment_orders",
    "payment_transactions",
    "kiosk_states",
    "kiosk_heartbeats",
    "alerts",
    "kiosk_commands",
    "kiosk_screenshots",
    "staff_users",
    "staff_sessions",
    "staff_recovery_codes",
    "staff_login_throttles",
    "alembic_version",
}


def test_upgrade_creates_every_table_and_is_repeatable(database_url: str) -> None:
    upgrade_database(database_url)
    upgrade_database(database_url)  # already at head: nothing to do, no error
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == TABLES
            revision = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    assert revision == "0009"


def test_models_and_migrations_agree(database_url: str) -> None:
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_to_base_removes_the_schema(database_url: str) -> None:
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    upgrade_database(database_url)  # and back up again


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'station.db'}"
    upgrade_database(url)  # creates the missing folder too
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO case_events (case_id, to_state, at, actor, note)"
                    " VALUES (999, 'registered', '2025-01-01 00:00:00', 'x', '')"
                )
            )
    finally:
        engine.dispose()
