"""Self-tests of the configured devices: each says plainly what works and, if not, why."""

from __future__ import annotations

import errno
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from config.profiles import CameraConfig, FingerprintConfig, PrinterConfig, ScannerConfig

DARK_MEAN_BRIGHTNESS = 40.0  # of 255; below this faces are too dark to assess
DEFAULT_CAMERA_OPEN_SECONDS = 5.0


@dataclass
class SelfTestResult:
    """What a device self-test found: ``problem`` is one line naming the cause, or None."""

    device: str
    where: str
    facts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def failed(self, problem: str) -> SelfTestResult:
        self.problem = problem
        return self


def _resolve(path: str, base_dir: Path | None) -> str:
    if base_dir is not None and "://" not in path and not Path(path).is_absolute():
        return str(base_dir / path)
    return path


def printer_where(config: PrinterConfig) -> str:
    """How a technician names the configured printer: address, port or file."""
    match config.connector:
        case "network":
            return f"printer at {config.host}:{config.port}"
        case "serial":
            return f"printer on {config.serial_url} at {config.baudrate} baud"
        case "usb":
            return f"USB printer {config.usb_vendor_id:04x}:{config.usb_product_id:04x}"
        case _:
            return f"printer file {config.file_path}"


def _link_advice(detail: str) -> str:
    text = detail.lower()
    if "refused" in text:
        return "connection refused — is it switched on and on the network?"
    if "timed out" in text or "did not answer" in text:
        return "no answer — is it switched on, and is the address right?"
    if "no such file" in text or "could not open" in text or "cannot open" in text:
        return "device not found — is it plugged in and switched on?"
    if "permission" in text:
        return "permission denied — add the kiosk user to the dialout/lp group"
    return f"{detail} — check the cable or network and that it is switched on"


def check_printer(config: PrinterConfig) -> SelfTestResult:
    """Connect and ask DLE EOT status: online, cover, paper ok / near end / out."""
    from devices.printer.driver import open_printer
    from devices.printer.interface import PaperState, PrinterError

    result = SelfTestResult("printer", printer_where(config))
    try:
        printer = open_printer(config)
    except PrinterError as error:
        return result.failed(f"{result.where}: {error}")
    with printer:
        status = printer.status()
    if not status.online and status.paper is PaperState.UNKNOWN and not status.error:
        return result.failed(f"{result.where}: {_link_advice(status.detail)}")
    result.facts.append(f"connected, status: {status.detail or 'online, paper ok'}")
    if status.detail == "no status channel":
        result.warnings.append("this connection cannot report paper: check the roll by eye")
    if status.paper is PaperState.OUT:
        return result.failed("paper out — load a new roll")
    if status.cover_open:
        return result.failed("cover open — close the printer cover")
    if status.error:
        return result.failed(f"printer reports an error ({status.detail}) — switch it off and on")
    if not status.online:
        return result.failed(f"printer is offline ({status.detail}) — check its panel")
    if status.paper is PaperState.NEAR_END:
        result.warnings.append("paper near end — have a new roll ready")
    return result


def check_scanner(
    config: ScannerConfig, *, base_dir: Path | None = None, wait_seconds: float = 0.0
) -> SelfTestResult:
    """Open the port; with ``wait_seconds`` also wait that long for one scanned code."""
    from devices.scanner.driver import SerialLineScanner
    from devices.scanner.interface import ScannerError

    url = _resolve(config.url, base_dir)
    result = SelfTestResult("scanner", f"scanner on {config.url}")
    scanned: list[str] = []
    arrived = threading.Event()

    def on_scan(code: str) -> None:
        scanned.append(code)
        arrived.set()

    scanner = SerialLineScanner(url, config.baudrate)
    try:
        scanner.start(on_scan)
    except ScannerError as error:
        return result.failed(f"{result.where}: {error}")
    try:
        if not scanner.healthy:
            reason = scanner.last_error or "cannot open the port"
            return result.failed(f"{result.where}: {_serial_advice(reason)}")
        result.facts.append(f"port open at {config.baudrate} baud, healthy")
        if wait_seconds > 0:
            if not arrived.wait(wait_seconds):
                return result.failed(
                    f"{result.where}: no code read within {wait_seconds:g} s — is the scanner "
                    f"in serial (USB-CDC) mode at {config.baudrate} baud, sending CR?"
                )
            result.facts.append(f"scanned {scanned[0]!r}")
    finally:
        scanner.stop()
    return result


def _serial_advice(reason: str) -> str:
    text = reason.lower()
    if "no such file" in text or f"errno {errno.ENOENT}]" in text:
        return "no such device — is it plugged in? (see `station devices list`)"
    if "permission" in text:
        return "permission denied — add the kiosk user to the dialout group"
    return f"{reason} — check the cable and the port name"


def check_camera(
    config: CameraConfig,
    *,
    base_dir: Path | None = None,
    open_seconds: float = DEFAULT_CAMERA_OPEN_SECONDS,
) -> SelfTestResult:
    """Open the camera, read a frame, report its size and mean brightness."""
    from devices.camera.driver import OpenCvCamera, parse_source
    from devices.camera.interface import CameraError

    result = SelfTestResult("camera", f"camera {config.source}")
    camera = OpenCvCamera(
        parse_source(config.source, base_dir),
        width=config.width,
        height=config.height,
        fps=config.fps,
        open_timeout=open_seconds,
    )
    try:
        camera.open()
        frame = camera.read(timeout=open_seconds)
    except CameraError as error:
        reason = str(error).split(": ", 1)[-1]
        return result.failed(
            f"{result.where}: no frames within {open_seconds:g} s ({reason}) — is it plugged "
            "in (or the stream URL reachable), and not used by another program?"
        )
    finally:
        camera.close()
    height, width = frame.image.shape[:2]
    brightness = float(cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY).mean())
    result.facts.append(f"frame {width}x{height}, mean brightness {brightness:.0f}/255")
    if (width, height) != (config.width, config.height):
        result.warnings.append(
            f"asked for {config.width}x{config.height}, the camera gives {width}x{height}"
        )
    if brightness < DARK_MEAN_BRIGHTNESS:
        result.warnings.append(
            f"too dark (mean {brightness:.0f} < {DARK_MEAN_BRIGHTNESS:.0f}) — check the lighting"
            " and that nothing covers the lens"
        )
    return result


def check_fingerprint(config: FingerprintConfig, *, base_dir: Path | None = None) -> SelfTestResult:
    """Handshake (VfyPwd), ReadSysPara and the template count."""
    from devices.fingerprint.driver import open_configured_reader
    from devices.fingerprint.interface import FingerprintError, ReaderNotResponding

    result = SelfTestResult("fingerprint", f"fingerprint reader on {config.url}")
    try:
        with open_configured_reader(config, base_dir=base_dir) as reader:
            reader.handshake()
            status = reader.read_parameters()
            stored = reader.template_count()
    except ReaderNotResponding as error:
        text = str(error)
        if "no reply" in text:
            advice = (
                f"no reply within {config.timeout_seconds:g} s — check the cable and the baud "
                f"rate ({config.baudrate})"
            )
        else:
            advice = _serial_advice(text.split(": ", 1)[-1])
        return result.failed(f"{result.where}: {advice}")
    except FingerprintError as error:
        return result.failed(
            f"{result.where}: {error} — check the password and address in the profile"
        )
    result.facts.append(f"handshake ok at {config.baudrate} baud")
    result.facts.append(
        f"system id 0x{status.system_id:04x}, security level {status.security_level}, "
        f"packet size {status.packet_size} bytes"
    )
    result.facts.append(f"library {stored}/{status.library_size} templates")
    return result
