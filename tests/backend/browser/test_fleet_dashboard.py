"""The fleet dashboard in headless Chromium against the real backend and a kiosk posting
heartbeats over HTTP: sign-in, live online/offline, alerts, commands, roles."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.backend.browser.conftest import OFFLINE_AFTER_SECONDS, PASSWORDS
from tests.backend.browser.fleet_parts import (
    ARTIFACTS_DIR,
    HEALTHY_DEVICES,
    Dashboard,
    HeartbeatKiosk,
    screen_png,
)

WAIT_SECONDS = 10.0
HEARTBEAT_SECONDS = 0.5
MIN_SCREENSHOT_BYTES = 10 * 1024


def wait_for(condition: Callable[[], Any], timeout: float = WAIT_SECONDS) -> Any:
    """Poll until ``condition`` returns something truthy (selenium errors count as "not yet")."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as error:  # the page may be mid-update: a row replaced, a node gone
            last_error = error
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout} s (last error: {last_error})")


def while_beating(kiosk: HeartbeatKiosk, condition: Callable[[], Any]) -> Any:
    """Wait for ``condition`` while the kiosk keeps sending heartbeats, as a live kiosk does
    (a slow page load must not outlast the short offline limit)."""
    last_beat = 0.0

    def beating_condition() -> Any:
        nonlocal last_beat
        if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            kiosk.beat()
            last_beat = time.monotonic()
        return condition()

    return wait_for(beating_condition)


def css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def sign_in(driver: Any, dashboard: Dashboard, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(dashboard.url + "/fleet")
    wait_for(lambda: "/fleet/login" in driver.current_url)
    driver.find_element("id", "username").send_keys(username)
    driver.find_element("id", "password").send_keys(PASSWORDS[username][1])
    code = dashboard.authenticator.code(dashboard.secrets[username])
    driver.find_element("id", "code").send_keys(code)
    driver.find_element("id", "login-submit").click()
    wait_for(lambda: driver.current_url.rstrip("/").endswith("/fleet"))
    wait_for(lambda: username in driver.find_element("id", "who").text)


# The pages rebuild their rows on every update, so rows are read in one script call each:
# an element found in one call may be gone by the next.
def row_cells(driver: Any, code: str) -> list[str] | None:
    """The texts of the kiosk's row in the overview (the kiosk cell first), or None."""
    return driver.execute_script(
        "const row = document.querySelector(`#kiosk-rows tr[data-code='${arguments[0]}']`);"
        "return row ? Array.from(row.cells, (cell) => cell.innerText.trim()) : null;",
        code,
    )


def row_online(driver: Any, code: str) -> str | None:
    return driver.execute_script(
        "const row = document.querySelector(`#kiosk-rows tr[data-code='${arguments[0]}']`);"
        "return row ? row.dataset.online : null;",
        code,
    )


def alert_texts(driver: Any) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#alerts li'), (li) => li.innerText);"
    )


def click_acknowledge(driver: Any, containing: str) -> bool:
    return driver.execute_script(
        "for (const li of document.querySelectorAll('#alerts li')) {"
        "  const button = li.querySelector('button.ack');"
        "  if (button && li.innerText.includes(arguments[0])) { button.click(); return true; }"
        "} return false;",
        containing,
    )


