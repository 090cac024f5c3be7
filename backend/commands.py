"""Backend operations as plain functions, for the ``station`` command line."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from backend.audit import append_audit, seal_legacy_chain
from backend.audit_anchors import (
    Anchor,
    anchor_if_changed,
    load_public_key,
    load_signing_key,
    public_key_pem,
)
from backend.audit_report import AuditReport, build_audit_report
from backend.case_states import CaseState
from backend.db import Database
from backend.db_types import utc_now
from backend.errors import StaffUserNotFound
from backend.identity.sealing import DataSealer
from backend.identity.seeding import seed_demo_registry
from backend.migrate import upgrade_database
from backend.models import StaffUser
from backend.services.cases import change_case_state
from backend.services.fingerprint_report import fingerprint_report
from backend.services.identity_report import identity_report
from backend.services.kiosks import kiosk_sequence_floor_by_code, register_kiosk, revoke_kiosk
from backend.services.payments_report import business_day, day_orders, reconcile_day, render_day
from backend.services.staff import (
    add_staff_user,
    list_staff_users,
    password_hasher,
    reset_staff_second_factor,
    set_staff_password,
    unlock_staff_user,
)
from backend.services.staff_totp import enrol_known_secret
from config.settings import BackendSettings

logger = logging.getLogger(__name__)

# How long a paid order may wait for its case before reconciliation calls it a problem.
PAYMENT_CASE_GRACE = timedelta(hours=1)


def open_database(settings: BackendSettings) -> Database:
    """The configured database, with the audit key its audit entries are signed with."""
    return Database(settings.resolved_database_url, audit_key=settings.resolved_audit_key)


def migrate(settings: BackendSettings | None = None) -> None:
    """Bring the configured database to the newest schema; an audit chain written before
    keying is sealed once under the audit key."""
    settings = settings or BackendSettings()
    upgrade_database(settings.resolved_database_url, settings)
    database = open_database(settings)
    try:
        with database.transaction() as session:
            seal = seal_legacy_chain(session)
    except ValueError as error:
        # The schema is upgraded all the same; `station audit verify` keeps reporting the damage.
        logger.error("%s", error)
        return
    finally:
        database.dispose()
    if seal is not None:
        logger.info("audit chain keyed: %s", seal.details)


def register_kiosk_command(
    settings: BackendSettings | None,
    code: str,
    name: str,
    office: str,
    rotate: bool = False,
    actor: str = "cli",
) -> str:
    """Provision a kiosk (migrating first) and return its credential; shown once, never stored."""
    settings = settings or BackendSettings()
    migrate(settings)
    database = open_database(settings)
    try:
        with database.transaction() as session:
            return register_kiosk(session, code, name, office, rotate=rotate, actor=actor)
    finally:
        database.dispose()


def kiosk_sequence_floor_command(settings: BackendSettings | None, code: str) -> int:
    """The highest case sequence stored for a kiosk (a reinstalled kiosk numbers above it)."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.transaction() as session:
            return kiosk_sequence_floor_by_code(session, code)
    finally:
        database.dispose()


def revoke_kiosk_command(settings: BackendSettings | None, code: str, actor: str = "cli") -> None:
    """Revoke a kiosk's credential; it gets 401 from its next request on."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.transaction() as session:
            revoke_kiosk(session, code, actor=actor)
    finally:
        database.dispose()


def change_case_state_command(
    settings: BackendSettings | None,
    case_number: str,
    to_state: CaseState | str,
    actor: str = "cli",
    note: str = "",
) -> str:
    """Move a case to another state (if allowed) and return the state it is now in."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.transaction() as session:
            return change_case_state(session, case_number, to_state, actor, note).state
    finally:
        database.dispose()


def audit_report_command(
    settings: BackendSettings | None = None,
    anchors_path: Path | None = None,
    public_key_path: Path | None = None,
) -> AuditReport:
    """Check the chain, its newest anchor and the cases; an anchor file or public key given
    explicitly must exist, the defaults may not yet."""
    settings = settings or BackendSettings()
    anchors = anchors_path or settings.resolved_audit_anchor_path
    if public_key_path is not None:
        public_key = load_public_key(public_key_path.read_bytes())
    elif settings.resolved_audit_signing_key_path.exists():
        public_key = load_signing_key(settings.resolved_audit_signing_key_path).public_key()
    else:
        public_key = None
    database = open_database(settings)
    try:
        with database.reading() as session:
            return build_audit_report(
                session,
                settings.resolved_audit_key,
                anchors,
                public_key,
                require_anchor=anchors_path is not None,
            )
    finally:
        database.dispose()


def verify_audit_command(settings: BackendSettings | None = None) -> bool:
    """Whether the audit log is intact; the findings are logged."""
    report = audit_report_command(settings)
    for finding in report.findings:
        logger.error("audit: %s", finding)
    return report.intact


def anchor_audit_command(settings: BackendSettings | None = None) -> Anchor:
    """Sign the chain's head now and append it to the anchor file."""
    settings = settings or BackendSettings()
    signing_key = load_signing_key(settings.resolved_audit_signing_key_path)
    database = open_database(settings)
    try:
        with database.reading() as session:
            anchor = anchor_if_changed(
                session, signing_key, settings.resolved_audit_anchor_path, force=True
            )
    finally:
        database.dispose()
    assert anchor is not None  # forced
    return anchor


