"""Operator commands to kiosks: issued pending, delivered once in a heartbeat reply, finished
by the result the kiosk reports in a later heartbeat."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.contracts import CommandKind, CommandResult, KioskCommand
from backend.errors import Forbidden, KioskNotFound
from backend.fleet.events import FleetEvent
from backend.fleet.views import CommandState, CommandView, StaffRole
from backend.models import FleetCommand, Kiosk

ALLOWED_COMMANDS: dict[StaffRole, frozenset[CommandKind]] = {
    StaffRole.OPERATOR: frozenset(CommandKind),
    StaffRole.TECHNICIAN: frozenset({CommandKind.PRINT_TEST_PAGE, CommandKind.TAKE_SCREENSHOT}),
    StaffRole.VIEWER: frozenset(),
}


def command_view(command: FleetCommand, kiosk_code: str) -> CommandView:
    return CommandView(
        command_id=command.id,
        kiosk_code=kiosk_code,
        kind=CommandKind(command.kind),
        note=command.note,
        state=CommandState(command.state),
        issued_by=command.issued_by,
        issued_at=command.issued_at,
        delivered_at=command.delivered_at,
        finished_at=command.finished_at,
        result_detail=command.result_detail,
    )


def _changed(command: FleetCommand, kiosk_code: str) -> FleetEvent:
    return FleetEvent("command_changed", command_view(command, kiosk_code).model_dump(mode="json"))


def issue_command(
    session: Session,
    kiosk_code: str,
    kind: CommandKind,
    note: str,
    username: str,
    role: StaffRole,
    now: datetime,
    events: list[FleetEvent],
) -> CommandView:
    """Queue a command for a kiosk's next heartbeat, if the staff member's role allows it."""
    if kind not in ALLOWED_COMMANDS[role]:
        raise Forbidden(f"a {role.value} may not send {kind.value}")
    kiosk = session.scalar(select(Kiosk).where(Kiosk.code == kiosk_code))
    if kiosk is None or kiosk.revoked_at is not None:
        raise KioskNotFound(f"no kiosk {kiosk_code}")
    command = FleetCommand(
        id=uuid.uuid4(),
        kiosk_id=kiosk.id,
        kind=kind.value,
        note=note,
        issued_by=username,
        issued_at=now,
        state=CommandState.PENDING.value,
    )
    session.add(command)
    session.flush()
    append_audit(
        session,
        f"staff:{username}",
        "fleet_command_issued",
        f"kiosk:{kiosk_code}",
        {"command_id": str(command.id), "kind": kind.value, "note": note},
    )
    events.append(_changed(command, kiosk_code))
    return command_view(command, kiosk_code)


def deliver_pending(
    session: Session, kiosk_id: int, kiosk_code: str, now: datetime, events: list[FleetEvent]
) -> list[KioskCommand]:
    """Every pending command of a kiosk, now marked delivered (row-locked: at most once)."""
    pending = session.scalars(
        select(FleetCommand)
        .where(
            FleetCommand.kiosk_id == kiosk_id,
            FleetCommand.state == CommandState.PENDING.value,
        )
        .order_by(FleetCommand.issued_at)
        .with_for_update(skip_locked=True)
    ).all()
    delivered = []
    for command in pending:
        command.state = CommandState.DELIVERED.value
        command.delivered_at = now
        delivered.append(
            KioskCommand(
                command_id=command.id,
                kind=CommandKind(command.kind),
                issued_at=command.issued_at,
                note=command.note,
            )
        )
        events.append(_changed(command, kiosk_code))
    return delivered


def apply_results(
    session: Session,
    kiosk_id: int,
    kiosk_code: str,
    results: Iterable[CommandResult],
    now: datetime,
    events: list[FleetEvent],
) -> int:
    """Finish delivered commands of this kiosk; results for unknown, foreign or already
    finished commands are ignored. Returns how many were applied."""
    applied = 0
    for result in results:
        command = session.get(FleetCommand, result.command_id, with_for_update=True)
        if command is None or command.kiosk_id != kiosk_id:
            continue
        if command.state != CommandState.DELIVERED.value:
            continue
        command.state = (CommandState.DONE if result.ok else CommandState.FAILED).value
        command.finished_at = now
        command.result_detail = result.detail
        append_audit(
            session,
            f"kiosk:{kiosk_code}",
            "fleet_command_finished",
            f"kiosk:{kiosk_code}",
            {"command_id": str(command.id), "state": command.state, "detail": result.detail},
        )
        events.append(_changed(command, kiosk_code))
        applied += 1
    return applied


def recent_commands(
    session: Session, kiosk_id: int, kiosk_code: str, limit: int = 20
) -> list[CommandView]:
    rows = session.scalars(
        select(FleetCommand)
        .where(FleetCommand.kiosk_id == kiosk_id)
        .order_by(FleetCommand.issued_at.desc())
        .limit(limit)
    )
    return [command_view(command, kiosk_code) for command in rows]
