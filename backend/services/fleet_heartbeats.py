"""Heartbeat ingestion: the kiosk's state and history, command results, alerts, and the
pending commands that travel back in the reply, all in one transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from backend.contracts import DeviceHealth, DeviceKind, HeartbeatRequest, KioskCommand, PaperLevel
from backend.fleet.events import FleetEvent
from backend.fleet.views import AlertKind
from backend.models import KioskHeartbeat, KioskState
from backend.services.fleet_alerts import (
    KIOSK_WIDE,
    AlertKey,
    open_alerts_of,
    reconcile_alerts,
)
from backend.services.fleet_commands import apply_results, deliver_pending
from backend.services.kiosks import AuthenticatedKiosk

HEARTBEAT_ALERT_KINDS = (
    AlertKind.DEVICE_ERROR,
    AlertKind.PAPER_LOW,
    AlertKind.PAPER_OUT,
    AlertKind.BACKLOG_GROWING,
    AlertKind.OUT_OF_SERVICE,
    AlertKind.SUBMISSIONS_REJECTED,
    AlertKind.SUBMISSIONS_STUCK,
    AlertKind.NUMBERING_REFUSED,
)


def devices_summary(report: HeartbeatRequest) -> str:
    """``camera:ok printer:warning/near_end ...``, short enough for the history table."""
    parts = []
    for device in report.devices:
        part = f"{device.device.value}:{device.health.value}"
        if device.paper is not None:
            part += f"/{device.paper.value}"
        parts.append(part)
    return " ".join(parts)[:200]


def alerts_wanted(
    report: HeartbeatRequest,
    previous_backlog: int,
    backlog_threshold: int,
    backlog_alert_open: bool,
) -> dict[AlertKey, str]:
    """The faults a heartbeat reports, as the alerts that should be open (key -> detail).

    A backlog above the threshold opens an alert only while it grows; an open one stays open
    while the backlog holds and closes once it drains or falls to the threshold.
    """
    wanted: dict[AlertKey, str] = {}
    for device in report.devices:
        name = device.device.value
        is_printer = device.device is DeviceKind.PRINTER
        paper_out = is_printer and device.paper is PaperLevel.OUT
        if paper_out:
            wanted[(AlertKind.PAPER_OUT, name)] = device.detail or "printer is out of paper"
        elif is_printer and device.paper is PaperLevel.NEAR_END:
            wanted[(AlertKind.PAPER_LOW, name)] = device.detail or "printer paper is near its end"
        if device.health is DeviceHealth.ERROR and not paper_out:
            wanted[(AlertKind.DEVICE_ERROR, name)] = device.detail or f"{name} does not work"
    backlog = report.outbox_backlog
    growing = backlog > previous_backlog
    holding = backlog_alert_open and backlog == previous_backlog
    if backlog > backlog_threshold and (growing or holding):
        wanted[(AlertKind.BACKLOG_GROWING, KIOSK_WIDE)] = f"{backlog} submissions waiting"
    if not report.in_service:
        wanted[(AlertKind.OUT_OF_SERVICE, KIOSK_WIDE)] = (
            report.out_of_service_reason or "out of service"
        )
    wanted.update(outbox_trouble(report))
    return wanted


def outbox_trouble(report: HeartbeatRequest) -> dict[AlertKey, str]:
    """Alerts for submissions a kiosk holds but cannot deliver, and citizens it turned away."""
    wanted: dict[AlertKey, str] = {}
    if report.outbox_rejected:
        wanted[(AlertKind.SUBMISSIONS_REJECTED, KIOSK_WIDE)] = (
            f"{report.outbox_rejected} submissions refused by the backend are kept on the kiosk"
        )
    if report.outbox_stuck:
        wanted[(AlertKind.SUBMISSIONS_STUCK, KIOSK_WIDE)] = (
            f"{report.outbox_stuck} submissions keep failing on the backend (server error);"
            " the kiosk retries them with backoff"
        )
    if report.numbering_refused_today:
        wanted[(AlertKind.NUMBERING_REFUSED, KIOSK_WIDE)] = (
            f"{report.numbering_refused_today} citizens today could not be given a case number"
        )
    return wanted


def ingest_heartbeat(
    session: Session,
    kiosk: AuthenticatedKiosk,
    report: HeartbeatRequest,
    now: datetime,
    backlog_threshold: int,
    events: list[FleetEvent],
) -> list[KioskCommand]:
    """Store a heartbeat and return the commands it delivers (now marked delivered)."""
    state = session.get(KioskState, kiosk.id, with_for_update=True)
    previous_backlog = state.outbox_backlog if state is not None else 0
    if state is None:
        state = KioskState(kiosk_id=kiosk.id)
        session.add(state)
    state.last_heartbeat_at = now
    # A kiosk clock without an offset is taken as UTC rather than refused.
    state.sent_at = report.sent_at if report.sent_at.tzinfo else report.sent_at.replace(tzinfo=UTC)
    state.software_version = report.software_version
    state.uptime_seconds = report.uptime_seconds
    state.screen = report.screen
    state.in_service = report.in_service
    state.out_of_service_reason = report.out_of_service_reason
    state.devices = json.dumps([device.model_dump(mode="json") for device in report.devices])
    state.outbox_backlog = report.outbox_backlog
    state.submissions_today = report.submissions_today
    state.outbox_rejected = report.outbox_rejected
    state.outbox_stuck = report.outbox_stuck
    state.numbering_refused_today = report.numbering_refused_today
    summary = devices_summary(report)
    session.add(
        KioskHeartbeat(
            kiosk_id=kiosk.id,
            at=now,
            online=True,
            screen=report.screen,
            outbox_backlog=report.outbox_backlog,
            submissions_today=report.submissions_today,
            devices_summary=summary,
        )
    )
    apply_results(session, kiosk.id, kiosk.code, report.command_results, now, events)

    backlog_open = bool(open_alerts_of(session, kiosk.id, [AlertKind.BACKLOG_GROWING]))
    wanted = alerts_wanted(report, previous_backlog, backlog_threshold, backlog_open)
    managed = (*HEARTBEAT_ALERT_KINDS, AlertKind.KIOSK_OFFLINE)
    reconcile_alerts(session, kiosk.id, kiosk.code, managed, wanted, now, events)

    commands = deliver_pending(session, kiosk.id, kiosk.code, now, events)
    events.append(
        FleetEvent(
            "heartbeat",
            {
                "kiosk_code": kiosk.code,
                "at": now.isoformat(),
                "screen": report.screen,
                "in_service": report.in_service,
                "backlog": report.outbox_backlog,
                "submissions_today": report.submissions_today,
                "outbox_rejected": report.outbox_rejected,
                "outbox_stuck": report.outbox_stuck,
                "devices": summary,
            },
        )
    )
    return commands


def prune_heartbeats(session: Session, before: datetime) -> int:
    """Drop heartbeat history older than ``before``; returns how many rows went."""
    result = session.execute(delete(KioskHeartbeat).where(KioskHeartbeat.at < before))
    return result.rowcount or 0
