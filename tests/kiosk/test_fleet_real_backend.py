"""The heartbeat against the real backend: accepted, commands delivered, results recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
from sqlalchemy import select

from backend.contracts import CommandKind
from backend.db import Database
from backend.fleet.views import StaffRole
from backend.models import FleetCommand, Kiosk
from backend.services.fleet_commands import issue_command
from config.profiles import KioskProfile
from devices.printer.driver import open_printer
from devices.printer.simulator import PrinterSimulator
from kiosk.backend_client import BackendClient
from kiosk.fleet.wiring import build_heartbeat
from kiosk.outbox import Outbox
from kiosk.runtime import KioskRuntime
from kiosk.session import Step
from tests.kiosk.real_parts import RunningBackend
from tests.kiosk.test_fleet_heartbeat import WITHOUT_BIOMETRICS, sample_png


@pytest.fixture
def database(station_backend: RunningBackend) -> Iterator[Database]:
    database = Database(
        station_backend.settings.resolved_database_url,
        audit_key=station_backend.settings.resolved_audit_key,
    )
    yield database
    database.engine.dispose()


@pytest.fixture
def runtime(kiosk_profile: KioskProfile, kiosk_outbox: Outbox) -> Iterator[KioskRuntime]:
    services = [s for s in kiosk_profile.services if s.code in WITHOUT_BIOMETRICS]
    profile = kiosk_profile.model_copy(update={"services": services})
    running = KioskRuntime(profile, kiosk_outbox, printer=open_printer(profile.devices.printer))
    yield running
    running.printer.close()


def issue(database: Database, code: str, kind: CommandKind, note: str = "") -> UUID:
    with database.transaction() as session:
        view = issue_command(
            session, code, kind, note, "operator1", StaffRole.OPERATOR, datetime.now(UTC), []
        )
    return view.command_id


def command_states(database: Database) -> dict[UUID, tuple[str, str | None]]:
    with database.reading() as session:
        rows = session.scalars(select(FleetCommand)).all()
        return {row.id: (row.state, row.result_detail) for row in rows}


def test_heartbeats_commands_and_results_through_the_real_backend(
    station_backend: RunningBackend,
    database: Database,
    runtime: KioskRuntime,
    printer_simulator: PrinterSimulator,
) -> None:
    code = runtime.profile.kiosk.code
    client = BackendClient(station_backend.url, station_backend.credential, max_attempts=1)
    flow = runtime.make_flow()
    sender = build_heartbeat(runtime, client, flow, capture_screen=sample_png)
    first = sender.beat_once()
    assert first is not None and first.commands == []
    assert sender.interval == station_backend.settings.heartbeat_interval_seconds
    with database.reading() as session:
        kiosk = session.scalar(select(Kiosk).where(Kiosk.code == code))
        assert kiosk is not None

    out = issue(database, code, CommandKind.OUT_OF_SERVICE, "inspection")
    shot = issue(database, code, CommandKind.TAKE_SCREENSHOT)
    page = issue(database, code, CommandKind.PRINT_TEST_PAGE)
    reply = sender.beat_once()
    assert reply is not None
    assert [c.command_id for c in reply.commands] == [out, shot, page]
    assert flow.state.step is Step.OUT_OF_SERVICE
    printer_simulator.wait_for_receipt(after=0)
    assert command_states(database)[out][0] == "delivered"

    assert sender.beat_once() is not None
    states = command_states(database)
    assert states[out] == ("done", "out of service once no citizen is being served")
    assert states[page] == ("done", "test page printed")
    assert states[shot][0] == "done" and int(states[shot][1]) > 0  # the stored screenshot's id
    assert sender.unreported == []
