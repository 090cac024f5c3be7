"""The health of a kiosk's devices, asked on the heartbeat thread (each probe may block).

A device that a citizen's screen is using (the camera on the face screen, the reader on the
finger screen) is not touched: its health then comes from the feed that runs it. While a
session is open, the camera and the reader are not opened either (the session may need them
any moment): their last report stands.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.contracts import (
    MAX_HEARTBEAT_DETAIL_CHARS,
    DeviceHealth,
    DeviceKind,
    DeviceReport,
    PaperLevel,
)
from config.profiles import KioskProfile
from devices.camera.interface import Camera, CameraError
from devices.fingerprint.interface import FingerprintError, FingerprintReader
from devices.printer.interface import PaperState, PrinterError, ReceiptPrinter
from devices.scanner.interface import CodeScanner

log = logging.getLogger(__name__)

ReaderOpener = Callable[[], FingerprintReader]
InUse = Callable[[], bool]


def _never_in_use() -> bool:
    return False


def needed_devices(profile: KioskProfile) -> frozenset[DeviceKind]:
    """The devices without which the kiosk's services cannot be given: the printer (every
    receipt), the camera for face services, the reader for services with fingers."""
    needed = {DeviceKind.PRINTER}
    if any(service.identity == "face" for service in profile.services):
        needed.add(DeviceKind.CAMERA)
    if any(service.fingers for service in profile.services):
        needed.add(DeviceKind.FINGERPRINT)
    return frozenset(needed)


def devices_down(reports: list[DeviceReport], needed: frozenset[DeviceKind]) -> list[str]:
    """The needed devices that do not work, by name."""
    return [
        report.device.value
        for report in reports
        if report.device in needed and report.health is DeviceHealth.ERROR
    ]


def _report(
    device: DeviceKind, health: DeviceHealth, detail: str = "", paper: PaperLevel | None = None
) -> DeviceReport:
    return DeviceReport(
        device=device, health=health, detail=detail[:MAX_HEARTBEAT_DETAIL_CHARS], paper=paper
    )


def printer_report(printer: ReceiptPrinter | None) -> DeviceReport:
    """From the printer's own status: paper near its end is a warning, out is an error."""
    kind = DeviceKind.PRINTER
    if printer is None:
        return _report(kind, DeviceHealth.ERROR, "printer could not be opened")
    try:
        status = printer.status()
    except (PrinterError, OSError) as error:
        return _report(kind, DeviceHealth.ERROR, str(error))
    paper = {
        PaperState.OK: PaperLevel.OK,
        PaperState.NEAR_END: PaperLevel.NEAR_END,
        PaperState.OUT: PaperLevel.OUT,
    }.get(status.paper)
    if not status.online or status.error or status.cover_open:
        detail = "cover open" if status.cover_open else status.detail or "offline"
        return _report(kind, DeviceHealth.ERROR, detail, paper)
    if paper is PaperLevel.OUT:
        return _report(kind, DeviceHealth.ERROR, "paper out", paper)
    if paper is PaperLevel.NEAR_END:
        return _report(kind, DeviceHealth.WARNING, "paper near its end", paper)
    return _report(kind, DeviceHealth.OK, status.detail, paper)


def scanner_report(scanner: CodeScanner | None) -> DeviceReport:
    kind = DeviceKind.SCANNER
    if scanner is None:
        return _report(kind, DeviceHealth.ERROR, "scanner could not be opened")
    if scanner.healthy:
        return _report(kind, DeviceHealth.OK)
    detail = getattr(scanner, "last_error", None) or "not connected"
    return _report(kind, DeviceHealth.ERROR, str(detail))