def audit_public_key_command(settings: BackendSettings | None = None) -> str:
    """The PEM public key the anchors verify with (the signing key is made if missing)."""
    settings = settings or BackendSettings()
    return public_key_pem(load_signing_key(settings.resolved_audit_signing_key_path))


def seed_registry_command(settings: BackendSettings | None, folder: Path) -> int:
    """Migrate, then put the demo people of ``folder`` (faces/people) in the registry; returns
    how many were added or updated (0 when all were already there)."""
    settings = settings or BackendSettings()
    migrate(settings)
    seeded = seed_demo_registry(settings, folder)
    for person in seeded:
        logger.info(
            "%s %s (%s, born %s)",
            "seeded" if person.created else "already seeded",
            person.name,
            person.personal_number,
            person.birth_date.isoformat(),
        )
    return sum(person.created for person in seeded)


def show_case_identity_command(settings: BackendSettings | None, case_number: str) -> str:
    """The face verification, fingerprints and duplicate hits of a case, as text for an officer
    or auditor."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    sealer = DataSealer.from_settings(settings)
    try:
        with database.reading() as session:
            face = identity_report(session, case_number, sealer).render()
            return f"{face}\n{fingerprint_report(session, case_number, sealer).render()}"
    finally:
        database.dispose()


def _report_day(day: date | None, now: datetime) -> date:
    return day or business_day(now)


def list_payments_command(
    settings: BackendSettings | None, day: date | None = None, now: datetime | None = None
) -> str:
    """A day's fee orders (today's by default) as a table."""
    settings = settings or BackendSettings()
    now = now or utc_now()
    day = _report_day(day, now)
    database = open_database(settings)
    try:
        with database.reading() as session:
            return render_day(day, day_orders(session, day, now))
    finally:
        database.dispose()


def reconcile_payments_command(
    settings: BackendSettings | None,
    day: date | None = None,
    now: datetime | None = None,
    grace: timedelta = PAYMENT_CASE_GRACE,
) -> tuple[str, bool]:
    """A day's reconciliation as text, and whether everything adds up."""
    settings = settings or BackendSettings()
    now = now or utc_now()
    day = _report_day(day, now)
    database = open_database(settings)
    try:
        with database.reading() as session:
            result = reconcile_day(day_orders(session, day, now), day, now, grace)
    finally:
        database.dispose()
    return result.render(now), result.reconciled


def _hasher(settings: BackendSettings) -> PasswordHasher:
    return password_hasher(settings.staff_argon2_time_cost, settings.staff_argon2_memory_kib)


def add_staff_command(
    settings: BackendSettings | None, username: str, password: str, role: str
) -> None:
    """Create a staff account (migrating first); the password is hashed with argon2id."""
    settings = settings or BackendSettings()
    migrate(settings)
    database = open_database(settings)
    try:
        with database.transaction() as session:
            add_staff_user(session, username, password, role, "cli", _hasher(settings))
    finally:
        database.dispose()


def _second_factor_state(user: StaffUser) -> str:
    if user.totp_enabled_at is not None:
        return "authenticator"
    return "enrolment pending" if user.totp_secret else "not enrolled"


def list_staff_command(settings: BackendSettings | None = None) -> str:
    """Staff accounts as a table: username, role, disabled."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.reading() as session:
            users = list_staff_users(session)
            lines = [f"{'username':<24} {'role':<12} {'state':<9} second factor"]
            lines += [
                f"{user.username:<24} {user.role:<12} "
                f"{'disabled' if user.disabled else 'active':<9} {_second_factor_state(user)}"
                for user in users
            ]
    finally:
        database.dispose()
    return "\n".join(lines)


def set_staff_password_command(
    settings: BackendSettings | None, username: str, password: str
) -> None:
    """Replace a staff password; that user's sessions end."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.transaction() as session:
            set_staff_password(session, username, password, "cli", _hasher(settings))
    finally:
        database.dispose()


def unlock_staff_command(settings: BackendSettings | None, username: str) -> None:
    """End a staff account's login delays and lockout (audited)."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.transaction() as session:
            unlock_staff_user(session, username, "cli")
    finally:
        database.dispose()


def reset_staff_2fa_command(settings: BackendSettings | None, username: str) -> None:
    """Forget a staff account's authenticator and recovery codes; it enrols at next login."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.transaction() as session:
            reset_staff_second_factor(session, username, "cli")
    finally:
        database.dispose()


def enrol_staff_totp_command(settings: BackendSettings | None, username: str, secret: str) -> None:
    """Give a staff account a known authenticator secret (the demo's accounts); audited."""
    settings = settings or BackendSettings()
    database = open_database(settings)
    try:
        with database.transaction() as session:
            user = session.scalar(select(StaffUser).where(StaffUser.username == username))
            if user is None:
                raise StaffUserNotFound(f"no staff user {username}")
            enrol_known_secret(session, user, secret, DataSealer.from_settings(settings))
            append_audit(session, "cli", "staff_2fa_enrolled", f"staff:{user.username}")
    finally:
        database.dispose()
