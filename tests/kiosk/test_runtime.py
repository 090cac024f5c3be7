"""Wiring a kiosk from its profile: credential, outbox, backend link, printer and scanner."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from backend.contracts import make_case_number
from config.profiles import KioskProfile, load_profile
from config.settings import PROJECT_ROOT
from devices.printer.simulator import PrinterSimulator
from devices.scanner.simulator import ScannerSimulator
from kiosk.outbox import Outbox, OutboxState
from kiosk.runtime import build_runtime, outbox_path, resolve_credential
from kiosk.session import ErrorCode, Step
from tests.kiosk.real_parts import DEMO_PROFILE, RunningBackend


def profile_with(tmp_path: Path, **devices: dict[str, object]) -> KioskProfile:
    """The demo profile with some device settings replaced and no credential file."""
    profile = load_profile(DEMO_PROFILE)
    updated = {
        name: getattr(profile.devices, name).model_copy(update=values)
        for name, values in devices.items()
    }
    # Never the developer's own credential file: a test's kiosk has only what it is given.
    backend = profile.backend.model_copy(
        update={"credential_file": str(tmp_path / "no-such.credential")}
    )
    return profile.model_copy(
        update={"devices": profile.devices.model_copy(update=updated), "backend": backend}
    )


def test_credential_comes_from_argument_then_environment_then_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = load_profile(DEMO_PROFILE)
    secret_file = tmp_path / "kiosk.credential"
    secret_file.write_text("0001.from-file\n")
    profile.backend.credential_file = str(secret_file)
    monkeypatch.setenv("STATION_KIOSK_CREDENTIAL", "0001.from-env")
    assert resolve_credential(profile, "0001.from-arg") == "0001.from-arg"
    assert resolve_credential(profile) == "0001.from-env"
    monkeypatch.delenv("STATION_KIOSK_CREDENTIAL")
    assert resolve_credential(profile) == "0001.from-file"
    secret_file.unlink()
    assert resolve_credential(profile) is None


def test_a_relative_credential_file_is_under_the_project_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STATION_KIOSK_CREDENTIAL", raising=False)
    relative = Path("var") / f"test-credential-{uuid.uuid4().hex}"
    (PROJECT_ROOT / relative).parent.mkdir(exist_ok=True)
    (PROJECT_ROOT / relative).write_text("0001.relative")
    try:
        profile = load_profile(DEMO_PROFILE)
        profile.backend.credential_file = str(relative)
        assert resolve_credential(profile) == "0001.relative"
    finally:
        (PROJECT_ROOT / relative).unlink()


def test_a_running_kiosk_scans_submits_prints_and_learns_its_identity(
    tmp_path: Path,
    station_backend: RunningBackend,
    printer_simulator: PrinterSimulator,
    scanner_simulator: ScannerSimulator,
) -> None:
    host, port = printer_simulator.address
    profile = profile_with(
        tmp_path,
        printer={"host": host, "port": port},
        scanner={"url": scanner_simulator.port_name},
    )
    var_dir = tmp_path / "var"
    runtime = build_runtime(profile, var_dir, station_backend.url, station_backend.credential)
    scans: list[str] = []
    scanned = threading.Event()
    try:
        assert outbox_path(var_dir, runtime.profile).exists()
        runtime.start(on_scan=lambda text: (scans.append(text), scanned.set()))
        assert runtime.identity.fetched.wait(10)
        assert runtime.outbox.load_identity().code == "0001"
        assert runtime.scanner_ready()
        number = make_case_number("0001", 5)
        scanner_simulator.scan(number)
        assert scanned.wait(5) and scans == [number]

        flow = runtime.make_flow()
        flow.choose_language("en")
        flow.start_submission()
        flow.choose_service("general_application")
        flow.choose_category("documents")
        flow.set_text("I need a certificate of residence for my employer.")
        flow.submit_text()
        flow.submit_phone()
        flow.set_consent(True)
        flow.confirm()
        assert flow.state.step is Step.DONE
        outcome = flow.state.data.outcome
        assert runtime.outbox.get(outcome.submission_id).state is OutboxState.SENT
        assert printer_simulator.wait_for_receipt(after=0).exists()
    finally:
        runtime.stop()
    assert not runtime.scanner_ready()


def test_devices_that_cannot_open_leave_the_kiosk_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATION_KIOSK_CREDENTIAL", raising=False)
    profile = profile_with(
        tmp_path,
        printer={"escpos_profile": "no-such-printer-model"},
        scanner={"url": "nosuchscheme://scanner"},
    )
    # Offline, a kiosk numbers cases only above the floor the backend told it once.
    with Outbox(outbox_path(tmp_path / "var", profile)) as earlier:
        earlier.learn_sequence_floor(0)
    runtime = build_runtime(profile, tmp_path / "var", credential=None)
    try:
        runtime.start(on_scan=lambda text: None)
        assert runtime.printer is None
        assert runtime.scanner is None and not runtime.scanner_ready()
        flow = runtime.make_flow()
        flow.choose_language("ru")
        flow.start_submission()
        flow.choose_service("customs_report")
        flow.choose_category("smuggling")
        flow.set_text("На рынке продают контрабанду.")
        flow.submit_text()
        flow.submit_phone()
        flow.set_consent(True)
        flow.confirm()
        assert (flow.state.step, flow.state.error) == (
            Step.PRINT_FAILED,
            ErrorCode.PRINTER_UNAVAILABLE,
        )
        outcome = flow.state.data.outcome
        assert not outcome.delivered  # no credential: the case waits in the outbox
        assert outcome.qr_data == outcome.case_number
        assert runtime.outbox.get(outcome.submission_id).state is OutboxState.PENDING
    finally:
        runtime.stop()
