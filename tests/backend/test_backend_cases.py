"""``POST /api/v1/cases``: registration, idempotency, and everything it refuses."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.contracts import (
    MAX_TEXT_CHARS,
    derive_status_link_key,
    make_case_number,
    make_personal_number,
    status_url,
)
from backend.db import Database
from backend.identity.personal_data import open_case_personal_data
from backend.identity.sealing import DataSealer
from backend.models import Case, CaseEvent
from backend.server import BackgroundServer
from config.settings import BackendSettings

Submission = Callable[..., dict[str, Any]]


def post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return client.post("/api/v1/cases", json=body, headers=headers)


def test_submission_creates_a_case(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    settings: BackendSettings,
    database: Database,
) -> None:
    body = make_submission(sequence=7)

    response = post(client, kiosk_headers, body)

    assert response.status_code == 201
    accepted = response.json()
    assert accepted["case_number"] == body["case_number"]
    assert accepted["created"] is True
    assert accepted["stage"] == "received"
    link_key = derive_status_link_key(settings.resolved_secret_key, "0042")
    assert accepted["status_url"] == status_url(
        settings.public_base_url, link_key, body["case_number"]
    )
    with database.reading() as session:
        case = session.scalar(select(Case))
        assert case is not None
        personal = open_case_personal_data(case, DataSealer.from_settings(settings))
        assert personal.text == body["text"]
        assert personal.phone == body["phone"]
        assert str(case.submission_id) == body["submission_id"]
        assert case.state == "registered"
        events = session.scalars(select(CaseEvent)).all()
        assert [(event.from_state, event.to_state) for event in events] == [(None, "registered")]


def test_same_submission_again_returns_the_same_case(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
) -> None:
    body = make_submission()
    first = post(client, kiosk_headers, body)
    again = post(client, kiosk_headers, body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_same_submission_id_with_other_content_is_a_conflict(
    client: TestClient, kiosk_headers: dict[str, str], make_submission: Submission
) -> None:
    body = make_submission()
    assert post(client, kiosk_headers, body).status_code == 201

    response = post(client, kiosk_headers, {**body, "text": "Something else entirely"})

    assert response.status_code == 409
    assert response.json()["error"] == "submission_conflict"


def test_case_number_of_another_submission_is_taken(
    client: TestClient, kiosk_headers: dict[str, str], make_submission: Submission
) -> None:
    assert post(client, kiosk_headers, make_submission(sequence=3)).status_code == 201

    response = post(client, kiosk_headers, make_submission(sequence=3))

    assert response.status_code == 409
    assert response.json()["error"] == "case_number_taken"


def test_case_number_of_another_kiosk_is_forbidden(
    client: TestClient, kiosk_headers: dict[str, str], make_submission: Submission
) -> None:
    response = post(client, kiosk_headers, make_submission(kiosk_code="0043"))
    assert response.status_code == 403
    assert response.json()["error"] == "case_number_foreign"


def test_submission_needs_a_kiosk_credential(
    client: TestClient, make_submission: Submission
) -> None:
    response = client.post("/api/v1/cases", json=make_submission())
    assert response.status_code == 401
    assert response.json()["error"] == "credential_missing"


def _bad_check_digit() -> str:
    number = make_case_number("0042", 5)
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def _bad_personal_number() -> str:
    number = make_personal_number(date(1990, 5, 17), male=True, region=26, serial=9)
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"case_number": _bad_check_digit()}, "case_number", "check_digit"),
        ({"case_number": "00420000001"}, "case_number", "length"),
        ({"personal_number": _bad_personal_number()}, "personal_number", "check_digit"),
        ({"verification_id": "not-a-uuid"}, "verification_id", "UUID"),
        ({"text": "x" * (MAX_TEXT_CHARS + 1)}, "text", f"at most {MAX_TEXT_CHARS} characters"),
        ({"consent": False}, "consent", "must consent"),
        ({"phone": "901234567"}, "phone", "pattern"),
        ({"phone": "+99890 123 45 67"}, "phone", "pattern"),
        ({"service_kind": "complaint"}, "service_kind", "application"),
        ({"language": "de"}, "language", "uz_Latn"),
        ({"submission_id": "not-a-uuid"}, "submission_id", "UUID"),
    ],
)
def test_invalid_submissions_are_422_with_the_field_named(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    overrides: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    response = post(client, kiosk_headers, make_submission(**overrides))

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    assert f"body.{field}" in body["detail"]
    assert reason in body["detail"]


def test_validation_errors_do_not_echo_personal_data(
    client: TestClient, kiosk_headers: dict[str, str], make_submission: Submission
) -> None:
    body = make_submission(phone="12345-secret-number")
    response = post(client, kiosk_headers, body)
    assert response.status_code == 422
    assert "12345-secret-number" not in response.text


def test_missing_fields_are_named(client: TestClient, kiosk_headers: dict[str, str]) -> None:
    response = client.post("/api/v1/cases", json={"text": "hello"}, headers=kiosk_headers)
    assert response.status_code == 422
    for field in ("submission_id", "case_number", "consent", "submitted_at"):
        assert f"body.{field}" in response.json()["detail"]


def test_oversized_body_is_413_whether_declared_or_streamed(
    client: TestClient, kiosk_headers: dict[str, str], settings: BackendSettings
) -> None:
    # Cases carry fingerprint images, so their route has its own, larger limit.
    oversized = b'{"text": "' + b"x" * settings.max_case_body_bytes + b'"}'
    headers = {**kiosk_headers, "Content-Type": "application/json"}

    declared = client.post("/api/v1/cases", content=oversized, headers=headers)

    def chunks() -> Any:
        for start in range(0, len(oversized), 4096):
            yield oversized[start : start + 4096]

    streamed = client.post("/api/v1/cases", content=chunks(), headers=headers)

    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["error"] == "body_too_large"
    assert "content-length" not in {name.lower() for name in streamed.request.headers}


def test_concurrent_identical_submissions_make_one_case(
    settings: BackendSettings,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
) -> None:
    body = make_submission(submission_id=str(uuid.uuid4()))
    with BackgroundServer(settings, port=0) as server:

        def send(_: int) -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/v1/cases", json=body, headers=kiosk_headers, timeout=20
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(send, range(8)))

    assert sorted(response.status_code for response in responses) == [200] * 7 + [201]
    assert len({response.json()["case_number"] for response in responses}) == 1
    assert sum(response.json()["created"] for response in responses) == 1
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
