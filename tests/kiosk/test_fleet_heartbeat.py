"""The heartbeat sender and command executor against a backend speaking the fleet contract
(an HTTP stand-in on 127.0.0.1), with the real printer simulator and outbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from uuid import UUID, uuid4

import cv2
import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI, Header, HTTPException, Request, Response

from backend.contracts import (
    CaseSubmission,
    CommandKind,
    DeviceHealth,
    DeviceKind,
    HeartbeatReply,
    HeartbeatRequest,
    KioskCommand,
    PaperLevel,
    make_case_number,
)
from config.profiles import KioskProfile
from devices.printer.driver import open_printer
from devices.printer.simulator import PrinterSimulator
from kiosk.backend_client import BackendClient
from kiosk.fleet.commands import RESTART_EXIT_CODE
from kiosk.fleet.heartbeat import HeartbeatSender
from kiosk.fleet.wiring import build_heartbeat
from kiosk.flow import KioskFlow
from kiosk.outbox import Outbox
from kiosk.runtime import KioskRuntime, build_runtime
from kiosk.session import Step
from tests.kiosk.real_parts import DEMO_PROFILE

CREDENTIAL = "0001.fleet-test-secret"
REPLY_INTERVAL = 7.5
WITHOUT_BIOMETRICS = ("general_application", "mahalla_appeal")


class FleetStandIn:
    """The two kiosk-side fleet endpoints, keeping what they receive."""

    def __init__(self) -> None:
        self.heartbeats: list[HeartbeatRequest] = []
        self.queued: list[KioskCommand] = []
        self.screenshots: list[tuple[UUID, bytes]] = []
        self.failing = False
        self.app = FastAPI()
        self.app.post("/api/v1/fleet/heartbeat", response_model=HeartbeatReply)(self._heartbeat)
        self.app.post("/api/v1/fleet/screenshots", status_code=201)(self._screenshot)

    def queue(self, kind: CommandKind, note: str = "") -> KioskCommand:
        command = KioskCommand(
            command_id=uuid4(), kind=kind, issued_at=datetime.now(UTC), note=note
        )
        self.queued.append(command)
        return command

    def _heartbeat(
        self, body: HeartbeatRequest, authorization: str = Header("")
    ) -> HeartbeatReply | Response:
        if authorization != f"Bearer {CREDENTIAL}":
            raise HTTPException(401)
        if self.failing:
            return Response(status_code=503)
        self.heartbeats.append(body)
        commands, self.queued = self.queued, []
        return HeartbeatReply(
            received_at=datetime.now(UTC), interval_seconds=REPLY_INTERVAL, commands=commands
        )

    async def _screenshot(self, request: Request, command_id: UUID) -> dict[str, object]:
        png = await request.body()
        if not png.startswith(b"\x89PNG"):
            raise HTTPException(422)
        self.screenshots.append((command_id, png))
        return {"screenshot_id": len(self.screenshots), "size_bytes": len(png)}


@pytest.fixture
def stand_in() -> Iterator[tuple[FleetStandIn, str]]:
    backend = FleetStandIn()
    server = uvicorn.Server(
        uvicorn.Config(backend.app, host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "stand-in did not start"
        time.sleep(0.01)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    yield backend, f"http://{host}:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def plain_profile(kiosk_profile: KioskProfile) -> KioskProfile:
    """The demo kiosk (printer at the simulator) with only services needing no biometrics."""
    services = [s for s in kiosk_profile.services if s.code in WITHOUT_BIOMETRICS]
    return kiosk_profile.model_copy(update={"services": services})


@pytest.fixture
def runtime(plain_profile: KioskProfile, kiosk_outbox: Outbox) -> Iterator[KioskRuntime]:
    running = KioskRuntime(
        plain_profile, kiosk_outbox, printer=open_printer(plain_profile.devices.printer)
    )
    yield running
    if running.printer is not None:
        running.printer.close()


class Fleet:
    """A flow and a heartbeat over the runtime, posting to the stand-in."""

    def __init__(self, runtime: KioskRuntime, url: str, **options: object) -> None:
        self.flow: KioskFlow = runtime.make_flow()
        self.client = BackendClient(url, CREDENTIAL, timeout=5, max_attempts=1)
        self.restarts: list[int] = []
        options.setdefault("capture_screen", sample_png)
        options.setdefault("restart", self.restarts.append)
        self.sender: HeartbeatSender = build_heartbeat(runtime, self.client, self.flow, **options)


def sample_png() -> bytes:
    image = np.full((120, 200, 3), (30, 80, 140), np.uint8)
    return cv2.imencode(".png", image)[1].tobytes()


def submission(sequence: int) -> CaseSubmission:
    return CaseSubmission(
        submission_id=uuid4(),
        case_number=make_case_number("0001", sequence),
        service_code="mahalla_appeal",
        service_kind="appeal",
        category_code="public_order",
        language="ru",
        text="The street lamp has been broken for a month",
        consent=True,
        submitted_at=datetime.now(UTC),
    )


def results_by_id(request: HeartbeatRequest) -> dict[UUID, tuple[bool, str]]:
    return {r.command_id: (r.ok, r.detail) for r in request.command_results}


def test_a_heartbeat_reports_health_backlog_and_screen(stand_in, runtime) -> None:
    backend, url = stand_in
    runtime.outbox.add(submission(1))
    runtime.outbox.add(submission(2))
    fleet = Fleet(runtime, url)
    reply = fleet.sender.beat_once()
    assert reply is not None and reply.commands == []
    (sent,) = backend.heartbeats
    assert sent.software_version == metadata.version("smart-station")
    assert (sent.screen, sent.in_service, sent.out_of_service_reason) == ("language", True, None)
    assert (sent.outbox_backlog, sent.submissions_today) == (2, 2)
    devices = {report.device: report for report in sent.devices}
    assert devices[DeviceKind.PRINTER].health is DeviceHealth.OK
    assert devices[DeviceKind.PRINTER].paper is PaperLevel.OK
    assert devices[DeviceKind.CAMERA].health is DeviceHealth.ABSENT
    assert devices[DeviceKind.FINGERPRINT].health is DeviceHealth.ABSENT
    assert devices[DeviceKind.SCANNER].health is DeviceHealth.ERROR  # none was opened
    assert fleet.sender.interval == REPLY_INTERVAL  # the backend's word counts


def test_commands_run_and_their_results_come_with_the_next_heartbeat(
    stand_in, runtime, printer_simulator: PrinterSimulator
) -> None:
    backend, url = stand_in
    fleet = Fleet(runtime, url)
    out = backend.queue(CommandKind.OUT_OF_SERVICE, "cleaning")
    page = backend.queue(CommandKind.PRINT_TEST_PAGE)
    shot = backend.queue(CommandKind.TAKE_SCREENSHOT)
    receipts_before = len(printer_simulator.receipts)
    fleet.sender.beat_once()
    assert fleet.flow.state.step is Step.OUT_OF_SERVICE
    printer_simulator.wait_for_receipt(after=receipts_before)
    assert [command_id for command_id, _png in backend.screenshots] == [shot.command_id]
    fleet.sender.beat_once()
    second = backend.heartbeats[1]
    assert results_by_id(second) == {
        out.command_id: (True, "out of service once no citizen is being served"),
        page.command_id: (True, "test page printed"),
        shot.command_id: (True, "1"),
    }
    assert (second.in_service, second.out_of_service_reason) == (False, "operator: cleaning")
    assert fleet.sender.unreported == []
    back = backend.queue(CommandKind.BACK_IN_SERVICE)
    fleet.sender.beat_once()
    fleet.sender.beat_once()
    assert fleet.flow.state.step is Step.LANGUAGE
    assert results_by_id(backend.heartbeats[-1]) == {
        back.command_id: (True, "back in service unless a needed device is down")
    }
    assert backend.heartbeats[-1].in_service


def test_results_wait_for_a_heartbeat_that_gets_through(stand_in, runtime) -> None:
    backend, url = stand_in
    fleet = Fleet(runtime, url)
    command = backend.queue(CommandKind.OUT_OF_SERVICE)
    fleet.sender.beat_once()
    backend.failing = True
    assert fleet.sender.beat_once() is None
    assert fleet.sender.last_error is not None
    assert [r.command_id for r in fleet.sender.unreported] == [command.command_id]
    backend.failing = False
    fleet.sender.beat_once()
    assert command.command_id in results_by_id(backend.heartbeats[-1])
    assert fleet.sender.unreported == []


def test_a_command_delivered_twice_runs_once(
    stand_in, runtime, printer_simulator: PrinterSimulator
) -> None:
    backend, url = stand_in
    fleet = Fleet(runtime, url)
    command = backend.queue(CommandKind.PRINT_TEST_PAGE)
    fleet.sender.beat_once()
    printer_simulator.wait_for_receipt(after=0)
    backend.queued.append(command)
    fleet.sender.beat_once()
    fleet.sender.beat_once()
    time.sleep(0.3)
    assert len(printer_simulator.receipts) == 1


def test_a_failing_command_is_reported_not_ok(
    stand_in, runtime, printer_simulator: PrinterSimulator
) -> None:
    backend, url = stand_in
    fleet = Fleet(runtime, url)
    printer_simulator.control("paper out")
    page = backend.queue(CommandKind.PRINT_TEST_PAGE)
    reload = backend.queue(CommandKind.RELOAD_CONFIG)  # this runtime knows no profile file
    fleet.sender.beat_once()
    fleet.sender.beat_once()
    results = results_by_id(backend.heartbeats[-1])
    assert results[page.command_id][0] is False
    assert "paper" in results[page.command_id][1].lower()
    assert results[reload.command_id] == (False, "this kiosk does not know its profile file")


def test_a_needed_device_down_takes_the_kiosk_out_until_it_is_back(
    stand_in, runtime, printer_simulator: PrinterSimulator
) -> None:
    backend, url = stand_in
    fleet = Fleet(runtime, url)
    printer_simulator.control("paper near-end")
    fleet.sender.beat_once()
    assert fleet.flow.state.step is Step.LANGUAGE  # near its end still prints
    printer_simulator.control("paper out")
    fleet.sender.beat_once()
    assert fleet.flow.state.step is Step.OUT_OF_SERVICE
    sent = backend.heartbeats[-1]
    assert (sent.in_service, sent.out_of_service_reason) == (False, "device down: printer")
    printer_simulator.control("paper ok")
    fleet.sender.beat_once()
    assert fleet.flow.state.step is Step.LANGUAGE
    assert backend.heartbeats[-1].in_service


def test_reload_config_takes_the_profile_file_again(stand_in, runtime, tmp_path: Path) -> None:
    backend, url = stand_in
    profile_file = tmp_path / "kiosk.toml"
    text = DEMO_PROFILE.read_text()
    profile_file.write_text(
        text.replace("[payment]", "[fleet]\nheartbeat_seconds = 42\n\n[payment]")
    )
    runtime.profile_path = profile_file
    fleet = Fleet(runtime, url)
    command = backend.queue(CommandKind.RELOAD_CONFIG)
    fleet.sender.beat_once()
    assert fleet.sender.interval == 42
    assert runtime.profile.fleet.heartbeat_seconds == 42
    assert fleet.flow.profile.fleet.heartbeat_seconds == 42
    assert len(fleet.flow.profile.services) == 5  # the file's services replace the two
    ok, detail = fleet.sender.unreported[0].ok, fleet.sender.unreported[0].detail
    assert ok and detail.endswith("heartbeat 42 s") and "passport" in detail
    profile_file.write_text("not = [valid")
    broken = backend.queue(CommandKind.RELOAD_CONFIG)
    fleet.sender.beat_once()
    fleet.sender.beat_once()
    assert results_by_id(backend.heartbeats[1])[command.command_id][0]
    ok, detail = results_by_id(backend.heartbeats[2])[broken.command_id]
    assert not ok and detail.startswith("cannot load")
    assert fleet.flow.profile.fleet.heartbeat_seconds == 42  # nothing half-applied


def test_restart_reports_its_result_before_ending(stand_in, runtime) -> None:
    backend, url = stand_in
    heartbeats_at_restart: list[int] = []
    fleet = Fleet(runtime, url)

    def restart(code: int) -> None:
        heartbeats_at_restart.append(len(backend.heartbeats))
        fleet.restarts.append(code)

    fleet.sender.executor.hooks.restart = restart
    command = backend.queue(CommandKind.RESTART_APP)
    fleet.sender.beat_once()
    assert fleet.restarts == [RESTART_EXIT_CODE]
    assert heartbeats_at_restart == [2]
    assert results_by_id(backend.heartbeats[1]) == {
        command.command_id: (True, f"restarting (exit code {RESTART_EXIT_CODE})")
    }


def test_the_runtime_beats_on_its_own_thread(
    stand_in, plain_profile: KioskProfile, tmp_path: Path
) -> None:
    backend, url = stand_in
    runtime = build_runtime(plain_profile, tmp_path / "var", url, CREDENTIAL)
    runtime.identity = runtime.sync = None  # the stand-in speaks only the fleet contract
    runtime.make_flow()
    backend.queue(CommandKind.OUT_OF_SERVICE)
    runtime.start()
    try:
        deadline = time.monotonic() + 10
        while runtime.flow is None or runtime.flow.state.step is not Step.OUT_OF_SERVICE:
            assert time.monotonic() < deadline, "no heartbeat brought the command"
            time.sleep(0.05)
        assert runtime.heartbeat is not None and runtime.heartbeat.running
    finally:
        runtime.stop()
    assert runtime.heartbeat is None
