"""End to end: an operator in headless Chromium takes the real kiosk out of service.

The real Kivy app sends heartbeats to the real backend; the operator logs in to the fleet
dashboard, sends "Out of service", and the kiosk's screen changes; "Take screenshot" brings a
picture of that screen to the kiosk's page; "Back in service" brings the kiosk back. Screenshots
of both sides are kept under var/artifacts/fleet/.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pyotp
import pytest

from backend.commands import register_kiosk_command
from backend.identity.seeding import seed_demo_registry
from backend.migrate import upgrade_database
from backend.server import BackgroundServer
from config.profiles import KioskProfile
from config.settings import BackendSettings
from kiosk.runtime import KioskRuntime
from kiosk.session import Step
from tests.backend.browser.fleet_parts import ARTIFACTS_DIR, add_staff_users, headless_chromium
from tests.backend.identity_support import PEOPLE, MemoizingEncoder
from tests.kiosk.real_parts import RunningBackend

OPERATOR = ("olga.operator", "correct horse battery 1")
OPERATOR_SECRET = pyotp.random_base32()


@pytest.fixture
def kiosk_heartbeats() -> bool:
    return True  # this kiosk reports to the fleet


@pytest.fixture
def station_backend(
    tmp_path: Path, demo_profile: KioskProfile, registry_encoder: MemoizingEncoder
) -> Iterator[RunningBackend]:
    """The real backend answering heartbeats every second, with an operator account; on plain
    http, so the staff cookie is not marked Secure."""
    settings = BackendSettings(
        var_dir=tmp_path / "backend",
        database_url=f"sqlite:///{tmp_path / 'station.db'}",
        secret_key="fleet-e2e-master-secret",
        heartbeat_interval_seconds=1,
        fleet_sweep_seconds=0.5,
        fleet_events_ping_seconds=1,
    )
    upgrade_database(settings.resolved_database_url)
    seed_demo_registry(settings, PEOPLE, encoder=registry_encoder)
    kiosk = demo_profile.kiosk
    credential = register_kiosk_command(settings, kiosk.code, kiosk.name, kiosk.office)
    add_staff_users(
        settings,
        {OPERATOR[0]: ("operator", OPERATOR[1])},
        known_secrets={OPERATOR[0]: OPERATOR_SECRET},
    )
    with BackgroundServer(settings, port=0) as server:
        yield RunningBackend(server.url, credential, settings)


@pytest.fixture
def browser() -> Iterator[Any]:
    with headless_chromium() as driver:
        yield driver


def buttons(driver: Any) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, "#command-buttons button")
    return {button.text: button for button in found if button.is_displayed()}


def text_of(driver: Any, element_id: str) -> str:
    """The element's text, or "" while the page has not drawn it yet."""
    found = driver.find_elements("id", element_id)
    return found[0].text if found else ""


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """1 minus the mean absolute difference of two pictures scaled to one small size."""
    size = (135, 240)
    a = cv2.resize(cv2.cvtColor(first, cv2.COLOR_BGR2GRAY), size).astype(float)
    b = cv2.resize(cv2.cvtColor(second, cv2.COLOR_BGR2GRAY), size).astype(float)
    return 1 - float(np.abs(a - b).mean()) / 255


def test_an_operator_takes_the_kiosk_out_of_service_and_sees_it_in_a_screenshot(
    kiosk_harness, kiosk_runtime: KioskRuntime, station_backend: RunningBackend, browser: Any
) -> None:
    harness = kiosk_harness
    flow = harness.mount_runtime(kiosk_runtime)
    harness.wait_for_screen("language")
    welcome = cv2.imread(str(harness.screenshot("fleet-e2e-language")))

    def wait(condition: Callable[[], Any], what: str, timeout: float = 20) -> None:
        """Keep the kiosk's UI running while the browser side is checked."""
        harness.wait_until(lambda: bool(condition()), timeout=timeout, what=what)

    browser.get(station_backend.url + "/fleet")
    wait(lambda: "/fleet/login" in browser.current_url, "the login page")
    browser.find_element("id", "username").send_keys(OPERATOR[0])
    browser.find_element("id", "password").send_keys(OPERATOR[1])
    browser.find_element("id", "code").send_keys(pyotp.TOTP(OPERATOR_SECRET).now())
    browser.find_element("id", "login-submit").click()
    wait(lambda: OPERATOR[0] in text_of(browser, "who"), "the operator signed in")
    code = kiosk_runtime.profile.kiosk.code
    browser.get(f"{station_backend.url}/fleet/kiosks/{code}")
    wait(lambda: "Online" in text_of(browser, "kiosk-status"), "the kiosk online")
    wait(lambda: "Out of service" in buttons(browser), "the command buttons")

    buttons(browser)["Out of service"].click()
    harness.wait_for_screen(Step.OUT_OF_SERVICE.value, timeout=20)
    assert not flow.in_service
    out_of_service = cv2.imread(str(harness.screenshot("fleet-e2e-out-of-service")))

    buttons(browser)["Take screenshot"].click()
    image = browser.find_element("id", "screenshot")
    wait(
        lambda: (
            image.is_displayed()
            and browser.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth", image
            )
        ),
        "the screenshot on the kiosk's page",
    )
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    png = httpx.get(image.get_attribute("src"), cookies=cookies, timeout=10).content
    shown = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    # The picture on the dashboard is the kiosk's out-of-service screen, not its welcome screen.
    assert similarity(shown, out_of_service) > 0.97
    assert similarity(shown, out_of_service) > similarity(shown, welcome) + 0.02
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(ARTIFACTS_DIR / "kiosk_out_of_service_from_the_kiosk.png"))

    buttons(browser)["Back in service"].click()
    harness.wait_for_screen(Step.LANGUAGE.value, timeout=20)
    assert flow.in_service
    started = time.monotonic()
    wait(lambda: "In service" in text_of(browser, "kiosk-facts"), "back in service")
    assert time.monotonic() - started < 20
    harness.unmount()
