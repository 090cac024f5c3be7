"""The demo's staff accounts: enrolled with the authenticator keys its banner prints, so the
dashboard can be tried at once; and the banner's metrics line carries the scrape token."""

from __future__ import annotations

import io
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from cli.demo import (
    DEMO_STAFF,
    DEMO_STAFF_PASSWORD,
    DEMO_TOTP_SECRETS,
    _enrol_demo_authenticators,
    _staff_rows,
)
from cli.main import main as station
from config.settings import BackendSettings


def test_demo_accounts_sign_in_with_the_printed_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = {
        "STATION_DATABASE_URL": f"sqlite:///{tmp_path / 'station.db'}",
        "STATION_VAR_DIR": str(tmp_path / "var"),
        "STATION_STAFF_ARGON2_TIME_COST": "1",
        "STATION_STAFF_ARGON2_MEMORY_KIB": "1024",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for username, role in DEMO_STAFF:
        monkeypatch.setattr("sys.stdin", io.StringIO(DEMO_STAFF_PASSWORD + "\n"))
        assert station(["staff", "add", username, "--role", role, "--password-stdin"]) == 0

    _enrol_demo_authenticators()
    _enrol_demo_authenticators()  # a second demo run keeps the same keys working

    rows = dict(_staff_rows("http://127.0.0.1:8000", "the-token"))
    assert all(secret in rows["Authenticator keys"] for secret in DEMO_TOTP_SECRETS.values())
    assert "Bearer the-token" in rows["Metrics"] and DEMO_STAFF_PASSWORD in rows["Fleet dashboard"]
    with TestClient(create_app(BackendSettings())) as client:
        for username, _role in DEMO_STAFF:
            code = pyotp.TOTP(DEMO_TOTP_SECRETS[username]).now()
            response = client.post(
                "/api/v1/staff/login",
                json={"username": username, "password": DEMO_STAFF_PASSWORD, "code": code},
            )
            assert response.status_code == 200, response.text
            assert response.json()["enrolment_required"] is False
            assert client.get("/api/v1/fleet/kiosks").status_code == 200
