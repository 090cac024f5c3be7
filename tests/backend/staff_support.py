"""Staff accounts for tests: cheap argon2 costs, enrolled authenticators and their codes."""

from __future__ import annotations

from datetime import datetime

import pyotp
from sqlalchemy import select

from backend.db import Database
from backend.db_types import utc_now
from backend.identity.sealing import DataSealer
from backend.models import StaffUser
from backend.services.staff import add_staff_user, password_hasher
from backend.services.staff_totp import STEP_SECONDS, enrol_known_secret
from config.settings import BackendSettings

PASSWORD = "correct horse battery staple"
# Cheap argon2 costs keep the tests quick; the hashing itself is the same code.
FAST_COSTS = {"staff_argon2_time_cost": 1, "staff_argon2_memory_kib": 1024}
FAST_HASHER = password_hasher(1, 1024)


def enrol(settings: BackendSettings, database: Database, username: str) -> str:
    """Give an existing account a fresh enrolled authenticator; its secret."""
    secret = pyotp.random_base32()
    with database.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        assert user is not None
        enrol_known_secret(session, user, secret, DataSealer.from_settings(settings))
    return secret


def add_enrolled_user(
    settings: BackendSettings,
    database: Database,
    username: str,
    role: str = "operator",
    password: str = PASSWORD,
) -> str:
    """A new account with an enrolled authenticator; its secret."""
    with database.transaction() as session:
        add_staff_user(session, username, password, role, hasher=FAST_HASHER)
    return enrol(settings, database, username)


def totp_code(secret: str, at: datetime | None = None, steps_ahead: int = 0) -> str:
    """The authenticator's code now (or at ``at``), or that of a later step."""
    moment = (at or utc_now()).timestamp() + steps_ahead * STEP_SECONDS
    return pyotp.TOTP(secret).at(moment)
