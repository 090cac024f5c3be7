"""JSON shapes of the staff fleet API (the kiosk's own shapes live in ``backend.contracts``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from backend.contracts import MAX_HEARTBEAT_DETAIL_CHARS, CommandKind


class StaffRole(StrEnum):
    OPERATOR = "operator"
    TECHNICIAN = "technician"
    VIEWER = "viewer"


class AlertKind(StrEnum):
    KIOSK_OFFLINE = "kiosk_offline"
    DEVICE_ERROR = "device_error"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    BACKLOG_GROWING = "backlog_growing"
    OUT_OF_SERVICE = "out_of_service"
    SUBMISSIONS_REJECTED = "submissions_rejected"
    SUBMISSIONS_STUCK = "submissions_stuck"
    NUMBERING_REFUSED = "numbering_refused"


class CommandState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DONE = "done"
    FAILED = "failed"


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    code: str = Field(
        default="",
        max_length=64,
        description="the authenticator app's 6 digits, or a recovery code; empty before enrolment",
    )


class StaffView(BaseModel):
    username: str
    role: StaffRole
    csrf_token: str
    enrolment_required: bool = Field(
        default=False, description="the session may only enrol a second factor (/fleet/enrol)"
    )


class EnrolmentView(BaseModel):
    """The secret to add to an authenticator app, as text, URI and QR code image."""

    secret: str
    provisioning_uri: str
    qr_code: str = Field(description="an SVG image as a data: URI")


class EnrolmentConfirmation(BaseModel):
    code: str = Field(min_length=6, max_length=16)


class RecoveryCodesView(BaseModel):
    """Shown once: each stands in for the authenticator at one login."""

    recovery_codes: list[str]


class CommandRequest(BaseModel):
    kind: CommandKind
    note: str = Field(default="", max_length=MAX_HEARTBEAT_DETAIL_CHARS)


class CommandView(BaseModel):
    command_id: UUID
    kiosk_code: str
    kind: CommandKind
    note: str
    state: CommandState
    issued_by: str
    issued_at: datetime
    delivered_at: datetime | None
    finished_at: datetime | None
    result_detail: str | None


class AlertView(BaseModel):
    id: int
    kiosk_code: str
    kind: AlertKind
    device: str = Field(description='the device kind, "" for kiosk-wide alerts')
    detail: str
    opened_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class KioskSummary(BaseModel):
    code: str
    name: str
    office: str
    online: bool
    last_seen: datetime | None
    screen: str | None
    in_service: bool | None
    out_of_service_reason: str | None
    devices: list[dict[str, Any]]
    backlog: int | None
    version: str | None
    uptime_seconds: int | None
    submissions_today: int | None
    outbox_rejected: int | None = None
    outbox_stuck: int | None = None
    numbering_refused_today: int | None = None
    open_alerts: int


class KioskDetail(KioskSummary):
    recent_commands: list[CommandView]
    alerts: list[AlertView]
    latest_screenshot_id: int | None


class HistoryPoint(BaseModel):
    minute: datetime
    online: int = Field(description="1 when a heartbeat arrived in this minute")
    backlog: int | None
    submissions_today: int | None


class KioskHistory(BaseModel):
    code: str
    since: datetime
    until: datetime
    points: list[HistoryPoint]
    alerts_opened: list[AlertView]


class ScreenshotStored(BaseModel):
    screenshot_id: int
    taken_at: datetime
    size_bytes: int
