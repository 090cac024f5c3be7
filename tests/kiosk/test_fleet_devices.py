"""Device health for the heartbeat, from the real drivers against the device simulators."""

from __future__ import annotations

from backend.contracts import DeviceHealth, DeviceKind, PaperLevel
from config.profiles import CameraConfig, KioskProfile
from devices.camera.driver import open_camera
from devices.camera.simulator import CameraSimulator
from devices.fingerprint.driver import open_reader
from devices.fingerprint.simulator import FingerprintSimulator
from devices.printer.driver import open_printer
from devices.printer.simulator import PrinterSimulator
from kiosk.fleet.device_health import (
    DeviceProbes,
    camera_report,
    devices_down,
    fingerprint_report,
    needed_devices,
    printer_report,
)
from tests.kiosk.conftest import RUNTIME_READER_BAUD


def test_printer_paper_level_from_the_simulator(
    kiosk_profile: KioskProfile, printer_simulator: PrinterSimulator
) -> None:
    printer = open_printer(kiosk_profile.devices.printer)
    try:
        seen = []
        for word in ("ok", "near-end", "out"):
            printer_simulator.control(f"paper {word}")
            report = printer_report(printer)
            seen.append((report.health, report.paper))
        printer_simulator.control("paper ok")
        printer_simulator.set_cover_open(True)
        cover = printer_report(printer)
    finally:
        printer.close()
    assert seen == [
        (DeviceHealth.OK, PaperLevel.OK),
        (DeviceHealth.WARNING, PaperLevel.NEAR_END),
        (DeviceHealth.ERROR, PaperLevel.OUT),
    ]
    assert (cover.health, cover.detail) == (DeviceHealth.ERROR, "cover open")


def test_a_printer_that_does_not_answer_is_an_error(
    kiosk_profile: KioskProfile, printer_simulator: PrinterSimulator
) -> None:
    printer = open_printer(kiosk_profile.devices.printer)
    printer_simulator.stop()
    try:
        report = printer_report(printer)
    finally:
        printer.close()
    assert report.health is DeviceHealth.ERROR and report.paper is None
    assert report.detail
    assert printer_report(None).health is DeviceHealth.ERROR


def test_fingerprint_reader_unplugged_and_plugged_back(
    fingerprint_simulator: FingerprintSimulator,
) -> None:
    def opener():
        return open_reader(
            str(fingerprint_simulator.link_path), RUNTIME_READER_BAUD, timeout_seconds=0.5
        )

    assert fingerprint_report(opener).health is DeviceHealth.OK
    fingerprint_simulator.unplug()
    unplugged = fingerprint_report(opener)
    assert unplugged.health is DeviceHealth.ERROR and unplugged.detail
    # The finger screen owns the reader while it runs: the probe leaves the port alone.
    assert fingerprint_report(opener, in_use=lambda: True).health is DeviceHealth.OK
    fingerprint_simulator.plug()
    assert fingerprint_report(opener).health is DeviceHealth.OK


def test_camera_reads_a_frame_from_the_simulator(camera_simulator: CameraSimulator) -> None:
    camera = open_camera(CameraConfig(source=camera_simulator.url))
    report = camera_report(camera)
    assert report.health is DeviceHealth.OK
    assert report.detail.count("x") == 1
    assert not camera.healthy  # closed again after the probe
    assert camera_report(None).health is DeviceHealth.ERROR


def test_unconfigured_devices_are_absent_and_needs_follow_the_services(
    demo_profile: KioskProfile,
) -> None:
    assert needed_devices(demo_profile) == {
        DeviceKind.PRINTER,
        DeviceKind.CAMERA,
        DeviceKind.FINGERPRINT,
    }
    plain = demo_profile.model_copy(
        update={"services": [s for s in demo_profile.services if s.identity == "none"]}
    )
    assert needed_devices(plain) == {DeviceKind.PRINTER}
    reports = DeviceProbes(frozenset({DeviceKind.PRINTER})).collect()
    health = {report.device: report.health for report in reports}
    assert health == {
        DeviceKind.PRINTER: DeviceHealth.ERROR,
        DeviceKind.SCANNER: DeviceHealth.ABSENT,
        DeviceKind.CAMERA: DeviceHealth.ABSENT,
        DeviceKind.FINGERPRINT: DeviceHealth.ABSENT,
    }
    assert devices_down(reports, needed_devices(plain)) == ["printer"]


def test_a_faulty_probe_is_an_error_report_not_a_crash() -> None:
    def broken_opener():
        raise RuntimeError("driver bug")

    probes = DeviceProbes(frozenset({DeviceKind.FINGERPRINT}), open_reader=lambda: broken_opener)
    (report,) = [r for r in probes.collect() if r.device is DeviceKind.FINGERPRINT]
    assert report.health is DeviceHealth.ERROR
    assert "driver bug" in report.detail


def test_during_a_session_the_reader_is_left_alone_and_its_last_report_stands(
    fingerprint_simulator: FingerprintSimulator,
) -> None:
    session = {"open": False}

    def opener():
        return open_reader(
            str(fingerprint_simulator.link_path), RUNTIME_READER_BAUD, timeout_seconds=0.5
        )

    probes = DeviceProbes(
        frozenset({DeviceKind.FINGERPRINT}),
        open_reader=lambda: opener,
        session_open=lambda: session["open"],
    )

    def reader_health() -> DeviceHealth:
        (report,) = [r for r in probes.collect() if r.device is DeviceKind.FINGERPRINT]
        return report.health

    assert reader_health() is DeviceHealth.OK
    fingerprint_simulator.unplug()
    session["open"] = True
    assert reader_health() is DeviceHealth.OK  # not asked: the session may be using it
    session["open"] = False
    assert reader_health() is DeviceHealth.ERROR
