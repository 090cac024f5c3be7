"""The real backend on 127.0.0.1 with one kiosk and three staff accounts, and a headless
Chromium driven through selenium; both live for the module to keep the tests quick."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.commands import register_kiosk_command
from backend.migrate import upgrade_database
from backend.server import BackgroundServer
from config.settings import BackendSettings
from tests.backend.browser.fleet_parts import (
    Dashboard,
    HeartbeatKiosk,
    add_staff_users,
    headless_chromium,
)

KIOSK_CODE = "0107"
PASSWORDS = {
    "olga.operator": ("operator", "correct horse battery 1"),
    "timur.tech": ("technician", "correct horse battery 2"),
    "vera.viewer": ("viewer", "correct horse battery 3"),
}
OFFLINE_AFTER_SECONDS = 3.0


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    root = tmp_path_factory.mktemp("fleet")
    settings = BackendSettings(
        var_dir=root / "backend",
        database_url=f"sqlite:///{root / 'station.db'}",
        secret_key="fleet-dashboard-tests-master-secret",
        status_rate_per_minute=10_000,
        heartbeat_interval_seconds=1,
        kiosk_offline_after_seconds=OFFLINE_AFTER_SECONDS,
        fleet_sweep_seconds=0.5,
        fleet_events_ping_seconds=1,
    )
    upgrade_database(settings.resolved_database_url)
    credential = register_kiosk_command(
        settings, KIOSK_CODE, "Yunusobod hall", "Toshkent sh., Yunusobod tumani"
    )
    add_staff_users(settings, PASSWORDS)
    with BackgroundServer(settings, port=0) as server:
        yield Dashboard(server.url, settings, HeartbeatKiosk(server.url, credential), KIOSK_CODE)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chromium() as driver:
        yield driver
