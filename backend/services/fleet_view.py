"""What the fleet dashboard reads: every kiosk's latest state, one kiosk in detail, history."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import KioskNotFound
from backend.fleet.views import HistoryPoint, KioskDetail, KioskHistory, KioskSummary
from backend.models import FleetAlert, Kiosk, KioskHeartbeat, KioskState
from backend.services.fleet_alerts import alert_view, open_alert_counts, open_alerts_of
from backend.services.fleet_commands import recent_commands
from backend.services.fleet_screenshots import latest_screenshot_id

MAX_HISTORY_HOURS = 24 * 7


def is_online(state: KioskState | None, now: datetime, offline_after: timedelta) -> bool:
    return state is not None and now - state.last_heartbeat_at <= offline_after


def _summary(
    kiosk: Kiosk,
    state: KioskState | None,
    open_alerts: int,
    now: datetime,
    offline_after: timedelta,
) -> KioskSummary:
    return KioskSummary(
        code=kiosk.code,
        name=kiosk.name,
        office=kiosk.office,
        online=is_online(state, now, offline_after),
        last_seen=state.last_heartbeat_at if state else None,
        screen=state.screen if state else None,
        in_service=state.in_service if state else None,
        out_of_service_reason=state.out_of_service_reason if state else None,
        devices=json.loads(state.devices) if state else [],
        backlog=state.outbox_backlog if state else None,
        version=state.software_version if state else None,
        uptime_seconds=state.uptime_seconds if state else None,
        submissions_today=state.submissions_today if state else None,
        outbox_rejected=state.outbox_rejected if state else None,
        outbox_stuck=state.outbox_stuck if state else None,
        numbering_refused_today=state.numbering_refused_today if state else None,
        open_alerts=open_alerts,
    )


def list_kiosks(session: Session, now: datetime, offline_after: timedelta) -> list[KioskSummary]:
    """Every kiosk whose credential is not revoked, by code; never-seen kiosks are offline."""
    rows = session.execute(
        select(Kiosk, KioskState)
        .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
        .where(Kiosk.revoked_at.is_(None))
        .order_by(Kiosk.code)
    ).all()
    counts = open_alert_counts(session)
    return [
        _summary(kiosk, state, counts.get(kiosk.id, 0), now, offline_after) for kiosk, state in rows
    ]


def _kiosk(session: Session, code: str) -> Kiosk:
    kiosk = session.scalar(select(Kiosk).where(Kiosk.code == code))
    if kiosk is None:
        raise KioskNotFound(f"no kiosk {code}")
    return kiosk


def kiosk_detail(
    session: Session, code: str, now: datetime, offline_after: timedelta
) -> KioskDetail:
    kiosk = _kiosk(session, code)
    state = session.get(KioskState, kiosk.id)
    alerts = open_alerts_of(session, kiosk.id)
    summary = _summary(kiosk, state, len(alerts), now, offline_after)
    return KioskDetail(
        **summary.model_dump(),
        recent_commands=recent_commands(session, kiosk.id, kiosk.code),
        alerts=[alert_view(alert, kiosk.code) for alert in alerts],
        latest_screenshot_id=latest_screenshot_id(session, kiosk.id),
    )


def kiosk_history(session: Session, code: str, hours: float, now: datetime) -> KioskHistory:
    """Per-minute series over the last ``hours``: online 0/1, backlog and submissions (the
    highest reported in the minute), and the alerts opened in that time."""
    kiosk = _kiosk(session, code)
    hours = max(1 / 60, min(hours, MAX_HISTORY_HOURS))
    until = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    since = until - timedelta(minutes=round(hours * 60))
    beats = session.execute(
        select(
            KioskHeartbeat.at,
            KioskHeartbeat.online,
            KioskHeartbeat.outbox_backlog,
            KioskHeartbeat.submissions_today,
        )
        .where(KioskHeartbeat.kiosk_id == kiosk.id, KioskHeartbeat.at >= since)
        .order_by(KioskHeartbeat.at)
    ).all()
    buckets: dict[datetime, HistoryPoint] = {}
    for at, online, backlog, submissions in beats:
        minute = at.replace(second=0, microsecond=0)
        point = buckets.get(minute)
        if point is None:
            point = buckets[minute] = HistoryPoint(
                minute=minute, online=0, backlog=None, submissions_today=None
            )
        if online:
            point.online = 1
        point.backlog = max(point.backlog or 0, backlog)
        point.submissions_today = max(point.submissions_today or 0, submissions)
    points = []
    minute = since
    while minute < until:
        points.append(
            buckets.get(minute)
            or HistoryPoint(minute=minute, online=0, backlog=None, submissions_today=None)
        )
        minute += timedelta(minutes=1)
    opened = session.scalars(
        select(FleetAlert)
        .where(FleetAlert.kiosk_id == kiosk.id, FleetAlert.opened_at >= since)
        .order_by(FleetAlert.opened_at)
    )
    return KioskHistory(
        code=kiosk.code,
        since=since,
        until=until,
        points=points,
        alerts_opened=[alert_view(alert, kiosk.code) for alert in opened],
    )
