"""Real parts for the dashboard's browser tests: a kiosk that posts heartbeats over HTTP, staff
accounts, and where headless Chromium lives."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from PIL import Image, ImageDraw

from backend.db import Database
from backend.identity.sealing import DataSealer
from backend.services.staff import add_staff_user
from backend.services.staff_totp import STEP_SECONDS, enrol_known_secret
from config.settings import PROJECT_ROOT, BackendSettings

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")


@contextlib.contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium driven through selenium, headless; skips the test without a driver."""
    if not CHROMEDRIVER.exists():
        pytest.skip(f"{CHROMEDRIVER} is missing: install Debian's chromium-driver to run these")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1400,1400"):
        options.add_argument(argument)
    options.add_argument("--disable-dev-shm-usage")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


ARTIFACTS_DIR = PROJECT_ROOT / "var" / "artifacts" / "fleet"
HEARTBEAT_PATH = "/api/v1/fleet/heartbeat"
SCREENSHOTS_PATH = "/api/v1/fleet/screenshots"

HEALTHY_DEVICES: list[dict[str, Any]] = [
    {"device": "camera", "health": "ok"},
    {"device": "fingerprint", "health": "ok"},
    {"device": "printer", "health": "ok", "paper": "ok"},
    {"device": "scanner", "health": "ok"},
]


def add_staff_users(
    settings: BackendSettings,
    accounts: dict[str, tuple[str, str]],
    enrolled: bool = True,
    known_secrets: dict[str, str] | None = None,
) -> dict[str, str]:
    """Create staff accounts (username -> (role, password)) as ``station staff add`` does,
    each with an enrolled authenticator (its secret from ``known_secrets``, else a new one)
    unless ``enrolled=False``; username -> its secret."""
    database = Database(settings.resolved_database_url, audit_key=settings.resolved_audit_key)
    sealer = DataSealer.from_settings(settings)
    secrets: dict[str, str] = {}
    try:
        with database.transaction() as session:
            for username, (role, password) in accounts.items():
                user = add_staff_user(session, username, password, role)
                if enrolled:
                    secrets[username] = (known_secrets or {}).get(username) or (
                        pyotp.random_base32()
                    )
                    enrol_known_secret(session, user, secrets[username], sealer)
    finally:
        database.dispose()
    return secrets


class Authenticator:
    """The authenticator app of the test's staff: a code the backend has not seen used yet
    (each step's code signs in once), waiting for the next step when it must."""

    def __init__(self) -> None:
        self._last_step: dict[str, int] = {}

    def code(self, secret: str) -> str:
        step = max(int(time.time()) // STEP_SECONDS, self._last_step.get(secret, -1) + 1)
        # The backend accepts one step ahead of its clock: wait until this step is that close.
        while int(time.time()) // STEP_SECONDS < step - 1:
            time.sleep(0.5)
        self._last_step[secret] = step
        return pyotp.TOTP(secret).at(step * STEP_SECONDS)


@dataclass
class HeartbeatKiosk:
    """A kiosk's heartbeat sender, driven step by step by the test."""

    base_url: str
    credential: str
    screen: str = "welcome"
    in_service: bool = True
    devices: list[dict[str, Any]] = field(default_factory=lambda: list(HEALTHY_DEVICES))
    outbox_backlog: int = 0
    submissions_today: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def beat(self) -> dict[str, Any]:
        """Post one heartbeat (reporting and clearing the command results) and return the
        reply; commands in it are kept in ``received``."""
        body = {
            "sent_at": datetime.now(UTC).isoformat(),
            "software_version": "1.4.2",
            "uptime_seconds": 3725,
            "screen": self.screen,
            "in_service": self.in_service,
            "out_of_service_reason": None if self.in_service else "operator",
            "devices": self.devices,
            "outbox_backlog": self.outbox_backlog,
            "submissions_today": self.submissions_today,
            "command_results": self.results,
        }
        response = httpx.post(
            self.base_url + HEARTBEAT_PATH,
            json=body,
            headers={"Authorization": f"Bearer {self.credential}"},
            timeout=10,
        )
        response.raise_for_status()
        self.results = []
        reply = response.json()
        self.received.extend(reply.get("commands", []))
        return reply

    def upload_screenshot(self, png: bytes, command_id: str) -> int:
        """Send a PNG of the screen in answer to a take_screenshot command; its id."""
        response = httpx.post(
            self.base_url + SCREENSHOTS_PATH,
            params={"command_id": command_id},
            content=png,
            headers={"Authorization": f"Bearer {self.credential}", "Content-Type": "image/png"},
            timeout=10,
        )
        response.raise_for_status()
        return int(response.json()["screenshot_id"])


def screen_png(text: str, size: tuple[int, int] = (640, 400)) -> bytes:
    """A PNG standing in for the kiosk's screen."""
    image = Image.new("RGB", size, (11, 58, 111))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, size[0] - 40, size[1] - 60), fill=(255, 255, 255))
    draw.text((60, 80), text, fill=(27, 36, 48))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Dashboard:
    url: str
    settings: BackendSettings
    kiosk: HeartbeatKiosk
    kiosk_code: str
    secrets: dict[str, str] = field(default_factory=dict)
    authenticator: Authenticator = field(default_factory=Authenticator)
