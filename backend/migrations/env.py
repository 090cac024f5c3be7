"""Alembic environment: the URL comes from ``sqlalchemy.url`` if set, else from the settings.

A caller may also hand over an open connection in ``config.attributes["connection"]``
(``backend.migrate`` does), so URLs never pass through the ini parser.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from backend.db import make_engine
from backend.db_types import UTCDateTime
from backend.models import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from config.settings import BackendSettings

    return BackendSettings().resolved_database_url


def _render_item(type_: str, obj: object, _autogen_context: object) -> str | bool:
    """Revisions spell the stored type, so they never import the models' module."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: object) -> None:
    # Batch mode lets later revisions alter tables on SQLite, which lacks most ALTER TABLE.
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=_render_item,
        **kwargs,
    )


def _run_with(connection: Connection) -> None:
    # backend.db takes BEGIN away from pysqlite, so DDL on SQLite is transactional too.
    _configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    from backend.migrate import migration_connection

    engine = make_engine(_database_url())
    try:
        with migration_connection(engine) as connection:
            _run_with(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
