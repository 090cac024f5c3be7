"""Fleet operations: kiosk heartbeats and screenshots (kiosk credential), and the staff JSON API
the dashboard reads and commands through (session cookie; CSRF header on changes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend.contracts import ErrorBody, HeartbeatReply, HeartbeatRequest
from backend.db import Database
from backend.deps import CurrentKiosk, DatabaseDep, ReadingSession, Settings
from backend.fleet.events import FleetEvent, FleetEvents
from backend.fleet.sse import sse_stream
from backend.fleet.staff_deps import CsrfCheckedStaff, CurrentStaff, require_role
from backend.fleet.views import (
    AlertView,
    CommandRequest,
    CommandView,
    KioskDetail,
    KioskHistory,
    KioskSummary,
    ScreenshotStored,
    StaffRole,
)
from backend.identity.sealing import DataSealer
from backend.services.fleet_alerts import acknowledge_alert, list_alerts, sweep_offline
from backend.services.fleet_commands import issue_command
from backend.services.fleet_heartbeats import ingest_heartbeat, prune_heartbeats
from backend.services.fleet_screenshots import (
    prune_screenshots,
    screenshot_png,
    store_screenshot,
)
from backend.services.fleet_view import kiosk_detail, kiosk_history, list_kiosks
from backend.services.kiosks import kiosk_sequence_floor
from config.settings import BackendSettings

HEARTBEAT_PATH = "/api/v1/fleet/heartbeat"
SCREENSHOTS_PATH = "/api/v1/fleet/screenshots"

router = APIRouter(prefix="/api/v1/fleet", tags=["fleet"])

STAFF_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
}


def _events(request: Request) -> FleetEvents:
    return request.app.state.fleet_events


def _sealer(request: Request) -> DataSealer:
    return request.app.state.data_sealer


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.fleet_clock
    return clock()


Events = Annotated[FleetEvents, Depends(_events)]
Now = Annotated[datetime, Depends(_now)]
Sealer = Annotated[DataSealer, Depends(_sealer)]


def publish_all(events: FleetEvents, pending: list[FleetEvent]) -> None:
    """Publish what a committed transaction changed."""
    for event in pending:
        events.publish(event.kind, event.data)


def offline_after(settings: BackendSettings) -> timedelta:
    return timedelta(seconds=settings.kiosk_offline_after_seconds)


def run_offline_sweep(
    database: Database, events: FleetEvents, settings: BackendSettings, now: datetime
) -> None:
    pending: list[FleetEvent] = []
    with database.transaction() as session:
        sweep_offline(session, now, offline_after(settings), pending)
    publish_all(events, pending)


def run_history_pruning(database: Database, settings: BackendSettings, now: datetime) -> int:
    """Drop heartbeat history and screenshots past their retention; return rows deleted."""
    with database.transaction() as session:
        pruned = prune_heartbeats(session, now - timedelta(days=settings.fleet_history_days))
        return pruned + prune_screenshots(
            session, now - timedelta(hours=settings.screenshot_retention_hours)
        )


# --- Kiosk side ---------------------------------------------------------------------------


@router.post(
    "/heartbeat",
    response_model=HeartbeatReply,
    responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
def heartbeat(
    body: HeartbeatRequest,
    kiosk: CurrentKiosk,
    database: DatabaseDep,
    settings: Settings,
    events: Events,
    now: Now,
) -> HeartbeatReply:
    """Store the kiosk's health; the reply carries its pending commands, each exactly once."""
    pending: list[FleetEvent] = []
    with database.transaction() as session:
        commands = ingest_heartbeat(
            session, kiosk, body, now, settings.backlog_alert_threshold, pending
        )
        floor = kiosk_sequence_floor(session, kiosk.id)
    publish_all(events, pending)
    return HeartbeatReply(
        received_at=now,
        interval_seconds=settings.heartbeat_interval_seconds,
        commands=commands,
        sequence_floor=floor,
    )


