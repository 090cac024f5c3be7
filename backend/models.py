"""The backend's tables as typed SQLAlchemy models."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from backend.db_types import UTCDateTime, utc_now

# Deterministic constraint names, so later migrations (batch mode on SQLite) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Kiosk(Base):
    """A provisioned kiosk; it authenticates with ``<code>.<secret>``, we keep a hash."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200))
    credential_hash: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    # The highest sequence of this kiosk's stored cases: a reinstalled kiosk numbers above it.
    case_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    cases: Mapped[list[Case]] = relationship(back_populates="kiosk")


class Case(Base):
    """A citizen's application, appeal or report, as registered from a kiosk submission."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(12), unique=True)
    submission_id: Mapped[UUID] = mapped_column(unique=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(40))
    service_kind: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    # Personal data is sealed (backend.identity.personal_data); the personal number is found
    # by its keyed digest.
    text_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(32), index=True)
    registered_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime]
    payload_hash: Mapped[str] = mapped_column(String(64))
    personal_number_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    personal_number_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    verification_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("face_verifications.id"), unique=True
    )
    needs_officer_review: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    kiosk: Mapped[Kiosk] = relationship(back_populates="cases")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    verification: Mapped[FaceVerification | None] = relationship()
    duplicate_hits: Mapped[list[CaseDuplicateHit]] = relationship(
        back_populates="case", order_by="CaseDuplicateHit.distance"
    )
    fingerprints: Mapped[list[CaseFingerprint]] = relationship(
        back_populates="case", order_by="CaseFingerprint.id"
    )
    fingerprint_hits: Mapped[list[CaseFingerprintHit]] = relationship(
        back_populates="case", order_by="CaseFingerprintHit.score.desc()"
    )


class CaseEvent(Base):
    """One step of a case's history; the first has no ``from_state``."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="events")


