"""The kiosk's working parts, wired from its profile: outbox, backend link, devices, flow.

No Kivy here: a test builds a ``KioskRuntime`` from its own objects and mounts the UI on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from biometrics.face.analysis import FaceAnalyzer, FrameAnalysis
from config.face import FaceQualitySettings
from config.profiles import KioskProfile
from config.settings import PROJECT_ROOT, KioskSettings
from devices.camera.driver import open_camera
from devices.camera.interface import Camera, CameraError
from devices.fingerprint.driver import open_configured_reader
from devices.fingerprint.interface import FingerprintReader
from devices.printer.driver import open_printer
from devices.printer.interface import PrinterError, ReceiptPrinter
from devices.scanner.driver import open_scanner
from devices.scanner.interface import CodeScanner, ScannerError
from kiosk.backend_client import BackendClient
from kiosk.background import Dispatch, Task, call_now
from kiosk.camera_feed import CameraFeed
from kiosk.case_status import BackendStatusSource
from kiosk.face_verifier import BackendFaceVerifier
from kiosk.finger_reader import FingerReaderFeed
from kiosk.fleet.heartbeat import HeartbeatSender
from kiosk.fleet.wiring import build_heartbeat
from kiosk.flow import KioskFlow
from kiosk.flow_technician import RuntimeDesk
from kiosk.identity import IdentityFetcher
from kiosk.outbox import Outbox
from kiosk.payment_desk import BackendPaymentDesk
from kiosk.submission import SubmissionService
from kiosk.sync import OutboxSync

log = logging.getLogger(__name__)

# A citizen waits for these calls, so they give up quickly; the outbox sync retries later.
INTERACTIVE_TIMEOUT_SECONDS = 4.0
SYNC_INTERVAL_SECONDS = 15.0


def resolve_credential(profile: KioskProfile, explicit: str | None = None) -> str | None:
    """The kiosk credential: the argument, else ``STATION_KIOSK_CREDENTIAL``, else the
    profile's credential file (relative paths are under the project root)."""
    if explicit:
        return explicit
    from_env = KioskSettings().kiosk_credential
    if from_env:
        return from_env
    path = Path(profile.backend.credential_file)
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    if path.is_file():
        return path.read_text().strip() or None
    log.warning("no kiosk credential (%s missing): cases wait in the outbox", path)
    return None


def outbox_path(var_dir: Path, profile: KioskProfile) -> Path:
    return var_dir / f"kiosk-{profile.kiosk.code}" / "outbox.sqlite3"


@dataclass
class KioskRuntime:
    """Everything a running kiosk holds besides its UI."""

    profile: KioskProfile
    outbox: Outbox
    interactive_client: BackendClient | None = None
    sync: OutboxSync | None = None
    identity: IdentityFetcher | None = None
    printer: ReceiptPrinter | None = None
    scanner: CodeScanner | None = None
    camera: Camera | None = None
    camera_feed: CameraFeed | None = None
    open_finger_reader: Callable[[], FingerprintReader] | None = None
    finger_feed: FingerReaderFeed | None = None
    # Held while a screen uses the camera / reader, so health checks never cut in.
    camera_guard: threading.Lock = field(default_factory=threading.Lock)
    reader_guard: threading.Lock = field(default_factory=threading.Lock)
    idle_warning_seconds: float | None = None
    idle_reset_seconds: float | None = None
    fleet_client: BackendClient | None = None
    profile_path: Path | None = None  # re-read by the reload_config command
    heartbeat: HeartbeatSender | None = None
    flow: KioskFlow | None = None
    _dispatch: Dispatch = call_now
    _started: list[IdentityFetcher | OutboxSync | CodeScanner | HeartbeatSender] = field(
        default_factory=list
    )

    def scanner_ready(self) -> bool:
        return self.scanner is not None and self.scanner.healthy

    def camera_preview(self) -> tuple[np.ndarray, FrameAnalysis] | None:
        """The newest analysed camera frame while the face screen runs the camera."""
        return self.camera_feed.latest() if self.camera_feed is not None else None

    def submission_service(self) -> SubmissionService:
        return SubmissionService(
            self.profile, self.outbox, self.interactive_client, lambda: self.printer
        )

    def status_source(self) -> BackendStatusSource:
        return BackendStatusSource(self.profile, self.interactive_client, self.outbox)

    def make_flow(
        self,
        dispatch: Dispatch = call_now,
        run_in_background: Callable[[Task], None] = call_now,
        **options: Any,
    ) -> KioskFlow:
        """A citizen-session flow over this runtime's services (see KioskFlow for options)."""
        options.setdefault("idle_warning_seconds", self.idle_warning_seconds)
        options.setdefault("idle_reset_seconds", self.idle_reset_seconds)
        if self.camera is not None and "face_camera" not in options:
            self.camera_feed = CameraFeed(
                self.camera, FaceAnalyzer(FaceQualitySettings()), dispatch, self.camera_guard
            )
            options["face_camera"] = self.camera_feed
        if self.open_finger_reader is not None and "finger_feed" not in options:
            self.finger_feed = FingerReaderFeed(
                self.open_finger_reader,
                dispatch,
                poll_seconds=self.profile.finger_capture.poll_seconds,
                guard=self.reader_guard,
            )
            options["finger_feed"] = self.finger_feed
        options.setdefault("face_verifier", BackendFaceVerifier(lambda: self.interactive_client))
        options.setdefault("payment_desk", BackendPaymentDesk(lambda: self.interactive_client))
        options.setdefault("technician_desk", RuntimeDesk(self))
        self.flow = KioskFlow(
            self.profile,
            self.submission_service(),
            self.status_source(),
            dispatch=dispatch,
            run_in_background=run_in_background,
            **options,
        )
        self._dispatch = dispatch
        return self.flow

    def start(self, on_scan: Callable[[str], None] | None = None) -> None:
        """Start the background work: identity, outbox sync, the scanner if it opens, and
        the heartbeat (over the flow made last, its events through that flow's dispatch)."""
        if self.identity is not None:
            self.identity.start()
            self._started.append(self.identity)
        if self.sync is not None:
            self.sync.start()
            self._started.append(self.sync)
        if self.scanner is not None and on_scan is not None:
            try:
                self.scanner.start(on_scan)
                self._started.append(self.scanner)
            except ScannerError as error:
                log.error("scanner cannot start; scanning is off: %s", error)
                self.scanner = None
        if self.fleet_client is not None and self.heartbeat is None:
            self.heartbeat = build_heartbeat(self, self.fleet_client, self.flow, self._dispatch)
            self.heartbeat.start()
            self._started.append(self.heartbeat)

    def stop(self) -> None:
        if self.camera_feed is not None:
            self.camera_feed.stop()
        if self.finger_feed is not None:
            self.finger_feed.stop()
        while self._started:
            self._started.pop().stop()
        self.heartbeat = None
        if self.printer is not None:
            self.printer.close()
        self.outbox.close()


