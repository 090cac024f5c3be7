"""``station devices``: what a technician on site runs to find and test the kiosk's devices."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from config.profiles import FingerprintConfig, load_profile
from config.settings import PROJECT_ROOT, KioskSettings

if TYPE_CHECKING:
    from devices import self_test

V4L2_SYS = Path("/sys/class/video4linux")


def list_serial_ports() -> list[tuple[str, str, str]]:
    """(device, USB vendor:product or "-", description) of every serial port seen."""
    from serial.tools import list_ports

    ports = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        usb = f"{port.vid:04x}:{port.pid:04x}" if port.vid is not None else "-"
        ports.append((port.device, usb, port.description or ""))
    return ports


def _ports(args: argparse.Namespace) -> int:
    ports = list_serial_ports()
    if not ports:
        print("no serial ports found")
    for device, usb, description in ports:
        print(f"{device:<24} usb {usb:<10} {description}")
    return 0


def list_cameras(dev_dir: Path = Path("/dev"), sys_dir: Path = V4L2_SYS) -> list[tuple[str, str]]:
    """(device path, name from sysfs or "") of every V4L2 video device."""
    cameras = []
    for device in sorted(dev_dir.glob("video*"), key=lambda p: (len(p.name), p.name)):
        name_file = sys_dir / device.name / "name"
        name = name_file.read_text().strip() if name_file.is_file() else ""
        cameras.append((str(device), name))
    return cameras


def _list(args: argparse.Namespace) -> int:
    print("serial ports:")
    ports = list_serial_ports()
    if not ports:
        print("  no serial ports found")
    for device, usb, description in ports:
        print(f"  {device:<24} usb {usb:<10} {description}")
    print("cameras:")
    cameras = list_cameras()
    if not cameras:
        print("  no cameras found")
    for device, name in cameras:
        print(f"  {device:<24} {name or '(no name reported)'}")
    return 0


def _test(args: argparse.Namespace) -> int:
    from devices import self_test

    profile_path = Path(args.profile or KioskSettings().kiosk_profile)
    devices = load_profile(profile_path).devices
    match args.device:
        case "printer":
            result = self_test.check_printer(devices.printer)
        case "scanner":
            if args.wait > 0:
                print(f"scan a code within {args.wait:g} s", flush=True)
            result = self_test.check_scanner(
                devices.scanner, base_dir=PROJECT_ROOT, wait_seconds=args.wait
            )
        case "camera":
            result = self_test.check_camera(devices.camera, base_dir=PROJECT_ROOT)
        case _:
            result = self_test.check_fingerprint(devices.fingerprint, base_dir=PROJECT_ROOT)
    return report_self_test(result)


def report_self_test(result: self_test.SelfTestResult) -> int:
    """Print a self-test's findings; 0 when the device works (warnings allowed), else 1."""
    for fact in result.facts:
        print(f"{result.where}: {fact}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    if result.problem is not None:
        print(f"FAILED: {result.problem}", file=sys.stderr)
        return 1
    print(f"{result.device}: ok")
    return 0


def _configured_reader(args: argparse.Namespace) -> FingerprintConfig:
    profile_path = Path(args.profile or KioskSettings().kiosk_profile)
    config = load_profile(profile_path).devices.fingerprint
    changes = {k: v for k, v in (("url", args.url), ("baudrate", args.baud)) if v is not None}
    return config.model_copy(update=changes)


def _open(config: FingerprintConfig):
    from devices.fingerprint.driver import open_configured_reader

    return open_configured_reader(config, base_dir=PROJECT_ROOT)


def _fingerprint_find(args: argparse.Namespace) -> int:
    from devices.fingerprint.driver import find_readers

    candidates = args.ports or [device for device, _usb, _text in list_serial_ports()]
    found = find_readers(candidates)
    if not found:
        print(f"no fingerprint reader answered on: {', '.join(candidates) or 'no ports'}")
        return 1
    for port, baudrate, status in found:
        print(f"reader on {port} at {baudrate} baud: library {status.library_size} templates")
    return 0


def _fingerprint_info(args: argparse.Namespace) -> int:
    from devices.fingerprint.interface import FingerprintError

    config = _configured_reader(args)
    try:
        with _open(config) as reader:
            reader.handshake()
            status = reader.read_parameters()
            stored = reader.template_count()
    except FingerprintError as error:
        print(f"fingerprint reader on {config.url}: {error}", file=sys.stderr)
        return 1
    print(f"fingerprint reader on {config.url} at {config.baudrate} baud: handshake ok")
    print(f"  system id 0x{status.system_id:04x}, security level {status.security_level}")
    print(f"  address 0x{status.address:08x}, packet size {status.packet_size} bytes")
    print(f"  reader baud rate {status.baudrate}, library {stored}/{status.library_size} used")
    return 0


def _fingerprint_capture(args: argparse.Namespace) -> int:
    import cv2

    from devices.fingerprint.interface import FingerprintError

    config = _configured_reader(args)
    print(f"place a finger on the reader ({config.url}) within {args.deadline:.0f} s")
    try:
        with _open(config) as reader:
            reader.handshake()
            image = reader.capture_image(deadline_seconds=args.deadline)
    except FingerprintError as error:
        print(f"capture failed: {error}", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), image)
    print(f"captured {image.shape[1]}x{image.shape[0]} image to {out}")
    from biometrics.fingerprint import assess_fingerprint

    quality = assess_fingerprint(image)
    verdict = "acceptable" if quality.acceptable else ", ".join(quality.issues)
    print(f"quality {quality.score}/100: {verdict}")
    return 0


def add_devices_commands(sub: argparse._SubParsersAction) -> None:
    """The ``devices`` command group of ``station``."""
    devices = sub.add_parser("devices", help="find and test the kiosk's devices (technicians)")
    devices_sub = devices.add_subparsers(dest="devices_command", required=True)
    devices_sub.add_parser("ports", help="serial ports with USB ids").set_defaults(func=_ports)
    devices_sub.add_parser("list", help="serial ports with USB ids, and cameras").set_defaults(
        func=_list
    )
    test = devices_sub.add_parser("test", help="self-test a configured device")
    test.add_argument("device", choices=("printer", "scanner", "camera", "fingerprint"))
    test.add_argument("--profile", help="kiosk profile (default: STATION_KIOSK_PROFILE)")
    test.add_argument(
        "--wait", type=float, default=0.0, help="scanner: seconds to wait for a scanned code"
    )
    test.set_defaults(func=_test)
    finger = devices_sub.add_parser("fingerprint", help="the R30x fingerprint reader")
    finger_sub = finger.add_subparsers(dest="fingerprint_command", required=True)
    find = finger_sub.add_parser("find", help="try a handshake on serial ports")
    find.add_argument("ports", nargs="*", help="ports to try (default: every serial port)")
    find.set_defaults(func=_fingerprint_find)
    for name, helptext, func in (
        ("info", "handshake and read the reader's parameters", _fingerprint_info),
        ("capture", "capture one finger image to a PNG", _fingerprint_capture),
    ):
        command = finger_sub.add_parser(name, help=helptext)
        command.add_argument("--profile", help="kiosk profile (default: STATION_KIOSK_PROFILE)")
        command.add_argument("--url", help="the reader's port, instead of the profile's")
        command.add_argument("--baud", type=int, help="baud rate, instead of the profile's")
        if name == "capture":
            command.add_argument("out", help="PNG file to write")
            command.add_argument("--deadline", type=float, default=10.0)
        command.set_defaults(func=func)
