"""Database schema upgrades through Alembic, without the command line."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from backend.db import make_engine
from config.settings import BackendSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the backend's migrations, independent of alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(url: str, settings: BackendSettings | None = None) -> None:
    """Bring the database at ``url`` to the newest revision (``alembic upgrade head``).

    Revisions that seal data take their keys from ``settings`` (by default the environment's).
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            if settings is not None:
                config.attributes["settings"] = settings
            command.upgrade(config, "head")
    finally:
        engine.dispose()
