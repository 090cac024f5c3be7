"""Kiosk alerts: opened and closed from heartbeats and the offline sweep, de-duplicated, acked.

At most one alert per (kiosk, kind, device) is open (a partial unique index says so too): the
same fault in many heartbeats refreshes ``last_seen_at``; once fixed the alert closes, and a
later fault opens a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.errors import AlertNotFound
from backend.fleet.events import FleetEvent
from backend.fleet.views import AlertKind, AlertView
from backend.models import FleetAlert, Kiosk, KioskHeartbeat, KioskState

KIOSK_WIDE = ""
DEFAULT_OFFLINE_AFTER = timedelta(seconds=45)

AlertKey = tuple[AlertKind, str]


def alert_view(alert: FleetAlert, kiosk_code: str) -> AlertView:
    return AlertView(
        id=alert.id,
        kiosk_code=kiosk_code,
        kind=AlertKind(alert.kind),
        device=alert.device,
        detail=alert.detail,
        opened_at=alert.opened_at,
        last_seen_at=alert.last_seen_at,
        closed_at=alert.closed_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
    )


def _event(kind: str, alert: FleetAlert, kiosk_code: str) -> FleetEvent:
    return FleetEvent(kind, alert_view(alert, kiosk_code).model_dump(mode="json"))


def open_alerts_of(
    session: Session, kiosk_id: int, kinds: Iterable[AlertKind] | None = None
) -> list[FleetAlert]:
    query = select(FleetAlert).where(
        FleetAlert.kiosk_id == kiosk_id, FleetAlert.closed_at.is_(None)
    )
    if kinds is not None:
        query = query.where(FleetAlert.kind.in_([str(kind) for kind in kinds]))
    return list(session.scalars(query.order_by(FleetAlert.id)))


def reconcile_alerts(
    session: Session,
    kiosk_id: int,
    kiosk_code: str,
    managed: Iterable[AlertKind],
    wanted: Mapping[AlertKey, str],
    now: datetime,
    events: list[FleetEvent],
) -> None:
    """Make the open alerts of the ``managed`` kinds exactly ``wanted`` (key -> detail)."""
    current = {(AlertKind(a.kind), a.device): a for a in open_alerts_of(session, kiosk_id, managed)}
    for key, alert in current.items():
        if key not in wanted:
            alert.closed_at = now
            events.append(_event("alert_closed", alert, kiosk_code))
    for (kind, device), detail in wanted.items():
        alert = current.get((kind, device))
        if alert is not None:
            alert.last_seen_at = now
            alert.detail = detail[:200]
            continue
        alert = FleetAlert(
            kiosk_id=kiosk_id,
            kind=str(kind),
            device=device,
            detail=detail[:200],
            opened_at=now,
            last_seen_at=now,
        )
        session.add(alert)
        session.flush()
        events.append(_event("alert_opened", alert, kiosk_code))


def sweep_offline(
    session: Session,
    now: datetime,
    offline_after: timedelta = DEFAULT_OFFLINE_AFTER,
    events: list[FleetEvent] | None = None,
) -> list[FleetAlert]:
    """Open a kiosk_offline alert (and an offline history row) for every kiosk silent longer
    than ``offline_after`` that has none open yet; a heartbeat closes it."""
    events = events if events is not None else []
    already_open = exists().where(
        FleetAlert.kiosk_id == KioskState.kiosk_id,
        FleetAlert.kind == AlertKind.KIOSK_OFFLINE.value,
        FleetAlert.closed_at.is_(None),
    )
    silent = session.execute(
        select(KioskState, Kiosk.code)
        .join(Kiosk, Kiosk.id == KioskState.kiosk_id)
        .where(
            KioskState.last_heartbeat_at < now - offline_after,
            Kiosk.revoked_at.is_(None),
            ~already_open,
        )
        .with_for_update(of=KioskState, skip_locked=True)
    ).all()
    opened = []
    for state, code in silent:
        silent_for = int((now - state.last_heartbeat_at).total_seconds())
        wanted = {(AlertKind.KIOSK_OFFLINE, KIOSK_WIDE): f"no heartbeat for {silent_for} s"}
        reconcile_alerts(
            session, state.kiosk_id, code, [AlertKind.KIOSK_OFFLINE], wanted, now, events
        )
        session.add(
            KioskHeartbeat(
                kiosk_id=state.kiosk_id,
                at=now,
                online=False,
                screen=state.screen,
                outbox_backlog=state.outbox_backlog,
                submissions_today=state.submissions_today,
                devices_summary="",
            )
        )
        opened.extend(open_alerts_of(session, state.kiosk_id, [AlertKind.KIOSK_OFFLINE]))
    session.flush()
    return opened


def list_alerts(session: Session, only_open: bool, limit: int = 500) -> list[AlertView]:
    query = select(FleetAlert, Kiosk.code).join(Kiosk, Kiosk.id == FleetAlert.kiosk_id)
    if only_open:
        query = query.where(FleetAlert.closed_at.is_(None))
    rows = session.execute(query.order_by(FleetAlert.opened_at.desc()).limit(limit)).all()
    return [alert_view(alert, code) for alert, code in rows]


def open_alert_counts(session: Session) -> dict[int, int]:
    """Open alerts per kiosk id."""
    rows = session.execute(
        select(FleetAlert.kiosk_id, func.count())
        .where(FleetAlert.closed_at.is_(None))
        .group_by(FleetAlert.kiosk_id)
    ).all()
    return {kiosk_id: count for kiosk_id, count in rows}


def open_alerts_by_kind(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(FleetAlert.kind, func.count())
        .where(FleetAlert.closed_at.is_(None))
        .group_by(FleetAlert.kind)
    ).all()
    return {kind: count for kind, count in rows}


def acknowledge_alert(
    session: Session, alert_id: int, username: str, now: datetime, events: list[FleetEvent]
) -> AlertView:
    """Mark an alert as seen by a staff member (again is harmless: the first ack stays)."""
    row = session.execute(
        select(FleetAlert, Kiosk.code)
        .join(Kiosk, Kiosk.id == FleetAlert.kiosk_id)
        .where(FleetAlert.id == alert_id)
    ).first()
    if row is None:
        raise AlertNotFound(f"no alert {alert_id}")
    alert, code = row
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = username
        append_audit(
            session,
            f"staff:{username}",
            "fleet_alert_acknowledged",
            f"alert:{alert.id}",
            {"kiosk": code, "kind": alert.kind, "device": alert.device},
        )
        events.append(_event("alert_acknowledged", alert, code))
    return alert_view(alert, code)
