"""The real backend on 127.0.0.1 with one kiosk and four staff accounts, and a headless
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
# Signs in for the first time in the enrolment test, so has no authenticator yet.
NEWCOMER = ("nina.new", "correct horse battery 4")
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
        staff_login_delay_seconds=30,
    )
    upgrade_database(settings.resolved_database_url)
    credential = register_kiosk_command(
        settings, KIOSK_CODE, "Yunusobod hall", "Toshkent sh., Yunusobod tumani"
    )
    secrets = add_staff_users(settings, PASSWORDS)
    add_staff_users(settings, {NEWCOMER[0]: ("viewer", NEWCOMER[1])}, enrolled=False)
    with BackgroundServer(settings, port=0) as server:
        kiosk = HeartbeatKiosk(server.url, credential)
        yield Dashboard(server.url, settings, kiosk, KIOSK_CODE, secrets)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chromium() as driver:
        yield driver
