"""Health checks."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.db import Database

logger = logging.getLogger(__name__)


def database_is_reachable(database: Database) -> bool:
    try:
        with database.reading() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        logger.warning("database health check failed: %s", error)
        return False
    return True
