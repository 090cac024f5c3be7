"""Process settings from environment variables prefixed ``STATION_``."""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.face import FaceMatchSettings
from config.fingerprint import FingerprintMatchSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BackendSettings(BaseSettings):
    """Settings of the backend service."""

    model_config = SettingsConfigDict(env_prefix="STATION_", extra="ignore")

    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str | None = None
    secret_key: str | None = Field(
        default=None,
        description="Master secret for status-link HMACs; generated under var/ when unset.",
    )
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 64 * 1024
    status_rate_per_minute: int = 60
    kiosk_status_rate_per_minute: int = Field(
        default=30, ge=1, description="case status lookups one kiosk may make per minute"
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses of reverse proxies whose X-Forwarded-For is "
        "believed; none by default, so clients are counted by their own address",
    )
    data_key: str | None = Field(
        default=None,
        description="Base64 of 32 bytes sealing portraits and templates at rest (AES-256-GCM); "
        "derived from the master secret when unset.",
    )
    lookup_key: str | None = Field(
        default=None,
        description="Base64 of 32 bytes keying the HMAC digests that personal numbers are "
        "looked up by; derived from the data key when unset.",
    )
    face_match: FaceMatchSettings = Field(default_factory=FaceMatchSettings)
    max_verification_body_bytes: int = Field(
        default=720 * 1024,
        description="Body limit of the face verification route: a 512 KiB portrait in base64.",
    )
    face_max_attempts: int = Field(default=3, ge=1)
    verification_valid_minutes: float = Field(
        default=120, gt=0, description="how long after a face verification its case may be filed"
    )
    face_attempt_window_hours: float = Field(default=24.0, gt=0)
    verification_rate_per_kiosk_per_minute: int = Field(default=20, ge=1)
    verification_rate_per_person_per_hour: int = Field(default=10, ge=1)
    fingerprint_match: FingerprintMatchSettings = Field(default_factory=FingerprintMatchSettings)
    max_case_body_bytes: int = Field(
        default=1344 * 1024,
        description="Body limit of the case route: ten 96 KiB fingerprint PNGs in base64 "
        "(128 KiB each) and 64 KiB for the rest.",
    )
    payme_merchant_id: str = Field(
        default="demo-merchant", description="the merchant (cashbox) id Payme issued"
    )
    payme_key: str | None = Field(
        default=None,
        description="the key Payme signs merchant calls with (Basic Paycom:<key>); "
        "every call is refused while it is unset",
    )
    checkout_base_url: str = Field(
        default="https://checkout.paycom.uz", description="where fee QR codes send the citizen"
    )
    payment_order_minutes: float = Field(
        default=10, gt=0, description="how long the kiosk waits for a fee to be paid"
    )
    fee_schedule_path: Path = PROJECT_ROOT / "config" / "fees.toml"
    service_catalogue_path: Path = Field(
        default=PROJECT_ROOT / "config" / "services.toml",
        description="what a case of each service must carry: face, fingers, fee, consent",
    )
    submission_max_age_days: float = Field(
        default=30, gt=0, description="a case whose kiosk time is older than this is refused"
    )
    clock_skew_seconds: float = Field(
        default=300, ge=0, description="how far ahead of the backend a kiosk's clock may run"
    )
    heartbeat_interval_seconds: float = Field(
        default=15, gt=0, description="how often kiosks are told to send a heartbeat"
    )
    kiosk_offline_after_seconds: float = Field(
        default=45, gt=0, description="a kiosk silent for longer than this is offline"
    )
    fleet_sweep_seconds: float = Field(
        default=5, gt=0, description="how often the backend looks for silent kiosks"
    )
    backlog_alert_threshold: int = Field(
        default=20, ge=0, description="an outbox backlog above this that still grows alerts"
    )
    max_screenshot_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    screenshot_retention_hours: float = Field(
        default=24, gt=0, description="how long kiosk screenshots are kept before deletion"
    )
    fleet_history_days: float = Field(
        default=30, gt=0, description="how long heartbeat history is kept for charts"
    )
    staff_session_hours: float = Field(default=12, gt=0)
    staff_argon2_time_cost: int = Field(
        default=3,
        ge=1,
        description="argon2id passes; hashes made with other costs are redone at login",
    )
    staff_argon2_memory_kib: int = Field(default=64 * 1024, ge=8)
    staff_login_free_failures: int = Field(
        default=3, ge=0, description="failed logins of one account before each waits longer"
    )
    staff_login_address_free_failures: int = Field(
        default=10, ge=0, description="failed logins from one address before each waits longer"
    )
    staff_login_delay_seconds: float = Field(
        default=1, gt=0, description="the first wait; it doubles with each further failure"
    )
    staff_login_max_delay_seconds: float = Field(default=300, gt=0)
    staff_lockout_failures: int = Field(
        default=10, ge=1, description="failed logins of one account that lock it"
    )
    staff_lockout_minutes: float = Field(default=30, gt=0)
    staff_login_failure_memory_minutes: float = Field(
        default=60, gt=0, description="a failure older than this no longer counts"
    )
    metrics_token: str | None = Field(
        default=None,
        description="bearer token that GET /metrics requires; unset, /metrics answers 404",
    )
    fleet_events_ping_seconds: float = Field(
        default=15, gt=0, description="comment pings keeping the live event stream open"
    )
    audit_key: str | None = Field(
        default=None,
        min_length=32,
        description="HMAC key of the audit chain (32+ characters), kept out of the database; "
        "generated under var/ when unset.",
    )
    audit_anchor_seconds: float = Field(
        default=60, gt=0, description="how often the audit chain's head is anchored, if changed"
    )
    audit_anchor_path: Path | None = Field(
        default=None,
        description="append-only JSONL of signed heads (default var/audit_anchors.jsonl)",
    )
    audit_signing_key_path: Path | None = Field(
        default=None,
        description="Ed25519 key signing the anchors (default var/audit_signing_key.pem)",
    )

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'station.db'}"

    @cached_property
    def resolved_secret_key(self) -> bytes:
        """The master secret; created once and kept in var/ so links survive restarts."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()

    @cached_property
    def resolved_audit_key(self) -> bytes:
        """The audit chain's HMAC key; created once under var/ (0600), never in the database."""
        if self.audit_key:
            return self.audit_key.encode()
        return _read_or_create_secret(self.var_dir / "audit_key")

    @property
    def resolved_audit_anchor_path(self) -> Path:
        return self.audit_anchor_path or self.var_dir / "audit_anchors.jsonl"

    @property
    def resolved_audit_signing_key_path(self) -> Path:
        return self.audit_signing_key_path or self.var_dir / "audit_signing_key.pem"


def _read_or_create_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created 0600 from the start, so the key is never readable by others even briefly.
        with contextlib.suppress(FileExistsError):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class KioskSettings(BaseSettings):
    """Settings of one kiosk process; the rest comes from its TOML profile."""

    model_config = SettingsConfigDict(env_prefix="STATION_", extra="ignore")

    var_dir: Path = PROJECT_ROOT / "var"
    kiosk_profile: Path = PROJECT_ROOT / "config" / "profiles" / "demo.toml"
    backend_url: str | None = None
    kiosk_credential: str | None = None
    idle_warning_seconds: float | None = None
    idle_reset_seconds: float | None = None
