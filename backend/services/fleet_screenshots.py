"""Screenshots kiosks upload (PNG only), usually answering a take_screenshot command."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import (
    FleetCommandNotFound,
    ImageTooLarge,
    ScreenshotInvalid,
    ScreenshotNotFound,
    ScreenshotTooLarge,
)
from backend.fleet.views import ScreenshotStored
from backend.models import FleetCommand, KioskScreenshot
from biometrics.image_header import ImageHeaderError, ImageTooLargeError, check_declared_size

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def store_screenshot(
    session: Session,
    kiosk_id: int,
    png: bytes,
    command_id: UUID | None,
    max_bytes: int,
    now: datetime,
) -> ScreenshotStored:
    """Keep a kiosk's PNG; a ``command_id`` must name a command of this same kiosk."""
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
    if command_id is not None:
        command = session.get(FleetCommand, command_id)
        if command is None or command.kiosk_id != kiosk_id:
            raise FleetCommandNotFound(f"no command {command_id} for this kiosk")
    shot = KioskScreenshot(kiosk_id=kiosk_id, taken_at=now, png=png, command_id=command_id)
    session.add(shot)
    session.flush()
    return ScreenshotStored(screenshot_id=shot.id, taken_at=now, size_bytes=len(png))


def screenshot_png(session: Session, screenshot_id: int) -> bytes:
    png = session.scalar(select(KioskScreenshot.png).where(KioskScreenshot.id == screenshot_id))
    if png is None:
        raise ScreenshotNotFound(f"no screenshot {screenshot_id}")
    return png


def latest_screenshot_id(session: Session, kiosk_id: int) -> int | None:
    return session.scalar(
        select(KioskScreenshot.id)
        .where(KioskScreenshot.kiosk_id == kiosk_id)
        .order_by(KioskScreenshot.taken_at.desc(), KioskScreenshot.id.desc())
        .limit(1)
    )