def camera_report(
    camera: Camera | None, in_use: InUse = _never_in_use, guard: threading.Lock | None = None
) -> DeviceReport:
    """While the face screen runs the camera, its state; otherwise open it and read a frame.

    ``guard`` is held by the face screen's camera loop while it uses the camera: the probe
    only takes it when free, so it never opens or closes the camera under the screen."""
    kind = DeviceKind.CAMERA
    if camera is None:
        return _report(kind, DeviceHealth.ERROR, "camera could not be opened")
    guard = guard or threading.Lock()
    if in_use() or not guard.acquire(blocking=False):
        if camera.healthy:
            return _report(kind, DeviceHealth.OK, "in use")
        return _report(kind, DeviceHealth.ERROR, "in use, no frames")
    try:
        camera.open()
        frame = camera.read()
    except CameraError as error:
        return _report(kind, DeviceHealth.ERROR, str(error))
    finally:
        camera.close()
        guard.release()
    height, width = frame.image.shape[:2]
    return _report(kind, DeviceHealth.OK, f"{width}x{height}")


def fingerprint_report(
    open_reader: ReaderOpener | None,
    in_use: InUse = _never_in_use,
    guard: threading.Lock | None = None,
) -> DeviceReport:
    """While the finger screen runs the reader, assume it works (the screen reports its
    failures to the citizen); otherwise open it and shake hands. ``guard`` is held by the
    finger screen's reader loop: two conversations on one serial line garble both."""
    kind = DeviceKind.FINGERPRINT
    if open_reader is None:
        return _report(kind, DeviceHealth.ERROR, "reader not set up")
    guard = guard or threading.Lock()
    if in_use() or not guard.acquire(blocking=False):
        return _report(kind, DeviceHealth.OK, "in use")
    try:
        try:
            reader = open_reader()
        except (FingerprintError, OSError) as error:
            return _report(kind, DeviceHealth.ERROR, str(error))
        try:
            reader.handshake()
        except (FingerprintError, OSError) as error:
            return _report(kind, DeviceHealth.ERROR, str(error))
        finally:
            reader.close()
    finally:
        guard.release()
    return _report(kind, DeviceHealth.OK)


@dataclass
class DeviceProbes:
    """Where each device of a kiosk is found; a kind left out of ``configured`` is absent."""

    configured: frozenset[DeviceKind]
    printer: Callable[[], ReceiptPrinter | None] = lambda: None
    scanner: Callable[[], CodeScanner | None] = lambda: None
    camera: Callable[[], Camera | None] = lambda: None
    camera_in_use: InUse = _never_in_use
    open_reader: Callable[[], ReaderOpener | None] = lambda: None
    reader_in_use: InUse = _never_in_use
    session_open: InUse = _never_in_use
    camera_guard: threading.Lock | None = None
    reader_guard: threading.Lock | None = None
    _last: dict[DeviceKind, DeviceReport] = field(default_factory=dict)

    def collect(self) -> list[DeviceReport]:
        """One report per device kind, in a fixed order."""
        reports = self._collect()
        self._last = {report.device: report for report in reports}
        return reports

    def _held_back(self, kind: DeviceKind, in_use: InUse) -> DeviceReport | None:
        """The last report of a device the open session may take any moment."""
        if not self.session_open() or in_use():
            return None
        return self._last.get(kind) or _report(kind, DeviceHealth.OK, "not checked yet")

    def _collect(self) -> list[DeviceReport]:
        probes: dict[DeviceKind, Callable[[], DeviceReport]] = {
            DeviceKind.PRINTER: lambda: printer_report(self.printer()),
            DeviceKind.SCANNER: lambda: scanner_report(self.scanner()),
            DeviceKind.CAMERA: lambda: (
                self._held_back(DeviceKind.CAMERA, self.camera_in_use)
                or camera_report(self.camera(), self.camera_in_use, self.camera_guard)
            ),
            DeviceKind.FINGERPRINT: lambda: (
                self._held_back(DeviceKind.FINGERPRINT, self.reader_in_use)
                or fingerprint_report(self.open_reader(), self.reader_in_use, self.reader_guard)
            ),
        }
        reports = []
        for kind, probe in probes.items():
            if kind not in self.configured:
                reports.append(_report(kind, DeviceHealth.ABSENT))
                continue
            try:
                reports.append(probe())
            except Exception as error:  # a probe's own fault must not stop the heartbeat
                log.exception("health probe of %s failed", kind)
                reports.append(_report(kind, DeviceHealth.ERROR, f"probe failed: {error!r}"))
        return reports
