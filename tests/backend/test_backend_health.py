"""Health check and API documentation."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from backend.app import create_app
from config.settings import BackendSettings


def test_health_reports_ok_with_version(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["version"] and body["version"] != "unknown"


def test_health_is_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    # Nothing listens on port 1; the connection is refused at once.
    settings = BackendSettings(
        var_dir=tmp_path,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
        secret_key="k",
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error"


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/health",
        "/api/v1/kiosks/me",
        "/api/v1/cases",
        "/api/v1/cases/{case_number}/status",
        "/api/v1/status/{case_number}/{tag}",
    ):
        assert path in paths
    assert "KioskCredential" in schema["components"]["securitySchemes"]
    assert "CaseSubmission" in schema["components"]["schemas"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_unknown_route_gives_an_error_body(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not Found"}