def build_runtime(
    profile: KioskProfile,
    var_dir: Path,
    backend_url: str | None = None,
    credential: str | None = None,
    profile_path: Path | None = None,
) -> KioskRuntime:
    """Open the outbox and the devices a profile names; what cannot open stays None."""
    settings = KioskSettings()
    url = backend_url or settings.backend_url or profile.backend.url
    secret = resolve_credential(profile, credential)
    outbox = Outbox(outbox_path(var_dir, profile))
    runtime = KioskRuntime(
        profile,
        outbox,
        idle_warning_seconds=settings.idle_warning_seconds,
        idle_reset_seconds=settings.idle_reset_seconds,
        profile_path=profile_path or settings.kiosk_profile,
    )
    if secret is not None:
        timeout = min(profile.backend.timeout_seconds, INTERACTIVE_TIMEOUT_SECONDS)
        runtime.interactive_client = BackendClient(
            url, secret, timeout=timeout, max_attempts=2, retry_budget=timeout
        )
        sync_client = BackendClient(url, secret, timeout=profile.backend.timeout_seconds)
        runtime.sync = OutboxSync(outbox, sync_client, SYNC_INTERVAL_SECONDS)
        runtime.identity = IdentityFetcher(sync_client, outbox)
        # Its own client: a heartbeat never waits behind a slow submission, or the reverse.
        runtime.fleet_client = BackendClient(
            url, secret, timeout=profile.backend.timeout_seconds, max_attempts=1
        )
    try:
        runtime.printer = open_printer(profile.devices.printer)
    except (PrinterError, OSError, ValueError) as error:
        log.error("receipt printer cannot be opened; receipts are off: %s", error)
    try:
        runtime.scanner = open_scanner(profile.devices.scanner, base_dir=PROJECT_ROOT)
    except (ScannerError, OSError, ValueError) as error:
        log.error("scanner cannot be opened; scanning is off: %s", error)
    if any(service.identity == "face" for service in profile.services):
        try:
            runtime.camera = open_camera(profile.devices.camera, base_dir=PROJECT_ROOT)
        except (CameraError, OSError, ValueError) as error:
            log.error("camera cannot be opened; face capture is off: %s", error)
    if any(service.fingers for service in profile.services):
        runtime.open_finger_reader = finger_reader_opener(profile)
    return runtime


def finger_reader_opener(profile: KioskProfile) -> Callable[[], FingerprintReader]:
    """Opens the profile's reader afresh each time the finger screen shows, so a reader
    unplugged and plugged back in (a new port behind the same path) is found again."""
    config = profile.devices.fingerprint
    return lambda: open_configured_reader(config, base_dir=PROJECT_ROOT)
