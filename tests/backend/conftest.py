"""Fixtures for backend tests: a migrated database (SQLite, plus PostgreSQL when
``STATION_TEST_DATABASE_URL`` is set), the app behind a TestClient, kiosks and submissions."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from starlette.exceptions import StarletteDeprecationWarning

from backend.app import create_app
from backend.contracts import make_case_number
from backend.db import Database
from backend.identity.seeding import seed_demo_registry
from backend.migrate import upgrade_database
from backend.services.kiosks import register_kiosk
from config.settings import BackendSettings
from tests.backend.identity_support import PEOPLE, MemoizingEncoder

with warnings.catch_warnings():
    # Starlette nudges TestClient users towards the httpx2 package; httpx still works and is
    # what the project depends on.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

POSTGRES_URL = os.environ.get("STATION_TEST_DATABASE_URL")
DATABASE_KINDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]

KIOSK_CODE = "0042"
KIOSK_OFFICE = "Toshkent sh., Yunusobod tumani migratsiya boʻlimi"
SECRET_KEY = "test-master-secret-for-status-links"
PUBLIC_BASE_URL = "https://status.example.uz"
CITIZEN_TEXT = "Pasportimni yoʻqotdim, yangisini olmoqchiman. Manzil: Chilonzor 7-mavze"
CITIZEN_PHONE = "+998901234567"


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'station.db'}"
        return
    assert POSTGRES_URL is not None
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def database_kind(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> BackendSettings:
    upgrade_database(database_url)
    return BackendSettings(
        var_dir=tmp_path / "var",
        database_url=database_url,
        secret_key=SECRET_KEY,
        public_base_url=PUBLIC_BASE_URL,
        status_rate_per_minute=10_000,
        max_body_bytes=16 * 1024,
    )


@pytest.fixture
def database(settings: BackendSettings) -> Iterator[Database]:
    database = Database(settings.resolved_database_url, audit_key=settings.resolved_audit_key)
    yield database
    database.dispose()


@pytest.fixture
def client(settings: BackendSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def register(database: Database) -> Callable[..., str]:
    """Provision a kiosk and return its credential."""

    def _register(
        code: str = KIOSK_CODE, name: str = "Kiosk 42", office: str = KIOSK_OFFICE, **kwargs: Any
    ) -> str:
        with database.transaction() as session:
            return register_kiosk(session, code, name, office, **kwargs)

    return _register


@pytest.fixture
def kiosk_headers(register: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {register()}"}


@pytest.fixture
def make_submission() -> Callable[..., dict[str, Any]]:
    """A valid submission as JSON; keyword arguments override fields."""

    def _make(sequence: int = 1, kiosk_code: str = KIOSK_CODE, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "submission_id": str(uuid.uuid4()),
            "case_number": make_case_number(kiosk_code, sequence),
            "service_code": "general_application",  # needs no face, fingers or fee
            "service_kind": "application",
            "category_code": "documents",
            "language": "uz_Latn",
            "text": CITIZEN_TEXT,
            "phone": CITIZEN_PHONE,
            "consent": True,
            "submitted_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }
        body.update(overrides)
        return body

    return _make


@pytest.fixture
def submit(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Callable[..., dict[str, Any]],
) -> Callable[..., dict[str, Any]]:
    """Submit a new case through the API and return the CaseAccepted JSON."""

    def _submit(**overrides: Any) -> dict[str, Any]:
        response = client.post(
            "/api/v1/cases", json=make_submission(**overrides), headers=kiosk_headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    return _submit


# --- Identity ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def face_encoder() -> MemoizingEncoder:
    """The real portrait encoder, shared by the session so each photo is encoded once."""
    return MemoizingEncoder()


@pytest.fixture
def seeded_settings(settings: BackendSettings, face_encoder: MemoizingEncoder) -> BackendSettings:
    """Settings of a database whose registry holds the demo people."""
    seed_demo_registry(settings, PEOPLE, encoder=face_encoder)
    return settings


@pytest.fixture
def identity_app(
    seeded_settings: BackendSettings, face_encoder: MemoizingEncoder
) -> Iterator[Callable[..., TestClient]]:
    """A TestClient factory over the seeded database; keyword arguments override settings."""
    clients: list[TestClient] = []

    def _make(**overrides: Any) -> TestClient:
        app_settings = seeded_settings.model_copy(update=overrides)
        test_client = TestClient(create_app(app_settings, encoder=face_encoder))
        clients.append(test_client.__enter__())
        return test_client

    yield _make
    for test_client in clients:
        test_client.__exit__(None, None, None)
