"""Database schema upgrades through Alembic, without the command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from backend.db import make_engine
from config.settings import BackendSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the backend's migrations, independent of alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction fit for schema changes, committed on success.

    On SQLite, foreign keys are off meanwhile and checked once before the commit: a revision
    that rebuilds a table (batch mode: copy, drop, rename) must not fail on rows of other
    tables that refer to it, and the pragma has no effect inside a transaction.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def _run(url: str, settings: BackendSettings | None, upgrade: bool, revision: str) -> None:
    engine = make_engine(url)
    try:
        with migration_connection(engine) as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            if settings is not None:
                config.attributes["settings"] = settings
            (command.upgrade if upgrade else command.downgrade)(config, revision)
    finally:
        engine.dispose()


def upgrade_database(url: str, settings: BackendSettings | None = None) -> None:
    """Bring the database at ``url`` to the newest revision (``alembic upgrade head``).

    Revisions that seal data take their keys from ``settings`` (by default the environment's).
    """
    _run(url, settings, True, "head")


def migrate_database_to(
    url: str, revision: str, settings: BackendSettings | None = None, *, down: bool = False
) -> None:
    """Upgrade (or with ``down``, downgrade) the database at ``url`` to ``revision``."""
    _run(url, settings, not down, revision)
