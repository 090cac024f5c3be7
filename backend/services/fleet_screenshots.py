"""Screenshots kiosks upload (PNG only) in answer to a take_screenshot command, sealed at rest
and deleted after the retention time."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from backend.contracts import CommandKind
from backend.errors import (
    ImageTooLarge,
    ScreenshotInvalid,
    ScreenshotNotFound,
    ScreenshotNotRequested,
    ScreenshotTooLarge,
)
from backend.fleet.views import CommandState, ScreenshotStored
from backend.identity.sealing import DataSealer, sealing_context
from backend.models import FleetCommand, KioskScreenshot
from biometrics.image_header import ImageHeaderError, ImageTooLargeError, check_declared_size

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_AWAITING = (CommandState.PENDING.value, CommandState.DELIVERED.value)


def screenshot_context(command_id: UUID) -> bytes:
    """Binds a sealed screenshot to the command it answers (one screenshot per command)."""
    return sealing_context("kiosk_screenshots", "png", command_id)


def store_screenshot(
    session: Session,
    kiosk_id: int,
    png: bytes,
    command_id: UUID | None,
    max_bytes: int,
    now: datetime,
    sealer: DataSealer,
) -> ScreenshotStored:
    """Keep a kiosk's PNG, sealed; only as the one answer to its own open screenshot command."""
    if len(png) > max_bytes:
        raise ScreenshotTooLarge(f"screenshot larger than {max_bytes} bytes")
    if not png.startswith(PNG_SIGNATURE):
        raise ScreenshotInvalid("the body is not a PNG image")
    # Never decoded here, but every operator's browser would decode it.
    try:
        check_declared_size(png, formats=("PNG",))
    except ImageTooLargeError as error:
        raise ImageTooLarge(f"screenshot: {error}") from None
    except ImageHeaderError:
        raise ScreenshotInvalid("the body is a damaged PNG image") from None
    if command_id is None:
        raise ScreenshotNotRequested("a screenshot must answer a take_screenshot command")
    command = session.get(FleetCommand, command_id, with_for_update=True)
    answered = session.scalar(select(exists().where(KioskScreenshot.command_id == command_id)))
    if (
        command is None
        or command.kiosk_id != kiosk_id
        or command.kind != CommandKind.TAKE_SCREENSHOT.value
        or command.state not in _AWAITING
        or answered
    ):
        raise ScreenshotNotRequested(f"no open screenshot command {command_id} for this kiosk")
    shot = KioskScreenshot(
        kiosk_id=kiosk_id,
        taken_at=now,
        png=sealer.seal(png, screenshot_context(command_id)),
        command_id=command_id,
    )
    session.add(shot)
    session.flush()
    return ScreenshotStored(screenshot_id=shot.id, taken_at=now, size_bytes=len(png))


def screenshot_png(session: Session, screenshot_id: int, sealer: DataSealer) -> bytes:
    row = session.execute(
        select(KioskScreenshot.png, KioskScreenshot.command_id).where(
            KioskScreenshot.id == screenshot_id
        )
    ).first()
    if row is None:
        raise ScreenshotNotFound(f"no screenshot {screenshot_id}")
    blob, command_id = row
    if command_id is None or blob.startswith(PNG_SIGNATURE):
        # Kept unsealed by an earlier version; the retention sweep deletes these soon.
        return blob
    return sealer.open(blob, screenshot_context(command_id))


def latest_screenshot_id(session: Session, kiosk_id: int) -> int | None:
    return session.scalar(
        select(KioskScreenshot.id)
        .where(KioskScreenshot.kiosk_id == kiosk_id)
        .order_by(KioskScreenshot.taken_at.desc(), KioskScreenshot.id.desc())
        .limit(1)
    )


def prune_screenshots(session: Session, older_than: datetime) -> int:
    """Delete screenshots taken before ``older_than``; return how many."""
    result = session.execute(delete(KioskScreenshot).where(KioskScreenshot.taken_at < older_than))
    return int(result.rowcount or 0)
