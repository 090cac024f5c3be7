"""Operator commands through heartbeats, staff roles and CSRF on the fleet API, alert acks,
the fleet views and the live event stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.app import create_app
from backend.db import Database
from backend.db_types import utc_now
from backend.fleet.events import FleetEvent, FleetEvents
from backend.fleet.sse import sse_stream
from backend.models import AuditEntry, FleetCommand
from config.settings import BackendSettings
from tests.backend.staff_support import PASSWORD, add_enrolled_user, totp_code
from tests.backend.test_fleet_heartbeats import HEARTBEAT, heartbeat_body
from tests.image_bombs import noise_png

KIOSKS = "/api/v1/fleet/kiosks"


@pytest.fixture
def fast_settings(settings: BackendSettings) -> BackendSettings:
    return settings.model_copy(
        update={"staff_argon2_time_cost": 1, "staff_argon2_memory_kib": 1024}
    )


@pytest.fixture
def app_client(fast_settings: BackendSettings) -> Iterator[TestClient]:
    with TestClient(create_app(fast_settings), base_url="https://testserver") as client:
        yield client


@pytest.fixture
def staff(
    fast_settings: BackendSettings, database: Database
) -> Iterator[Callable[[str], tuple[TestClient, dict[str, str]]]]:
    """Log in a new staff member of a role: their own client and their CSRF header."""
    clients: list[TestClient] = []

    def _login(role: str) -> tuple[TestClient, dict[str, str]]:
        username = f"{role}{len(clients)}"
        secret = add_enrolled_user(fast_settings, database, username, role)
        client = TestClient(create_app(fast_settings), base_url="https://testserver").__enter__()
        clients.append(client)
        response = client.post(
            "/api/v1/staff/login",
            json={"username": username, "password": PASSWORD, "code": totp_code(secret)},
        )
        assert response.status_code == 200, response.text
        return client, {"X-CSRF-Token": response.json()["csrf_token"]}

    yield _login
    for client in clients:
        client.__exit__(None, None, None)


def beat(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post(HEARTBEAT, json=heartbeat_body(**overrides), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_command_is_delivered_exactly_once_and_finished_by_its_result(
    app_client: TestClient,
    kiosk_headers: dict[str, str],
    staff: Callable[[str], tuple[TestClient, dict[str, str]]],
    database: Database,
) -> None:
    operator, csrf = staff("operator")
    sent = operator.post(
        f"{KIOSKS}/0042/commands",
        json={"kind": "out_of_service", "note": "cleaning"},
        headers=csrf,
    )
    assert sent.status_code == 201, sent.text
    command = sent.json()
    assert (command["state"], command["issued_by"]) == ("pending", "operator0")

    first = beat(app_client, kiosk_headers)
    second = beat(app_client, kiosk_headers)
    assert [c["command_id"] for c in first["commands"]] == [command["command_id"]]
    assert first["commands"][0]["kind"] == "out_of_service"
    assert first["commands"][0]["note"] == "cleaning"
    assert second["commands"] == []

    result = {"command_id": command["command_id"], "ok": True, "detail": "now out of service"}
    beat(app_client, kiosk_headers, in_service=False, command_results=[result])
    failed_later = {**result, "ok": False}
    beat(app_client, kiosk_headers, in_service=False, command_results=[failed_later])

    detail = operator.get(f"{KIOSKS}/0042").json()
    (view,) = detail["recent_commands"]
    assert view["state"] == "done" and view["issued_by"] == "operator0"
    assert view["result_detail"] == "now out of service"
    assert view["delivered_at"] is not None and view["finished_at"] is not None
    assert detail["in_service"] is False and detail["open_alerts"] == 1
    with database.reading() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("fleet_command_issued") == 1
    assert actions.count("fleet_command_finished") == 1


def test_failed_result_and_foreign_or_unknown_results_are_handled(
    app_client: TestClient,
    register: Callable[..., str],
    staff: Callable[[str], tuple[TestClient, dict[str, str]]],
    database: Database,
) -> None:
    mine = {"Authorization": f"Bearer {register('0042')}"}
    other = {"Authorization": f"Bearer {register('0043')}"}
    operator, csrf = staff("operator")
    command_id = operator.post(
        f"{KIOSKS}/0042/commands", json={"kind": "restart_app"}, headers=csrf
    ).json()["command_id"]
    beat(app_client, mine)

    bogus = {"command_id": command_id, "ok": True, "detail": "not mine"}
    unknown = {"command_id": "00000000-0000-4000-8000-000000000000", "ok": True}
    beat(app_client, other, command_results=[bogus, unknown])
    with database.reading() as session:
        assert session.scalar(select(FleetCommand.state)) == "delivered"

    beat(
        app_client,
        mine,
        command_results=[{"command_id": command_id, "ok": False, "detail": "busy"}],
    )
    with database.reading() as session:
        stored = session.scalar(select(FleetCommand))
    assert stored is not None
    assert (stored.state, stored.result_detail) == ("failed", "busy")


@pytest.mark.parametrize(
    ("role", "kind", "status"),
    [
        ("viewer", "out_of_service", 403),
        ("technician", "out_of_service", 403),
        ("viewer", "take_screenshot", 403),
        ("technician", "print_test_page", 201),
        ("technician", "take_screenshot", 201),
    ],
)
def test_roles_limit_the_commands_a_staff_member_may_send(
    kiosk_headers: dict[str, str],
    staff: Callable[[str], tuple[TestClient, dict[str, str]]],
    role: str,
    kind: str,
    status: int,
) -> None:
    client, csrf = staff(role)

    response = client.post(f"{KIOSKS}/0042/commands", json={"kind": kind}, headers=csrf)

    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"] == "forbidden"


def test_commands_need_a_valid_csrf_token_and_a_session(
    app_client: TestClient,
    kiosk_headers: dict[str, str],
    staff: Callable[[str], tuple[TestClient, dict[str, str]]],
    database: Database,
) -> None:
    operator, _csrf = staff("operator")
    body = {"kind": "restart_app"}

    missing = operator.post(f"{KIOSKS}/0042/commands", json=body)
    forged = operator.post(f"{KIOSKS}/0042/commands", json=body, headers={"X-CSRF-Token": "x"})
    anonymous = app_client.post(f"{KIOSKS}/0042/commands", json=body, headers={"X-CSRF-Token": "x"})

    assert missing.status_code == forged.status_code == 403
    assert missing.json()["error"] == forged.json()["error"] == "csrf_failed"
    assert anonymous.status_code == 401
    assert app_client.get(KIOSKS).status_code == 401
    with database.reading() as session:
        assert session.scalar(select(FleetCommand)) is None


def test_fleet_views_alerts_ack_and_history(
    app_client: TestClient,
    kiosk_headers: dict[str, str],
    staff: Callable[[str], tuple[TestClient, dict[str, str]]],
) -> None:
    beat(
        app_client,
        kiosk_headers,
        screen="fingerprints",
        outbox_backlog=3,
        devices=[{"device": "printer", "health": "warning", "paper": "near_end"}],
    )
    operator, csrf = staff("operator")
    viewer, viewer_csrf = staff("viewer")

    (kiosk,) = viewer.get(KIOSKS).json()
    assert kiosk["code"] == "0042" and kiosk["online"] is True
    assert (kiosk["screen"], kiosk["backlog"], kiosk["open_alerts"]) == ("fingerprints", 3, 1)
    assert kiosk["devices"][0]["paper"] == "near_end"

    (alert,) = viewer.get("/api/v1/fleet/alerts", params={"open": 1}).json()
    assert (alert["kind"], alert["device"]) == ("paper_low", "printer")
    ack_path = f"/api/v1/fleet/alerts/{alert['id']}/ack"
    assert viewer.post(ack_path, headers=viewer_csrf).status_code == 403
    acked = operator.post(ack_path, headers=csrf)
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "operator0"

    history = viewer.get(f"{KIOSKS}/0042/history", params={"hours": 1}).json()
    assert len(history["points"]) == 60
    assert history["points"][-1]["online"] == 1 and history["points"][-1]["backlog"] == 3
    assert history["points"][0]["online"] == 0
    assert [a["kind"] for a in history["alerts_opened"]] == ["paper_low"]
    assert viewer.get(f"{KIOSKS}/9999").status_code == 404


def test_reading_the_fleet_sweeps_silent_kiosks_offline(
    app_client: TestClient,
    kiosk_headers: dict[str, str],
    staff: Callable[[str], tuple[TestClient, dict[str, str]]],
) -> None:
    beat(app_client, kiosk_headers)
    viewer, _csrf = staff("viewer")
    later = utc_now() + timedelta(minutes=5)
    viewer.app.state.fleet_clock = lambda: later  # type: ignore[attr-defined]

    (kiosk,) = viewer.get(KIOSKS).json()

    assert kiosk["online"] is False and kiosk["open_alerts"] == 1
    (alert,) = viewer.get("/api/v1/fleet/alerts", params={"open": 1}).json()
    assert alert["kind"] == "kiosk_offline"


def test_screenshot_answering_a_command_is_served_to_staff(
    app_client: TestClient,
    kiosk_headers: dict[str, str],
    staff: Callable[[str], tuple[TestClient, dict[str, str]]],
) -> None:
    technician, csrf = staff("technician")
    command_id = technician.post(
        f"{KIOSKS}/0042/commands", json={"kind": "take_screenshot"}, headers=csrf
    ).json()["command_id"]
    png = noise_png(8, 6)
    stored = app_client.post(
        "/api/v1/fleet/screenshots",
        params={"command_id": command_id},
        content=png,
        headers={**kiosk_headers, "Content-Type": "image/png"},
    )
    assert stored.status_code == 201, stored.text
    screenshot_id = stored.json()["screenshot_id"]

    assert technician.get(f"{KIOSKS}/0042").json()["latest_screenshot_id"] == screenshot_id
    image = technician.get(f"/api/v1/fleet/screenshots/{screenshot_id}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == png
    assert app_client.get(f"/api/v1/fleet/screenshots/{screenshot_id}").status_code == 401


def test_events_reach_subscribers_as_server_sent_events() -> None:
    async def scenario() -> list[str]:
        events = FleetEvents()
        stream = sse_stream(events, ping_seconds=0.05)
        frames = [await anext(stream)]  # subscribed
        await asyncio.to_thread(events.publish, "heartbeat", {"kiosk_code": "0042"})
        frames.append(await anext(stream))
        frames.append(await anext(stream))  # idle: a ping
        await stream.aclose()
        assert events.subscriber_count == 0
        return frames

    connected, event, ping = asyncio.run(scenario())

    assert connected.startswith(":") and ping == ": ping\n\n"
    kind_line, data_line, _blank, _end = event.split("\n")
    assert kind_line == "event: heartbeat"
    assert json.loads(data_line.removeprefix("data: ")) == {"kiosk_code": "0042"}


def test_heartbeats_publish_events_to_subscribers(
    app_client: TestClient, kiosk_headers: dict[str, str]
) -> None:
    events: FleetEvents = app_client.app.state.fleet_events  # type: ignore[attr-defined]

    async def received() -> list[FleetEvent]:
        async with events.subscribe() as queue:
            await asyncio.to_thread(beat, app_client, kiosk_headers, in_service=False)
            return [await asyncio.wait_for(queue.get(), 5) for _ in range(2)]

    opened, heartbeat = asyncio.run(received())

    assert (opened.kind, opened.data["kind"]) == ("alert_opened", "out_of_service")
    assert (heartbeat.kind, heartbeat.data["kiosk_code"]) == ("heartbeat", "0042")
    assert app_client.get("/api/v1/fleet/events").status_code == 401
