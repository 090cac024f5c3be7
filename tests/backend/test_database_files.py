"""The backend's SQLite files hold cases' personal data: only their owner may read them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from backend.db import Database
from backend.migrate import upgrade_database


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the common default: files readable by everyone
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_write_ahead_log_are_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "var" / "station.db"
    upgrade_database(f"sqlite:///{path}")
    database = Database(f"sqlite:///{path}")
    try:
        with database.transaction() as session:
            session.execute(text("CREATE TABLE probe (x INTEGER)"))
        with database.reading() as session:
            session.execute(text("SELECT count(*) FROM probe")).scalar()
            files = sorted(tmp_path.joinpath("var").glob("station.db*"))
            assert {file.name for file in files} >= {"station.db", "station.db-wal"}
            assert {file.name: _mode(file) for file in files} == {
                file.name: 0o600 for file in files
            }
    finally:
        database.dispose()


def test_an_existing_database_readable_by_others_is_made_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "station.db"
    upgrade_database(f"sqlite:///{path}")
    path.chmod(0o644)

    database = Database(f"sqlite:///{path}")
    database.dispose()

    assert _mode(path) == 0o600
