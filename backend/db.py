"""Engine and sessions from a database URL (SQLite file by default, PostgreSQL via psycopg 3)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_LOCK_OPTION = "station_write_lock"
AUDIT_KEY_INFO = "station_audit_key"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        make_private_file(Path(parsed.database))
    engine = create_engine(url)
    _configure_sqlite(engine)
    return engine


SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only, or take away others' access to it.

    Cases' personal data live in the database; SQLite gives the files it creates beside it
    (write-ahead log, shared memory, rollback journal) the permissions of the database file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for candidate in (path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES)):
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except FileNotFoundError:
            continue


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so we can choose BEGIN vs BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Overwrite deleted rows and dropped tables, so removed personal data does not linger.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer that read first and then upgrades its lock fails at once under WAL
        # (busy_timeout does not apply), so writing transactions take the lock up front.
        if connection.get_execution_options().get(WRITE_LOCK_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


class Database:
    """One engine and its two kinds of session: reading, and writing (serialized on SQLite).

    ``audit_key`` (the audit chain's HMAC key, from the settings, never from the database)
    reaches the audit functions through each session's ``info``.
    """

    def __init__(self, url: str, audit_key: bytes | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        # SQLite has one writer at a time. Writers of this process queue on a lock instead of
        # racing for the file lock, where busy_timeout runs out under load and answers 500;
        # busy_timeout still covers writers in other processes (the command line).
        self._write_lock: AbstractContextManager[object] = (
            threading.RLock() if self.engine.dialect.name == "sqlite" else nullcontext()
        )
        info = {AUDIT_KEY_INFO: audit_key} if audit_key else {}
        self._reading = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._writing = sessionmaker(
            self.engine.execution_options(**{WRITE_LOCK_OPTION: True}),
            expire_on_commit=False,
            info=info,
        )

    def reading(self) -> Session:
        return self._reading()

    def writing(self) -> Session:
        return self._writing()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing session committed on success and rolled back on error."""
        with self._write_lock, self.writing() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