def command_rows(driver: Any) -> list[dict[str, str]]:
    """The kiosk page's command table: kind label, state and the row's text."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#command-rows tr[data-command-id]'),"
        " (row) => ({kind: row.cells[0].innerText, state: row.dataset.state,"
        " text: row.innerText}));"
    )


def command_state(driver: Any, kind_label: str) -> str | None:
    states = [row["state"] for row in command_rows(driver) if row["kind"] == kind_label]
    return states[0] if states else None


def wait_until_live(driver: Any) -> None:
    """The page's event stream is open: from here on, polling is only a slow safety net, so
    changes seen within WAIT_SECONDS came through the stream."""
    wait_for(lambda: driver.execute_script("return document.body.dataset.live") == "open")


def save_screenshot(driver: Any, name: str) -> None:
    driver.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / name
    assert driver.save_screenshot(str(path))
    assert path.stat().st_size > MIN_SCREENSHOT_BYTES, path


def test_wrong_password_stays_on_the_login_page(browser: Any, dashboard: Dashboard) -> None:
    browser.delete_all_cookies()
    browser.get(dashboard.url + "/fleet/login")
    browser.find_element("id", "username").send_keys("olga.operator")
    browser.find_element("id", "password").send_keys("not the password")
    browser.find_element("id", "login-submit").click()
    error = browser.find_element("id", "login-error")
    wait_for(lambda: error.is_displayed())
    assert "Wrong username, password or authenticator code" in error.text
    assert "/fleet/login" in browser.current_url


def test_kiosk_goes_online_offline_and_back_without_reload(
    browser: Any, dashboard: Dashboard
) -> None:
    kiosk = dashboard.kiosk
    kiosk.screen = "fingerprint_capture"
    kiosk.outbox_backlog = 3
    kiosk.submissions_today = 12
    sign_in(browser, dashboard, "olga.operator")
    wait_until_live(browser)
    while_beating(kiosk, lambda: row_online(browser, dashboard.kiosk_code) == "yes")
    browser.execute_script("window.__sameDocument = true")
    cells = row_cells(browser, dashboard.kiosk_code)
    assert cells is not None
    assert cells[0].startswith(dashboard.kiosk_code)
    assert cells[1].startswith("Online")
    assert cells[2] == "Fingerprint capture"
    assert cells[3:7] == ["Ok", "Ok", "Ok", "Ok"]
    assert cells[7:] == ["3", "1.4.2", "1 h 2 min", "12"]
    save_screenshot(browser, "overview_online.png")

    # Silent for longer than the offline limit: the row turns offline by itself.
    wait_for(lambda: row_online(browser, dashboard.kiosk_code) == "no", OFFLINE_AFTER_SECONDS + 8)
    assert row_cells(browser, dashboard.kiosk_code)[1].startswith("Offline")
    save_screenshot(browser, "overview_offline.png")

    while_beating(kiosk, lambda: row_online(browser, dashboard.kiosk_code) == "yes")
    assert browser.execute_script("return window.__sameDocument === true")


def test_paper_out_raises_an_alert_the_operator_acknowledges(
    browser: Any, dashboard: Dashboard
) -> None:
    kiosk = dashboard.kiosk
    sign_in(browser, dashboard, "olga.operator")
    wait_until_live(browser)
    browser.execute_script("window.__sameDocument = true")
    kiosk.devices = [
        *HEALTHY_DEVICES[:2],
        {"device": "printer", "health": "error", "paper": "out", "detail": "paper out"},
        HEALTHY_DEVICES[3],
    ]
    kiosk.beat()

    def paper_alert() -> str | None:
        found = [t for t in alert_texts(browser) if "Paper out" in t and dashboard.kiosk_code in t]
        return found[0] if found else None

    wait_for(paper_alert)
    assert "Paper out" in row_cells(browser, dashboard.kiosk_code)[5]
    save_screenshot(browser, "overview_alert.png")

    assert click_acknowledge(browser, "Paper out")
    wait_for(lambda: "Acknowledged by olga.operator" in (paper_alert() or ""))
    assert "Acknowledge\n" not in paper_alert() + "\n"
    assert browser.execute_script("return window.__sameDocument === true")
    kiosk.devices = list(HEALTHY_DEVICES)
    kiosk.beat()


def test_out_of_service_goes_pending_delivered_done(browser: Any, dashboard: Dashboard) -> None:
    kiosk = dashboard.kiosk
    kiosk.beat()
    sign_in(browser, dashboard, "olga.operator")
    browser.get(f"{dashboard.url}/fleet/kiosks/{dashboard.kiosk_code}")
    wait_for(lambda: css(browser, "#chart-online svg rect"))
    wait_until_live(browser)
    assert len(css(browser, "#chart-online svg rect[fill]")) >= 24

    button = wait_for(
        lambda: [b for b in css(browser, "#command-buttons button") if b.is_displayed()]
    )
    labels = [b.text for b in button]
    assert labels == [
        "Out of service",
        "Back in service",
        "Restart app",
        "Reload configuration",
        "Take screenshot",
        "Print test page",
    ]
    button[0].click()
    wait_for(lambda: command_state(browser, "Out of service") == "pending")
    assert "olga.operator" in command_rows(browser)[0]["text"]

    reply = kiosk.beat()
    delivered = [c for c in reply["commands"] if c["kind"] == "out_of_service"]
    assert len(delivered) == 1
    wait_for(lambda: command_state(browser, "Out of service") == "delivered")

    kiosk.in_service = False
    kiosk.results = [{"command_id": delivered[0]["command_id"], "ok": True, "detail": "closed"}]
    kiosk.beat()
    wait_for(lambda: command_state(browser, "Out of service") == "done")
    wait_for(lambda: "Out of service" in browser.find_element("id", "kiosk-facts").text)
    save_screenshot(browser, "kiosk_commands.png")
    kiosk.in_service = True
    kiosk.beat()


def test_technician_takes_a_screenshot_that_appears_on_the_page(
    browser: Any, dashboard: Dashboard
) -> None:
    kiosk = dashboard.kiosk
    kiosk.beat()
    sign_in(browser, dashboard, "timur.tech")
    browser.get(f"{dashboard.url}/fleet/kiosks/{dashboard.kiosk_code}")
    wait_until_live(browser)
    take = [b for b in css(browser, "#command-buttons button") if b.text == "Take screenshot"]
    take[0].click()
    wait_for(lambda: command_state(browser, "Take screenshot") == "pending")

    command = next(c for c in kiosk.beat()["commands"] if c["kind"] == "take_screenshot")
    kiosk.upload_screenshot(screen_png("Welcome"), command["command_id"])
    kiosk.results = [{"command_id": command["command_id"], "ok": True}]
    kiosk.beat()
    wait_for(lambda: command_state(browser, "Take screenshot") == "done")
    image = browser.find_element("id", "screenshot")
    wait_for(
        lambda: (
            image.is_displayed()
            and browser.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth", image
            )
            == 640
        )
    )
    save_screenshot(browser, "kiosk_screenshot.png")


@pytest.mark.parametrize(
    ("username", "expected"),
    [("timur.tech", ["Take screenshot", "Print test page"]), ("vera.viewer", [])],
)
def test_buttons_follow_the_role(
    browser: Any, dashboard: Dashboard, username: str, expected: list[str]
) -> None:
    dashboard.kiosk.beat()
    sign_in(browser, dashboard, username)
    browser.get(f"{dashboard.url}/fleet/kiosks/{dashboard.kiosk_code}")
    wait_for(lambda: browser.find_element("id", "kiosk-status").text in ("Online", "Offline"))
    shown = [b.text for b in css(browser, "#command-buttons button") if b.is_displayed()]
    assert shown == expected
    browser.get(dashboard.url + "/fleet")
    wait_for(lambda: row_cells(browser, dashboard.kiosk_code))
    if username == "vera.viewer":
        assert not css(browser, "#alerts button.ack")


def test_log_out_returns_to_the_login_page(browser: Any, dashboard: Dashboard) -> None:
    sign_in(browser, dashboard, "olga.operator")
    browser.find_element("id", "logout").click()
    wait_for(lambda: "/fleet/login" in browser.current_url)
    browser.get(dashboard.url + "/fleet")
    wait_for(lambda: "/fleet/login" in browser.current_url)
