"""The functions behind ``station db upgrade`` and the kiosk and audit commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.commands import (
    change_case_state_command,
    migrate,
    register_kiosk_command,
    revoke_kiosk_command,
    verify_audit_command,
)
from backend.contracts import make_case_number
from backend.errors import KioskAlreadyRegistered, TransitionNotAllowed
from backend.migrate import upgrade_database
from config.settings import BackendSettings


@pytest.fixture
def fresh_settings(database_url: str, tmp_path: Path) -> BackendSettings:
    """Settings over an empty, not yet migrated database."""
    return BackendSettings(var_dir=tmp_path / "var", database_url=database_url, secret_key="s")


def test_register_migrates_first_and_the_credential_works(fresh_settings: BackendSettings) -> None:
    credential = register_kiosk_command(fresh_settings, "0107", "Kiosk 107", "Samarqand office")

    with TestClient(create_app(fresh_settings)) as client:
        me = client.get("/api/v1/kiosks/me", headers={"Authorization": f"Bearer {credential}"})
    assert me.status_code == 200
    assert me.json()["code"] == "0107"


def test_rotate_revoke_and_verify(fresh_settings: BackendSettings) -> None:
    migrate(fresh_settings)
    first = register_kiosk_command(fresh_settings, "0107", "Kiosk 107", "Samarqand office")
    with pytest.raises(KioskAlreadyRegistered):
        register_kiosk_command(fresh_settings, "0107", "Kiosk 107", "Samarqand office")
    revoke_kiosk_command(fresh_settings, "0107")
    second = register_kiosk_command(
        fresh_settings, "0107", "Kiosk 107", "Samarqand office", rotate=True
    )
    assert second != first

    with TestClient(create_app(fresh_settings)) as client:
        codes = [
            client.get("/api/v1/kiosks/me", headers={"Authorization": f"Bearer {credential}"})
            for credential in (first, second)
        ]
    assert [response.status_code for response in codes] == [401, 200]
    assert verify_audit_command(fresh_settings) is True


def test_change_case_state_command(fresh_settings: BackendSettings, database_url: str) -> None:
    upgrade_database(database_url)
    credential = register_kiosk_command(fresh_settings, "0107", "Kiosk 107", "Samarqand office")
    number = make_case_number("0107", 1)
    with TestClient(create_app(fresh_settings)) as client:
        created = client.post(
            "/api/v1/cases",
            headers={"Authorization": f"Bearer {credential}"},
            json={
                "submission_id": "5a0f3c1e-8d2b-4c55-9a51-0c2f7e3b9d11",
                "case_number": number,
                "service_code": "general_application",
                "service_kind": "application",
                "category_code": "residence",
                "language": "ru",
                "text": "Сообщаю о смене адреса",
                "consent": True,
                "submitted_at": datetime.now(UTC).isoformat(),
            },
        )
    assert created.status_code == 201

    assert change_case_state_command(fresh_settings, number, "under_review", "officer:2") == (
        "under_review"
    )
    with pytest.raises(TransitionNotAllowed):
        change_case_state_command(fresh_settings, number, "issued", "officer:2")
    assert verify_audit_command(fresh_settings) is True
