"""Kiosk heartbeats: stored state and history, alerts opened, de-duplicated and closed, the
offline sweep, and screenshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.db import Database
from backend.fleet.views import AlertKind
from backend.models import FleetAlert, KioskHeartbeat, KioskScreenshot, KioskState
from backend.services.fleet_alerts import sweep_offline
from backend.services.fleet_heartbeats import prune_heartbeats
from tests.image_bombs import png_bomb

HEARTBEAT = "/api/v1/fleet/heartbeat"
SCREENSHOTS = "/api/v1/fleet/screenshots"
PNG_HEADER = b"\x89PNG\r\n\x1a\n"


def heartbeat_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sent_at": datetime.now(UTC).isoformat(),
        "software_version": "1.4.2",
        "uptime_seconds": 3600,
        "screen": "language",
        "in_service": True,
        "devices": [
            {"device": "camera", "health": "ok"},
            {"device": "printer", "health": "ok", "paper": "ok"},
        ],
        "outbox_backlog": 0,
        "submissions_today": 7,
        "command_results": [],
    }
    body.update(overrides)
    return body


def beat(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post(HEARTBEAT, json=heartbeat_body(**overrides), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def open_alerts(database: Database) -> list[tuple[str, str]]:
    with database.reading() as session:
        rows = session.execute(
            select(FleetAlert.kind, FleetAlert.device)
            .where(FleetAlert.closed_at.is_(None))
            .order_by(FleetAlert.kind)
        ).all()
    return [(kind, device) for kind, device in rows]


def alert_count(database: Database, kind: AlertKind) -> int:
    with database.reading() as session:
        return session.scalar(
            select(func.count()).select_from(FleetAlert).where(FleetAlert.kind == kind.value)
        )


def test_heartbeat_stores_state_and_history(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    reply = beat(client, kiosk_headers, screen="face", outbox_backlog=2, submissions_today=9)
    beat(client, kiosk_headers, screen="payment", outbox_backlog=1, submissions_today=10)

    assert reply["interval_seconds"] == 15
    assert reply["commands"] == []
    with database.reading() as session:
        state = session.scalar(select(KioskState))
        history = session.scalars(select(KioskHeartbeat).order_by(KioskHeartbeat.id)).all()
    assert state is not None
    assert (state.screen, state.outbox_backlog, state.submissions_today) == ("payment", 1, 10)
    assert state.software_version == "1.4.2" and state.in_service
    assert [row.screen for row in history] == ["face", "payment"]
    assert all(row.online for row in history)
    assert history[0].devices_summary == "camera:ok printer:ok/ok"
    assert open_alerts(database) == []


def test_wrong_kiosk_credential_is_refused(
    client: TestClient, register: Callable[..., str]
) -> None:
    code, _secret = register().split(".", 1)
    forged = {"Authorization": f"Bearer {code}.{'x' * 43}"}

    response = client.post(HEARTBEAT, json=heartbeat_body(), headers=forged)
    missing = client.post(HEARTBEAT, json=heartbeat_body())

    assert response.status_code == 401
    assert response.json()["error"] == "credential_invalid"
    assert missing.status_code == 401


def test_same_fault_in_many_heartbeats_is_one_alert_that_closes_and_reopens(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    broken = [
        {"device": "camera", "health": "error", "detail": "no frames"},
        {"device": "printer", "health": "warning", "paper": "near_end"},
    ]
    for _ in range(4):
        beat(client, kiosk_headers, devices=broken)
    assert open_alerts(database) == [("device_error", "camera"), ("paper_low", "printer")]

    beat(client, kiosk_headers)  # both fixed
    assert open_alerts(database) == []

    beat(client, kiosk_headers, devices=broken[:1])  # the camera fails again
    assert open_alerts(database) == [("device_error", "camera")]
    assert alert_count(database, AlertKind.DEVICE_ERROR) == 2
    assert alert_count(database, AlertKind.PAPER_LOW) == 1


def test_paper_out_and_out_of_service_alerts(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    beat(
        client,
        kiosk_headers,
        in_service=False,
        out_of_service_reason="printer out of paper",
        devices=[{"device": "printer", "health": "error", "paper": "out"}],
    )
    # Paper out is its own alert, not also a device error.
    assert open_alerts(database) == [("out_of_service", ""), ("paper_out", "printer")]

    beat(client, kiosk_headers)
    assert open_alerts(database) == []


def test_backlog_alert_opens_only_while_growing_above_the_threshold(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    beat(client, kiosk_headers, outbox_backlog=25)  # up from nothing: growing
    assert open_alerts(database) == [("backlog_growing", "")]
    beat(client, kiosk_headers, outbox_backlog=24)  # draining: closes
    beat(client, kiosk_headers, outbox_backlog=24)  # high but steady: opens nothing
    assert open_alerts(database) == []

    beat(client, kiosk_headers, outbox_backlog=30)
    beat(client, kiosk_headers, outbox_backlog=30)  # holding: stays open
    assert open_alerts(database) == [("backlog_growing", "")]

    beat(client, kiosk_headers, outbox_backlog=18)
    assert open_alerts(database) == []
    assert alert_count(database, AlertKind.BACKLOG_GROWING) == 2


def test_offline_sweep_opens_one_alert_and_a_heartbeat_closes_it(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    beat(client, kiosk_headers)
    with database.reading() as session:
        last = session.scalar(select(KioskState.last_heartbeat_at))
    assert last is not None

    with database.transaction() as session:
        assert sweep_offline(session, last + timedelta(seconds=30)) == []
    with database.transaction() as session:
        opened = sweep_offline(session, last + timedelta(seconds=60))
    with database.transaction() as session:
        again = sweep_offline(session, last + timedelta(seconds=120))

    assert [alert.kind for alert in opened] == ["kiosk_offline"] and again == []
    assert open_alerts(database) == [("kiosk_offline", "")]
    with database.reading() as session:
        offline_rows = session.scalar(
            select(func.count()).select_from(KioskHeartbeat).where(KioskHeartbeat.online.is_(False))
        )
    assert offline_rows == 1

    beat(client, kiosk_headers)
    assert open_alerts(database) == []


def test_oversized_screenshot_is_413_and_not_png_is_422(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    too_big = PNG_HEADER + b"\0" * (2 * 1024 * 1024)
    headers = {**kiosk_headers, "Content-Type": "image/png"}

    big = client.post(SCREENSHOTS, content=too_big, headers=headers)
    jpeg = client.post(SCREENSHOTS, content=b"\xff\xd8\xff\xe0" + b"\0" * 100, headers=headers)

    assert big.status_code == 413
    assert big.json()["error"] == "body_too_large"
    assert jpeg.status_code == 422
    assert jpeg.json()["error"] == "screenshot_invalid"
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(KioskScreenshot)) == 0


def test_a_screenshot_declaring_huge_dimensions_is_413_and_not_stored(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    headers = {**kiosk_headers, "Content-Type": "image/png"}

    bomb = client.post(SCREENSHOTS, content=png_bomb(20000, 20000), headers=headers)
    large = client.post(SCREENSHOTS, content=png_bomb(5000, 5000), headers=headers)
    damaged = client.post(SCREENSHOTS, content=PNG_HEADER + b"screen" * 10, headers=headers)

    assert (bomb.status_code, bomb.json()["error"]) == (413, "image_too_large"), bomb.text
    assert "declares more than" in bomb.json()["detail"]
    assert (large.status_code, large.json()["error"]) == (413, "image_too_large")
    assert "declares 5000x5000 pixels" in large.json()["detail"]
    assert (damaged.status_code, damaged.json()["error"]) == (422, "screenshot_invalid")
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(KioskScreenshot)) == 0


def test_old_history_is_pruned_and_a_naive_kiosk_clock_is_taken_as_utc(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    beat(client, kiosk_headers, sent_at="2026-12-01T10:00:00")
    with database.reading() as session:
        state = session.scalar(select(KioskState))
    assert state is not None
    assert state.sent_at == datetime(2026, 12, 1, 10, tzinfo=UTC)

    with database.transaction() as session:
        kept = prune_heartbeats(session, state.last_heartbeat_at)
        dropped = prune_heartbeats(session, state.last_heartbeat_at + timedelta(seconds=1))

    assert (kept, dropped) == (0, 1)
