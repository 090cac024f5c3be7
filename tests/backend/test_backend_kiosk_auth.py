"""Kiosk provisioning, credentials and ``GET /api/v1/kiosks/me``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.contracts import derive_status_link_key
from backend.db import Database
from backend.errors import KioskAlreadyRegistered, KioskCodeInvalid, KioskNotFound
from backend.models import Kiosk
from backend.services.kiosks import hash_secret, revoke_kiosk
from config.settings import BackendSettings


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def test_register_then_whoami(
    client: TestClient, register: Callable[..., str], settings: BackendSettings
) -> None:
    credential = register("0042", "Kiosk 42", "Yunusobod office")
    code, secret = credential.split(".", 1)
    assert code == "0042" and len(secret) >= 40

    response = client.get("/api/v1/kiosks/me", headers=bearer(credential))

    assert response.status_code == 200
    expected_key = derive_status_link_key(settings.resolved_secret_key, "0042").hex()
    assert response.json() == {
        "code": "0042",
        "name": "Kiosk 42",
        "status_link_key": expected_key,
        "public_base_url": settings.public_base_url,
        "sequence_floor": 0,
    }


def test_only_a_hash_of_the_secret_is_stored(
    register: Callable[..., str], database: Database
) -> None:
    credential = register()
    secret = credential.split(".", 1)[1]
    with database.reading() as session:
        kiosk = session.scalar(select(Kiosk))
    assert kiosk is not None
    assert secret not in kiosk.credential_hash
    assert kiosk.credential_hash == hash_secret(secret)


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, "credential_missing"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "credential_malformed"),
        ({"Authorization": "Bearer not-a-credential"}, "credential_malformed"),
        ({"Authorization": "Bearer 42.abc"}, "credential_malformed"),
        ({"Authorization": "Bearer 0042." + "A" * 43}, "credential_invalid"),
        ({"Authorization": "Bearer 9999." + "A" * 43}, "credential_invalid"),
    ],
)
def test_bad_credentials_get_401(
    client: TestClient,
    register: Callable[..., str],
    headers: dict[str, str],
    error: str,
) -> None:
    register()  # kiosk 0042 exists, so a wrong secret for it is tested too
    response = client.get("/api/v1/kiosks/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == error
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_revoked_credential_gets_401(
    client: TestClient, register: Callable[..., str], database: Database
) -> None:
    credential = register()
    with database.transaction() as session:
        revoke_kiosk(session, "0042")
    response = client.get("/api/v1/kiosks/me", headers=bearer(credential))
    assert response.status_code == 401
    assert response.json()["error"] == "credential_revoked"


def test_registering_again_needs_rotate_and_rotation_replaces_the_credential(
    client: TestClient, register: Callable[..., str], database: Database
) -> None:
    old = register()
    with pytest.raises(KioskAlreadyRegistered):
        register()
    assert client.get("/api/v1/kiosks/me", headers=bearer(old)).status_code == 200

    with database.transaction() as session:
        revoke_kiosk(session, "0042")
    new = register(name="Kiosk 42 (moved)", office="Chilonzor office", rotate=True)

    assert new != old
    assert client.get("/api/v1/kiosks/me", headers=bearer(old)).json()["error"] == (
        "credential_invalid"
    )
    me = client.get("/api/v1/kiosks/me", headers=bearer(new))
    assert me.status_code == 200
    assert me.json()["name"] == "Kiosk 42 (moved)"


def test_kiosk_codes_are_four_digits_and_revoking_needs_a_known_kiosk(
    register: Callable[..., str], database: Database
) -> None:
    for bad_code in ("42", "00420", "abcd"):
        with pytest.raises(KioskCodeInvalid):
            register(code=bad_code)
    with pytest.raises(KioskNotFound), database.transaction() as session:
        revoke_kiosk(session, "0777")
