"""Real parts for kiosk tests: the backend on 127.0.0.1, the printer simulator, an outbox."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.commands import register_kiosk_command
from backend.identity.seeding import seed_demo_registry
from backend.migrate import upgrade_database
from backend.server import BackgroundServer
from config.profiles import KioskProfile, load_profile
from config.settings import BackendSettings
from devices.camera.simulator import CameraSimulator
from devices.fingerprint.simulator import FingerprintSimulator
from devices.printer.simulator import PrinterSimulator
from devices.scanner.simulator import ScannerSimulator
from kiosk.flow import KioskFlow
from kiosk.outbox import Outbox
from kiosk.runtime import KioskRuntime, build_runtime
from payments.provider_simulator import PaymeSimulator
from tests.backend.identity_support import PEOPLE, MemoizingEncoder
from tests.kiosk.flow_doubles import ManualClock, ScriptedSubmitter, StatusBook
from tests.kiosk.real_parts import DEMO_PROFILE, PUBLIC_BASE_URL, RunningBackend

PAYME_KEY = "kiosk-tests-payme-key"
PAYME_CHECKOUT_URL = "http://127.0.0.1:9106/checkout/"
RUNTIME_READER_BAUD = 115200  # twice the default line rate: a session's fingers read sooner


@pytest.fixture
def demo_profile() -> KioskProfile:
    return load_profile(DEMO_PROFILE)


# --- the flow with in-memory collaborators ---------------------------------------------------


@pytest.fixture
def submitter() -> ScriptedSubmitter:
    return ScriptedSubmitter()


@pytest.fixture
def statuses() -> StatusBook:
    return StatusBook()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def flow(
    demo_profile: KioskProfile,
    submitter: ScriptedSubmitter,
    statuses: StatusBook,
    clock: ManualClock,
) -> KioskFlow:
    return KioskFlow(
        demo_profile,
        submitter,
        statuses,
        clock=clock,
        idle_warning_seconds=60,
        idle_reset_seconds=20,
    )


# --- real parts ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def registry_encoder() -> MemoizingEncoder:
    """The backend's real encoder, remembering templates so each test's seeding is quick."""
    return MemoizingEncoder()


@pytest.fixture
def backend_catalogue() -> Path:
    """The backend's service catalogue; a test whose kiosk asks for less overrides it."""
    return BackendSettings().service_catalogue_path


@pytest.fixture
def station_backend(
    tmp_path: Path,
    demo_profile: KioskProfile,
    registry_encoder: MemoizingEncoder,
    backend_catalogue: Path,
) -> Iterator[RunningBackend]:
    """The real backend, migrated, with the demo kiosk registered and the demo people in
    its person registry."""
    settings = BackendSettings(
        service_catalogue_path=backend_catalogue,
        var_dir=tmp_path / "backend",
        database_url=f"sqlite:///{tmp_path / 'station.db'}",
        secret_key="kiosk-tests-master-secret",
        public_base_url=PUBLIC_BASE_URL,
        status_rate_per_minute=10_000,
        payme_key=PAYME_KEY,
        checkout_base_url=PAYME_CHECKOUT_URL,
    )
    upgrade_database(settings.resolved_database_url)
    seed_demo_registry(settings, PEOPLE, encoder=registry_encoder)
    kiosk = demo_profile.kiosk
    credential = register_kiosk_command(settings, kiosk.code, kiosk.name, kiosk.office)
    with BackgroundServer(settings, port=0) as server:
        yield RunningBackend(server.url, credential, settings)


@pytest.fixture
def printer_simulator(tmp_path: Path) -> Iterator[PrinterSimulator]:
    with PrinterSimulator("127.0.0.1", 0, tmp_path / "receipts") as simulator:
        yield simulator


@pytest.fixture
def kiosk_profile(demo_profile: KioskProfile, printer_simulator: PrinterSimulator) -> KioskProfile:
    """The demo profile with its printer pointed at the simulator."""
    host, port = printer_simulator.address
    printer = demo_profile.devices.printer.model_copy(
        update={"host": host, "port": port, "timeout_seconds": 2.0}
    )
    devices = demo_profile.devices.model_copy(update={"printer": printer})
    return demo_profile.model_copy(update={"devices": devices})


@pytest.fixture
def kiosk_outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "kiosk" / "outbox.sqlite3") as outbox:
        yield outbox


@pytest.fixture
def scanner_simulator() -> Iterator[ScannerSimulator]:
    with ScannerSimulator() as simulator:
        yield simulator


@pytest.fixture
def camera_simulator() -> Iterator[CameraSimulator]:
    """The camera simulator streaming MJPEG on 127.0.0.1; nobody in view until told."""
    with CameraSimulator(scenario="nobody", control_port=None) as simulator:
        yield simulator


@pytest.fixture
def fingerprint_simulator(tmp_path: Path) -> Iterator[FingerprintSimulator]:
    """The reader simulator behind a stable path, at 115200 baud; no finger until told."""
    link = tmp_path / "fingerprint.tty"
    with FingerprintSimulator(baudrate=RUNTIME_READER_BAUD, link_path=link) as simulator:
        yield simulator


@pytest.fixture
def kiosk_heartbeats() -> bool:
    """Whether ``kiosk_runtime`` reports to the fleet. Off unless a test module turns it on:
    a heartbeat's device checks (paper out, a probe on a loaded machine) may take the kiosk out
    of service in the middle of another test's story."""
    return False


@pytest.fixture
def kiosk_runtime(
    tmp_path: Path,
    kiosk_profile: KioskProfile,
    station_backend: RunningBackend,
    scanner_simulator: ScannerSimulator,
    camera_simulator: CameraSimulator,
    fingerprint_simulator: FingerprintSimulator,
    kiosk_heartbeats: bool,
) -> Iterator[KioskRuntime]:
    """A kiosk wired as ``run_kiosk`` wires it: printer, scanner, camera and fingerprint
    simulators, backend."""
    scanner = kiosk_profile.devices.scanner.model_copy(update={"url": scanner_simulator.port_name})
    camera = kiosk_profile.devices.camera.model_copy(update={"source": camera_simulator.url})
    reader = kiosk_profile.devices.fingerprint.model_copy(
        update={
            "url": str(fingerprint_simulator.link_path),
            "baudrate": RUNTIME_READER_BAUD,
            "timeout_seconds": 1.0,
        }
    )
    devices = kiosk_profile.devices.model_copy(
        update={"scanner": scanner, "camera": camera, "fingerprint": reader}
    )
    profile = kiosk_profile.model_copy(update={"devices": devices})
    var_dir = tmp_path / "var"
    running = build_runtime(profile, var_dir, station_backend.url, station_backend.credential)
    if not kiosk_heartbeats and running.fleet_client is not None:
        running.fleet_client.close()
        running.fleet_client = None
    yield running
    running.stop()


@pytest.fixture
def payme_simulator(station_backend: RunningBackend) -> Iterator[PaymeSimulator]:
    """The payment provider, calling the backend's merchant API as Payme would."""
    with PaymeSimulator(station_backend.url, PAYME_KEY, slow_seconds=0.5) as simulator:
        yield simulator


@pytest.fixture(scope="session")
def kiosk_harness():
    """The one Kivy window of the test session (imported late: it creates the window)."""
    from tests.kiosk.kivy_harness import shared_harness

    harness = shared_harness()
    yield harness
    harness.unmount()


@pytest.fixture
def dead_url() -> Iterator[str]:
    """An address on 127.0.0.1 where nothing answers (bound, never listening)."""
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{reserved.getsockname()[1]}"
