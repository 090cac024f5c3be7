"""Signing in to the fleet dashboard in headless Chromium: a newcomer enrols an authenticator
from the QR code and gets recovery codes; a wrong code is refused; a recovery code works."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
from PIL import Image
from pyzbar.pyzbar import decode

from tests.backend.browser.conftest import NEWCOMER, PASSWORDS
from tests.backend.browser.fleet_parts import ARTIFACTS_DIR, Dashboard

WAIT_SECONDS = 10.0


def wait_for(condition: Callable[[], Any], timeout: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception:  # the page may be mid-update; look again
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        time.sleep(0.1)


def fill_login(driver: Any, dashboard: Dashboard, username: str, password: str, code: str) -> None:
    driver.delete_all_cookies()
    driver.get(dashboard.url + "/fleet/login")
    wait_for(lambda: driver.find_element("id", "login-submit"))
    driver.find_element("id", "username").send_keys(username)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("id", "code").send_keys(code)
    driver.find_element("id", "login-submit").click()


def test_a_newcomer_enrols_from_the_qr_code_and_then_signs_in_with_codes(
    browser: Any, dashboard: Dashboard
) -> None:
    username, password = NEWCOMER
    fill_login(browser, dashboard, username, password, "")
    wait_for(lambda: browser.current_url.endswith("/fleet/enrol"))
    browser.get(dashboard.url + "/fleet")  # nothing else is reachable before enrolment
    wait_for(lambda: browser.current_url.endswith("/fleet/enrol"))
    qr = wait_for(lambda: browser.find_element("id", "enrol-qr"))
    wait_for(lambda: qr.is_displayed() and browser.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", qr
    ))  # fmt: skip
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS_DIR / "enrolment.png").write_bytes(browser.get_screenshot_as_png())

    # What a phone's camera reads from the page is the secret printed beside it.
    scanned = decode(Image.open(io.BytesIO(qr.screenshot_as_png)).convert("L"))
    assert len(scanned) == 1, "the QR code on the page does not decode"
    uri = urlparse(scanned[0].data.decode())
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    secret = parse_qs(uri.query)["secret"][0]
    assert browser.find_element("id", "enrol-secret").text == secret

    browser.find_element("id", "enrol-code").send_keys("000000")
    browser.find_element("id", "enrol-submit").click()
    wait_for(lambda: "does not match" in browser.find_element("id", "enrol-error").text)
    totp = pyotp.TOTP(secret)
    browser.find_element("id", "enrol-code").send_keys(totp.now())
    browser.find_element("id", "enrol-submit").click()
    codes = wait_for(
        lambda: [li.text for li in browser.find_elements("css selector", "#recovery-codes li")]
    )
    assert len(codes) == 10
    browser.find_element("id", "enrol-done").click()
    wait_for(lambda: browser.current_url.rstrip("/").endswith("/fleet"))
    wait_for(lambda: username in browser.find_element("id", "who").text)

    fill_login(browser, dashboard, username, password, "123456")
    error = wait_for(lambda: browser.find_element("id", "login-error").text)
    assert "authenticator code" in error and "/fleet/login" in browser.current_url

    fill_login(browser, dashboard, username, password, codes[0])
    wait_for(lambda: browser.current_url.rstrip("/").endswith("/fleet"))
    wait_for(lambda: username in browser.find_element("id", "who").text)


def test_repeated_failures_tell_how_long_to_wait(browser: Any, dashboard: Dashboard) -> None:
    username = "vera.viewer"
    for _ in range(dashboard.settings.staff_login_free_failures + 1):
        fill_login(browser, dashboard, username, "not the password", "")
        wait_for(lambda: browser.find_element("id", "login-error").text)

    right_code = dashboard.authenticator.code(dashboard.secrets[username])
    fill_login(browser, dashboard, username, PASSWORDS[username][1], right_code)

    error = wait_for(lambda: browser.find_element("id", "login-error").text)
    assert "Too many failed attempts. Try again in" in error and "seconds" in error
    assert "/fleet/login" in browser.current_url