@router.post(
    "/screenshots",
    status_code=201,
    response_model=ScreenshotStored,
    responses={
        401: {"model": ErrorBody},
        409: {"model": ErrorBody, "description": "screenshot_not_requested"},
        413: {"model": ErrorBody, "description": "body_too_large or image_too_large"},
        422: {"model": ErrorBody},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_screenshot(
    request: Request,
    kiosk: CurrentKiosk,
    database: DatabaseDep,
    settings: Settings,
    events: Events,
    now: Now,
    sealer: Sealer,
    command_id: UUID | None = None,
) -> ScreenshotStored:
    """Keep a PNG of the kiosk's screen (body = the PNG bytes), answering the open
    take_screenshot command ``command_id`` of this kiosk; anything else is 409."""
    png = await request.body()

    def _store() -> ScreenshotStored:
        with database.transaction() as session:
            return store_screenshot(
                session, kiosk.id, png, command_id, settings.max_screenshot_bytes, now, sealer
            )

    stored = await run_in_threadpool(_store)
    events.publish(
        "screenshot",
        {
            "kiosk_code": kiosk.code,
            "screenshot_id": stored.screenshot_id,
            "command_id": str(command_id) if command_id else None,
        },
    )
    return stored


# --- Staff side ---------------------------------------------------------------------------


@router.get("/kiosks", response_model=list[KioskSummary], responses=STAFF_ERRORS)
def fleet_kiosks(
    _staff: CurrentStaff, database: DatabaseDep, settings: Settings, events: Events, now: Now
) -> list[KioskSummary]:
    """Every kiosk's latest state; silent kiosks are swept into offline alerts first."""
    run_offline_sweep(database, events, settings, now)
    with database.reading() as session:
        return list_kiosks(session, now, offline_after(settings))


@router.get("/kiosks/{code}", response_model=KioskDetail, responses=STAFF_ERRORS)
def fleet_kiosk(
    code: str,
    _staff: CurrentStaff,
    database: DatabaseDep,
    settings: Settings,
    events: Events,
    now: Now,
) -> KioskDetail:
    run_offline_sweep(database, events, settings, now)
    with database.reading() as session:
        return kiosk_detail(session, code, now, offline_after(settings))


@router.get("/kiosks/{code}/history", response_model=KioskHistory, responses=STAFF_ERRORS)
def fleet_kiosk_history(
    code: str,
    _staff: CurrentStaff,
    session: ReadingSession,
    now: Now,
    hours: Annotated[float, Query(gt=0, le=168)] = 24,
) -> KioskHistory:
    """Per-minute series for charts, and the alerts opened in that time."""
    return kiosk_history(session, code, hours, now)


@router.get(
    "/screenshots/{screenshot_id}",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **STAFF_ERRORS},
)
def fleet_screenshot(
    screenshot_id: int, _staff: CurrentStaff, session: ReadingSession, sealer: Sealer
) -> Response:
    return Response(
        screenshot_png(session, screenshot_id, sealer),
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@router.post(
    "/kiosks/{code}/commands", status_code=201, response_model=CommandView, responses=STAFF_ERRORS
)
def fleet_send_command(
    code: str,
    body: CommandRequest,
    staff: CsrfCheckedStaff,
    database: DatabaseDep,
    events: Events,
    now: Now,
) -> CommandView:
    """Queue a command for the kiosk's next heartbeat (operators: any; technicians: test page
    and screenshot; viewers: none)."""
    pending: list[FleetEvent] = []
    with database.transaction() as session:
        command = issue_command(
            session, code, body.kind, body.note, staff.username, staff.role, now, pending
        )
    publish_all(events, pending)
    return command


@router.get("/alerts", response_model=list[AlertView], responses=STAFF_ERRORS)
def fleet_alerts(
    _staff: CurrentStaff, session: ReadingSession, open: Annotated[bool, Query()] = False
) -> list[AlertView]:
    """Newest first; ``open=1`` for the open ones only."""
    return list_alerts(session, only_open=open)


@router.post(
    "/alerts/{alert_id}/ack",
    response_model=AlertView,
    responses=STAFF_ERRORS,
    dependencies=[Depends(require_role(StaffRole.OPERATOR))],
)
def fleet_ack_alert(
    alert_id: int, staff: CsrfCheckedStaff, database: DatabaseDep, events: Events, now: Now
) -> AlertView:
    pending: list[FleetEvent] = []
    with database.transaction() as session:
        alert = acknowledge_alert(session, alert_id, staff.username, now, pending)
    publish_all(events, pending)
    return alert


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 401: {"model": ErrorBody}},
)
def fleet_events(_staff: CurrentStaff, events: Events, settings: Settings) -> StreamingResponse:
    """Live fleet events as Server-Sent Events (``event:`` kind, ``data:`` JSON)."""
    return StreamingResponse(
        sse_stream(events, settings.fleet_events_ping_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
