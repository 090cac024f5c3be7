"""The staff second factor: enrolment on first login (QR code, first code, recovery codes),
codes at login (each once), recovery codes (each once), the sealed secret and
``station staff reset-2fa``."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.app import create_app
from backend.db import Database
from backend.identity.sealing import DataSealer
from backend.models import AuditEntry, StaffRecoveryCode, StaffSession, StaffUser
from backend.services.staff import add_staff_user
from backend.services.staff_totp import open_secret
from cli.main import main as station
from config.settings import BackendSettings
from tests.backend.staff_support import (
    FAST_COSTS,
    FAST_HASHER,
    PASSWORD,
    add_enrolled_user,
    totp_code,
)

LOGIN = "/api/v1/staff/login"
ENROLMENT = "/api/v1/staff/2fa/enrolment"
CONFIRM = "/api/v1/staff/2fa/confirm"
KIOSKS = "/api/v1/fleet/kiosks"


@pytest.fixture
def fast_settings(settings: BackendSettings) -> BackendSettings:
    return settings.model_copy(update=FAST_COSTS)


@pytest.fixture
def staff_client(fast_settings: BackendSettings) -> Iterator[TestClient]:
    with TestClient(create_app(fast_settings), base_url="https://testserver") as client:
        yield client


def log_in(client: TestClient, code: str = "", username: str = "alice") -> dict[str, str]:
    response = client.post(LOGIN, json={"username": username, "password": PASSWORD, "code": code})
    assert response.status_code == 200, response.text
    return response.json()


def enrol_through_the_api(client: TestClient) -> tuple[str, list[str], dict[str, str]]:
    """First login, enrolment and confirmation; the secret, recovery codes and CSRF header."""
    body = log_in(client)
    assert body["enrolment_required"] is True
    csrf = {"X-CSRF-Token": body["csrf_token"]}
    enrolment = client.post(ENROLMENT, headers=csrf).json()
    secret = enrolment["secret"]
    codes = client.post(CONFIRM, json={"code": totp_code(secret)}, headers=csrf)
    assert codes.status_code == 200, codes.text
    return secret, codes.json()["recovery_codes"], csrf


def test_first_login_reaches_only_the_enrolment_until_a_code_confirms_it(
    staff_client: TestClient, fast_settings: BackendSettings, database: Database
) -> None:
    with database.transaction() as session:
        add_staff_user(session, "alice", PASSWORD, "operator", hasher=FAST_HASHER)

    body = log_in(staff_client)
    csrf = {"X-CSRF-Token": body["csrf_token"]}

    assert body["enrolment_required"] is True
    blocked = staff_client.get(KIOSKS)
    assert blocked.status_code == 403 and blocked.json()["error"] == "enrolment_required"
    page = staff_client.get("/fleet", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/fleet/enrol"
    assert staff_client.post(ENROLMENT).status_code == 403  # CSRF still applies
    enrolment = staff_client.post(ENROLMENT, headers=csrf).json()
    assert staff_client.post(ENROLMENT, headers=csrf).json() == enrolment  # until confirmed
    secret = enrolment["secret"]
    assert enrolment["provisioning_uri"].startswith("otpauth://totp/Smart%20Station:alice?")
    assert f"secret={secret}" in enrolment["provisioning_uri"]
    svg = base64.b64decode(enrolment["qr_code"].removeprefix("data:image/svg+xml;base64,"))
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg and b"<path" in svg

    wrong = staff_client.post(CONFIRM, json={"code": "000000"}, headers=csrf)
    assert wrong.status_code == 422 and wrong.json()["error"] == "code_invalid"
    assert staff_client.get(KIOSKS).status_code == 403
    confirmed = staff_client.post(CONFIRM, json={"code": totp_code(secret)}, headers=csrf)

    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert staff_client.get(KIOSKS).status_code == 200
    again = staff_client.post(ENROLMENT, headers=csrf)
    assert again.status_code == 409 and again.json()["error"] == "second_factor_enrolled"
    with database.reading() as session:
        user = session.scalar(select(StaffUser))
        assert user is not None and user.totp_secret is not None
        assert secret.encode() not in user.totp_secret  # sealed, not stored in the clear
        assert open_secret(DataSealer.from_settings(fast_settings), user) == secret
        hashes = list(session.scalars(select(StaffRecoveryCode.code_hash)))
        actions = list(session.scalars(select(AuditEntry.action)))
    assert len(hashes) == 10 and all(value.startswith("$argon2id$") for value in hashes)
    assert not any(code.replace("-", "") in value for code in codes for value in hashes)
    assert "staff_2fa_enrolled" in actions


def test_an_enrolled_account_needs_its_code_and_each_code_works_once(
    staff_client: TestClient, fast_settings: BackendSettings, database: Database
) -> None:
    secret = add_enrolled_user(fast_settings, database, "alice")

    for code in ("", "123", totp_code(secret, steps_ahead=3)):
        response = staff_client.post(
            LOGIN, json={"username": "alice", "password": PASSWORD, "code": code}
        )
        assert response.status_code == 401 and response.json()["error"] == "login_failed"
    code = totp_code(secret)
    body = log_in(staff_client, code)
    replayed = staff_client.post(
        LOGIN, json={"username": "alice", "password": PASSWORD, "code": code}
    )

    assert body["enrolment_required"] is False
    assert staff_client.get(KIOSKS).status_code == 200
    assert replayed.status_code == 401
    log_in(staff_client, totp_code(secret, steps_ahead=1))  # the next step's code is still new
    with database.reading() as session:
        failures = list(
            session.scalars(
                select(AuditEntry.details).where(AuditEntry.action == "staff_login_failed")
            )
        )
    assert len(failures) == 4 and all("wrong_second_factor" in entry for entry in failures)


def test_a_recovery_code_signs_in_once(staff_client: TestClient, database: Database) -> None:
    with database.transaction() as session:
        add_staff_user(session, "alice", PASSWORD, "operator", hasher=FAST_HASHER)
    _secret, codes, csrf = enrol_through_the_api(staff_client)
    assert staff_client.post("/api/v1/staff/logout", headers=csrf).status_code == 204

    body = log_in(staff_client, codes[3].upper())
    again = staff_client.post(
        LOGIN, json={"username": "alice", "password": PASSWORD, "code": codes[3]}
    )

    assert body["enrolment_required"] is False
    assert again.status_code == 401
    with database.reading() as session:
        used = list(
            session.scalars(select(StaffRecoveryCode).where(StaffRecoveryCode.used_at.is_not(None)))
        )
        login_details = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "staff_login")
        ).all()
    assert len(used) == 1
    assert '"second_factor": "recovery_code"' in login_details[-1]


def test_station_staff_reset_2fa_makes_the_account_enrol_again(
    staff_client: TestClient,
    fast_settings: BackendSettings,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = add_enrolled_user(fast_settings, database, "alice")
    log_in(staff_client, totp_code(secret))
    monkeypatch.setenv("STATION_DATABASE_URL", fast_settings.resolved_database_url)
    monkeypatch.setenv("STATION_VAR_DIR", str(fast_settings.var_dir))
    monkeypatch.setenv("STATION_SECRET_KEY", str(fast_settings.secret_key))
    assert station(["staff", "list"]) == 0
    assert "authenticator" in capsys.readouterr().out

    assert station(["staff", "reset-2fa", "alice"]) == 0
    assert station(["staff", "reset-2fa", "nobody"]) == 1

    assert staff_client.get(KIOSKS).status_code == 401  # the sessions ended
    assert log_in(staff_client)["enrolment_required"] is True
    with database.reading() as session:
        assert session.scalar(select(StaffSession.enrolment_only)) is True
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "staff_2fa_reset"))
    assert entry is not None and entry.subject == "staff:alice" and entry.actor == "cli"
    capsys.readouterr()
    assert station(["staff", "list"]) == 0
    assert "not enrolled" in capsys.readouterr().out
