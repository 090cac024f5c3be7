"""Each kiosk's highest stored case sequence: kept on the kiosk row, told to the kiosk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend.contracts import make_case_number
from backend.db import make_engine
from backend.migrate import alembic_config, upgrade_database
from tests.backend.test_fleet_heartbeats import HEARTBEAT, heartbeat_body


def floor(client: TestClient, headers: dict[str, str]) -> int:
    response = client.get("/api/v1/kiosks/me", headers=headers)
    assert response.status_code == 200
    return response.json()["sequence_floor"]


def test_the_floor_rises_with_every_stored_case_and_never_falls(
    client: TestClient,
    kiosk_headers: dict[str, str],
    submit: Callable[..., dict[str, Any]],
    make_submission: Callable[..., dict[str, Any]],
) -> None:
    assert floor(client, kiosk_headers) == 0
    submit(sequence=5)
    assert floor(client, kiosk_headers) == 5
    submit(sequence=3)  # a late offline case with a lower number
    assert floor(client, kiosk_headers) == 5

    taken = client.post("/api/v1/cases", json=make_submission(sequence=9), headers=kiosk_headers)
    assert taken.status_code == 201
    again = client.post("/api/v1/cases", json=make_submission(sequence=9), headers=kiosk_headers)
    assert (again.status_code, again.json()["error"]) == (409, "case_number_taken")
    assert floor(client, kiosk_headers) == 9

    beat = client.post(HEARTBEAT, json=heartbeat_body(), headers=kiosk_headers)
    assert beat.status_code == 200 and beat.json()["sequence_floor"] == 9


def test_each_kiosk_has_its_own_floor(
    client: TestClient,
    register: Callable[..., str],
    kiosk_headers: dict[str, str],
    submit: Callable[..., dict[str, Any]],
) -> None:
    other = {"Authorization": f"Bearer {register('0043', 'Kiosk 43', 'Chilonzor office')}"}
    submit(sequence=12)
    assert (floor(client, kiosk_headers), floor(client, other)) == (12, 0)


def test_rotating_a_credential_keeps_the_floor(
    client: TestClient,
    register: Callable[..., str],
    kiosk_headers: dict[str, str],
    submit: Callable[..., dict[str, Any]],
) -> None:
    submit(sequence=7)
    rotated = {"Authorization": f"Bearer {register(rotate=True)}"}
    assert floor(client, rotated) == 7


def test_the_migration_takes_the_floor_from_the_cases_already_stored(database_url: str) -> None:
    config = alembic_config()
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0005")
            for kiosk_id, code in ((1, "0042"), (2, "0043")):
                connection.execute(
                    text(
                        "INSERT INTO kiosks (id, code, name, office, credential_hash, created_at)"
                        " VALUES (:id, :code, 'k', 'o', 'x', CURRENT_TIMESTAMP)"
                    ),
                    {"id": kiosk_id, "code": code},
                )
            for number, sequence in enumerate((17, 4, 230)):
                connection.execute(
                    text(
                        "INSERT INTO cases (case_number, submission_id, kiosk_id, service_code,"
                        " service_kind, category_code, language, text, state, registered_at,"
                        " updated_at, submitted_at, payload_hash, needs_officer_review)"
                        " VALUES (:number, :sid, 1, 's', 'appeal', 'c', 'en', 't', 'registered',"
                        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :hash, false)"
                    ),
                    {
                        "number": make_case_number("0042", sequence),
                        "sid": f"00000000-0000-0000-0000-00000000000{number}",
                        "hash": str(number),
                    },
                )
        upgrade_database(database_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT code, case_sequence FROM kiosks ORDER BY code"))
            assert rows.all() == [("0042", 230), ("0043", 0)]
    finally:
        engine.dispose()
