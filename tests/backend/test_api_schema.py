"""The API's schema tells the truth: bounded numbers, real booleans, real error bodies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.backend.test_fleet_heartbeats import HEARTBEAT, heartbeat_body


@pytest.mark.parametrize(
    "field, value",
    [
        ("outbox_backlog", 10**35),
        ("uptime_seconds", 10**35),
        ("submissions_today", True),
        ("uptime_seconds", "7"),
        ("sent_at", 0),
    ],
)
def test_heartbeat_refuses_numbers_out_of_bounds_and_wrong_types(
    client: TestClient, kiosk_headers: dict[str, str], field: str, value: Any
) -> None:
    response = client.post(HEARTBEAT, json=heartbeat_body(**{field: value}), headers=kiosk_headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_failed"
    assert field in response.json()["detail"]


def test_a_command_result_must_be_a_json_boolean(
    client: TestClient, kiosk_headers: dict[str, str]
) -> None:
    result = {"command_id": "e3e70682-c209-1cac-a29f-6fbed82c07cd", "ok": 0, "detail": ""}
    body = heartbeat_body(command_results=[result])
    response = client.post(HEARTBEAT, json=body, headers=kiosk_headers)
    assert response.status_code == 422, response.text


def test_consent_must_be_true_not_one(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Any,
) -> None:
    response = client.post("/api/v1/cases", json=make_submission(consent=1), headers=kiosk_headers)
    assert response.status_code == 422, response.text


def test_schema_documents_the_error_body_and_the_codes_routes_return(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    heartbeat = schema["paths"][HEARTBEAT]["post"]["responses"]
    for code in ("400", "401", "413", "422"):
        assert heartbeat[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
    bounds = schema["components"]["schemas"]["HeartbeatRequest"]["properties"]
    assert bounds["outbox_backlog"]["maximum"] <= 10**9
    screenshots = schema["paths"]["/api/v1/fleet/screenshots"]["post"]["responses"]
    assert "409" in screenshots and "413" in screenshots