class AuditEntry(Base):
    """An append-only log row; ``prev_hash`` is the ``entry_hash`` of the row before it.

    ``prev_hash`` is unique, so two writers can never fork the chain; the database also
    refuses UPDATE and DELETE on this table (triggers created by the initial migration).
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))


class RegistryEntry(Base):
    """A person of the local population registry, found by the keyed digest of their personal
    number; portrait and template sealed at rest."""

    __tablename__ = "registry_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal_number_digest: Mapped[str] = mapped_column(String(64), unique=True)
    birth_date: Mapped[date] = mapped_column(Date)
    portrait_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    template_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class FaceVerification(Base):
    """One verification request and its outcome.

    ``decision`` is a VerificationDecision, or ``person_not_found`` / ``refer_to_staff`` for
    requests turned away before any comparison (kept: they count against the limits).
    """

    __tablename__ = "face_verifications"
    __table_args__ = (
        Index("ix_face_verifications_kiosk_id_created_at", "kiosk_id", "created_at"),
        Index(
            "ix_face_verifications_personal_number_digest_created_at",
            "personal_number_digest",
            "created_at",
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    request_id: Mapped[UUID] = mapped_column(unique=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    personal_number_digest: Mapped[str] = mapped_column(String(64))
    payload_hash: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(32))
    refusal: Mapped[str | None] = mapped_column(String(32))
    distance: Mapped[float | None] = mapped_column(Float)
    verify_max_distance: Mapped[float] = mapped_column(Float)
    review_max_distance: Mapped[float] = mapped_column(Float)
    attempts_left: Mapped[int]
    refer_to_staff: Mapped[bool] = mapped_column(Boolean)
    liveness: Mapped[str] = mapped_column(Text)
    portrait_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    template_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]

    kiosk: Mapped[Kiosk] = relationship()


class CaseDuplicateHit(Base):
    """An earlier case under another personal number whose face is close to this case's; that
    number is read from the other case, where it is sealed."""

    __tablename__ = "case_duplicate_hits"
    __table_args__ = (UniqueConstraint("case_id", "other_case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    other_case_number: Mapped[str] = mapped_column(String(12))
    distance: Mapped[float] = mapped_column(Float)
    found_at: Mapped[datetime]

    case: Mapped[Case] = relationship(back_populates="duplicate_hits")


class CaseFingerprint(Base):
    """One finger of a case: its sealed image and template as measured here, or the reason
    there is none (``exception``)."""

    __tablename__ = "case_fingerprints"
    __table_args__ = (UniqueConstraint("case_id", "finger"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    finger: Mapped[str] = mapped_column(String(16))
    exception: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int]
    kiosk_quality: Mapped[int | None]
    quality_score: Mapped[int | None]
    quality_issues: Mapped[str] = mapped_column(Text, default="")
    minutiae_count: Mapped[int | None]
    image_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    template_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]

    case: Mapped[Case] = relationship(back_populates="fingerprints")


class CaseFingerprintHit(Base):
    """An earlier case under another (or no) personal number whose same finger matches; that
    number is read from the other case, where it is sealed."""

    __tablename__ = "case_fingerprint_hits"
    __table_args__ = (UniqueConstraint("case_id", "finger", "other_case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    finger: Mapped[str] = mapped_column(String(16))
    other_case_number: Mapped[str] = mapped_column(String(12))
    score: Mapped[float] = mapped_column(Float)
    found_at: Mapped[datetime]

    case: Mapped[Case] = relationship(back_populates="fingerprint_hits")


class PaymentOrder(Base):
    """A state fee a kiosk asked to be paid; ``account`` is the number the provider's app shows.

    ``state`` is a ``payments.states.OrderState``; ``case_id`` is set once a case used it.
    """

    __tablename__ = "payment_orders"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(20), unique=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    amount_tiyin: Mapped[int] = mapped_column(BigInteger)
    provider: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    provider_transaction_id: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)

    kiosk: Mapped[Kiosk] = relationship()
    case: Mapped[Case | None] = relationship()


class PaymentTransaction(Base):
    """A provider's transaction for an order; times are the provider protocol's Unix ms."""

    __tablename__ = "payment_transactions"
    __table_args__ = (UniqueConstraint("provider", "provider_transaction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_transaction_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[UUID] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    amount_tiyin: Mapped[int] = mapped_column(BigInteger)
    provider_time: Mapped[int] = mapped_column(BigInteger)
    create_time: Mapped[int] = mapped_column(BigInteger, index=True)
    perform_time: Mapped[int | None] = mapped_column(BigInteger)
    cancel_time: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[int]
    reason: Mapped[int | None]

    order: Mapped[PaymentOrder] = relationship()


# --- Fleet: kiosk health, alerts, commands, staff ------------------------------------------


class KioskState(Base):
    """The latest heartbeat of a kiosk (one row per kiosk); ``devices`` is its JSON report."""

    __tablename__ = "kiosk_states"

    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    last_heartbeat_at: Mapped[datetime]
    sent_at: Mapped[datetime]
    software_version: Mapped[str] = mapped_column(String(40))
    uptime_seconds: Mapped[int] = mapped_column(BigInteger)
    screen: Mapped[str] = mapped_column(String(40))
    in_service: Mapped[bool] = mapped_column(Boolean)
    out_of_service_reason: Mapped[str | None] = mapped_column(String(200))
    devices: Mapped[str] = mapped_column(Text)
    outbox_backlog: Mapped[int]
    submissions_today: Mapped[int]
    outbox_rejected: Mapped[int] = mapped_column(default=0, server_default="0")
    outbox_stuck: Mapped[int] = mapped_column(default=0, server_default="0")
    numbering_refused_today: Mapped[int] = mapped_column(default=0, server_default="0")

    kiosk: Mapped[Kiosk] = relationship()


class KioskHeartbeat(Base):
    """History for charts: one row per heartbeat, and an ``online=False`` row when a kiosk
    is found silent."""

    __tablename__ = "kiosk_heartbeats"
    __table_args__ = (
        Index("ix_kiosk_heartbeats_kiosk_id_at", "kiosk_id", "at"),
        Index("ix_kiosk_heartbeats_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    at: Mapped[datetime]
    online: Mapped[bool] = mapped_column(Boolean)
    screen: Mapped[str] = mapped_column(String(40))
    outbox_backlog: Mapped[int]
    submissions_today: Mapped[int]
    devices_summary: Mapped[str] = mapped_column(String(200))


class FleetAlert(Base):
    """A fault of a kiosk; at most one open alert per (kiosk, kind, device): ``device`` is ""
    for kiosk-wide kinds so the partial unique index covers them too."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open",
            "kiosk_id",
            "kind",
            "device",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_alerts_opened_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    device: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))

    kiosk: Mapped[Kiosk] = relationship()


class FleetCommand(Base):
    """An operator's command to a kiosk: pending -> delivered (once) -> done | failed."""

    __tablename__ = "kiosk_commands"
    __table_args__ = (Index("ix_kiosk_commands_kiosk_id_state", "kiosk_id", "state"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    kind: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(200))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    delivered_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result_detail: Mapped[str | None] = mapped_column(String(200))

    kiosk: Mapped[Kiosk] = relationship()


class KioskScreenshot(Base):
    """A PNG of a kiosk's screen, usually answering a take_screenshot command."""

    __tablename__ = "kiosk_screenshots"
    __table_args__ = (Index("ix_kiosk_screenshots_kiosk_id_taken_at", "kiosk_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    taken_at: Mapped[datetime]
    png: Mapped[bytes] = mapped_column(LargeBinary)
    command_id: Mapped[UUID | None] = mapped_column(ForeignKey("kiosk_commands.id"))


class StaffUser(Base):
    """An operator, technician or viewer of the fleet dashboard; argon2id password hash."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Sealed with the data key; set and not yet enabled while enrolment awaits its first code.
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)


class StaffSession(Base):
    """A logged-in staff browser; only the SHA-256 of the cookie token is kept."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # Opened by a password alone: it may only enrol a second factor.
    enrolment_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    user: Mapped[StaffUser] = relationship()


class StaffRecoveryCode(Base):
    """A one-time code that stands in for the authenticator; argon2id hash, consumed on use."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None]


class StaffLoginThrottle(Base):
    """Recent failed logins of one account or one client address (SHA-256 of the key)."""

    __tablename__ = "staff_login_throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
