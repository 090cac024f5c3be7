"""The fleet dashboard's HTML pages: who is sent to sign in, what each page carries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from backend.db import Database
from backend.db_types import utc_now
from backend.fleet.staff_deps import SESSION_COOKIE
from backend.identity.sealing import DataSealer
from backend.routers.dashboard import STATIC_DIR, STATIC_PATH
from backend.services.staff import LoginAttempt, NewSession, add_staff_user, login
from config.settings import BackendSettings
from tests.backend.staff_support import FAST_HASHER, PASSWORD, enrol, totp_code

STATIC_FILES = sorted(path.name for path in STATIC_DIR.iterdir())
ALL_COMMANDS = [
    "out_of_service",
    "back_in_service",
    "restart_app",
    "reload_config",
    "take_screenshot",
    "print_test_page",
]


@pytest.fixture
def sign_in(client, settings: BackendSettings, database: Database) -> Callable[..., None]:
    """Give the client the session cookie of a new staff member with this role (enrolled in
    a second factor unless ``enrolled=False``)."""

    def _sign_in(role: str, enrolled: bool = True) -> None:
        username = f"{role}.one"
        with database.transaction() as session:
            add_staff_user(session, username, PASSWORD, role, hasher=FAST_HASHER)
        code = totp_code(enrol(settings, database, username)) if enrolled else ""
        attempt = LoginAttempt(utc_now(), "testclient", DataSealer.from_settings(settings))
        with database.transaction() as session:
            opened = login(
                session, username, PASSWORD, code, attempt, timedelta(hours=1), FAST_HASHER
            )
        assert isinstance(opened, NewSession), opened
        client.cookies.set(SESSION_COOKIE, opened.token)

    return _sign_in


def test_login_page_is_a_plain_form_with_its_own_scripts(client) -> None:
    response = client.get("/fleet/login")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<label for="username">' in html and '<label for="password">' in html
    assert 'type="password"' in html
    assert f'src="{STATIC_PATH}/login.js"' in html
    # Everything the page loads comes from the backend itself.
    for reference in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert reference.startswith(("/", "#", "data:")), reference
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/fleet", "/fleet/", "/fleet/kiosks/0042"])
@pytest.mark.parametrize("cookie", [None, "a-forged-session-token"])
def test_pages_without_a_live_session_redirect_to_login(
    client, path: str, cookie: str | None
) -> None:
    if cookie is not None:
        client.cookies.set(SESSION_COOKIE, cookie)
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/fleet/login?next={path}"


def test_overview_with_a_session_has_the_table_and_alerts_panel(client, sign_in) -> None:
    sign_in("operator")
    response = client.get("/fleet")
    assert response.status_code == 200
    html = response.text
    assert 'id="kiosk-rows"' in html and 'id="alerts"' in html
    for heading in ("Camera", "Fingerprint", "Printer", "Scanner", "Outbox", "Version"):
        assert f'<th scope="col">{heading}</th>' in html
    assert f'src="{STATIC_PATH}/overview.js"' in html
    assert 'data-role="operator"' in html and "operator.one (operator)" in html


def test_login_page_sends_a_signed_in_member_to_the_overview(client, sign_in) -> None:
    sign_in("viewer")
    response = client.get("/fleet/login", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/fleet"


def test_login_page_asks_for_the_authenticator_code(client) -> None:
    html = client.get("/fleet/login").text
    assert '<label for="code">' in html and 'autocomplete="one-time-code"' in html


@pytest.mark.parametrize("path", ["/fleet", "/fleet/kiosks/0042", "/fleet/login"])
def test_a_session_without_a_second_factor_is_sent_to_the_enrolment(
    client, sign_in, path: str
) -> None:
    sign_in("operator", enrolled=False)
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/fleet/enrol"


def test_enrolment_page_has_the_qr_code_the_code_form_and_its_script(client, sign_in) -> None:
    assert client.get("/fleet/enrol", follow_redirects=False).headers["location"] == (
        "/fleet/login?next=/fleet/enrol"
    )
    sign_in("technician", enrolled=False)
    response = client.get("/fleet/enrol")
    assert response.status_code == 200
    html = response.text
    assert 'id="enrol-qr"' in html and 'id="enrol-secret"' in html
    assert '<label for="enrol-code">' in html and 'id="recovery-codes"' in html
    assert f'src="{STATIC_PATH}/enrol.js"' in html
    assert "img-src 'self' data:" in response.headers["content-security-policy"]


def test_enrolment_page_sends_an_enrolled_member_to_the_overview(client, sign_in) -> None:
    sign_in("viewer")
    response = client.get("/fleet/enrol", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/fleet"


def test_kiosk_page_escapes_the_code(client, sign_in) -> None:
    sign_in("operator")
    response = client.get("/fleet/kiosks/<b>x")
    assert response.status_code == 200
    assert "<b>x" not in response.text and "&lt;b&gt;x" in response.text


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("operator", ALL_COMMANDS),
        ("technician", ["take_screenshot", "print_test_page"]),
        ("viewer", []),
    ],
)
def test_kiosk_page_offers_only_the_commands_of_the_role(
    client, sign_in, role: str, expected: list[str]
) -> None:
    sign_in(role)
    html = client.get("/fleet/kiosks/0042").text
    assert re.findall(r'data-kind="([a-z_]+)"', html) == expected


@pytest.mark.parametrize("name", STATIC_FILES)
def test_static_files_are_served(client, name: str) -> None:
    response = client.get(f"{STATIC_PATH}/{name}")
    assert response.status_code == 200
    assert response.content == (STATIC_DIR / name).read_bytes()


def test_scripts_never_reach_outside_the_backend() -> None:
    for path in STATIC_DIR.glob("*.js"):
        source = path.read_text()
        assert "http://" not in source.replace('"http://www.w3.org/2000/svg"', "")
        assert "https://" not in source
