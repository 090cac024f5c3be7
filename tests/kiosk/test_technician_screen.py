"""The technician screen on the real Kivy UI over a kiosk wired to the real simulators."""

from __future__ import annotations

from backend.contracts import DeviceKind
from devices.printer.interface import PaperState
from devices.printer.simulator import PrinterSimulator
from kiosk.flow_technician import RuntimeDesk
from kiosk.i18n import translator
from kiosk.runtime import KioskRuntime
from kiosk.session import Step
from tests.kiosk.ui_helpers import check_layout

DEMO_PIN = "2468"


def tap_header_corner(harness, taps: int) -> None:
    """Real touches on the top-left corner of the header, as a technician's finger."""
    from kivy.tests.common import UnitTestTouch

    header = harness.root.header
    x, y = header.to_window(header.x + 20, header.top - 20)
    for _ in range(taps):
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        harness.step()


def open_technician_screen(harness) -> None:
    tap_header_corner(harness, 5)
    harness.wait_for_screen(Step.TECHNICIAN_PIN.value)
    harness.type_digits(DEMO_PIN)
    harness.press("technician-enter")
    harness.wait_for_screen(Step.TECHNICIAN.value)


def test_technician_screen_shows_devices_prints_and_exits(
    kiosk_harness, kiosk_runtime: KioskRuntime, printer_simulator: PrinterSimulator
) -> None:
    flow = kiosk_harness.mount_runtime(kiosk_runtime, technician_desk=RuntimeDesk(kiosk_runtime))
    tap_header_corner(kiosk_harness, 4)
    assert kiosk_harness.root.current_screen == Step.LANGUAGE.value
    open_technician_screen(kiosk_harness)
    screen = kiosk_harness.root.screens[Step.TECHNICIAN]
    kiosk_harness.wait_until(lambda: flow.state.technician.check is not None, 20, "checks")
    tr = translator(flow.languages[0])
    texts = kiosk_harness.texts()
    code = kiosk_runtime.profile.kiosk.code
    assert any(code in text for text in texts)
    backend_line = screen.facts["backend"].text
    assert kiosk_runtime.interactive_client.base_url in backend_line
    assert tr.gettext("answers") in backend_line
    printer_line = screen.device_lines[DeviceKind.PRINTER].text
    assert tr.gettext("works") in printer_line

    receipts = len(printer_simulator.receipts)
    kiosk_harness.press("technician-print")
    printer_simulator.wait_for_receipt(timeout=10, after=receipts)
    kiosk_harness.wait_until(lambda: flow.state.technician.test_page_printed, 10, "printed")
    assert tr.gettext("The test page was printed.") in kiosk_harness.texts()

    printer_simulator.set_paper(PaperState.OUT)
    kiosk_harness.press("technician-refresh")
    kiosk_harness.wait_until(lambda: flow.state.technician.check is not None, 20, "re-check")
    printer_line = screen.device_lines[DeviceKind.PRINTER].text
    assert tr.gettext("does not work") in printer_line and "paper out" in printer_line
    check_layout(kiosk_harness, "technician screen")
    picture = kiosk_harness.screenshot("technician-paper_out")
    assert picture.stat().st_size > 20_000

    kiosk_harness.press("technician-exit")
    kiosk_harness.wait_for_screen(Step.LANGUAGE.value)


def test_wrong_pin_shows_and_the_keypad_locks(kiosk_harness, kiosk_runtime: KioskRuntime) -> None:
    flow = kiosk_harness.mount_runtime(kiosk_runtime, technician_desk=RuntimeDesk(kiosk_runtime))
    tap_header_corner(kiosk_harness, 5)
    kiosk_harness.wait_for_screen(Step.TECHNICIAN_PIN.value)
    screen = kiosk_harness.root.screens[Step.TECHNICIAN_PIN]
    tr = translator(flow.languages[0])
    kiosk_harness.type_digits("1357")
    assert screen.display.text == "****"  # the PIN is never shown
    kiosk_harness.press("technician-enter")
    kiosk_harness.wait_until(lambda: not flow.state.busy, 5, "PIN checked")
    assert screen.error.text == tr.gettext("Wrong PIN.")
    for wrong in ("1111", "2222"):
        kiosk_harness.type_digits(wrong)
        kiosk_harness.press("technician-enter")
        kiosk_harness.wait_until(lambda: not flow.state.busy, 5, "PIN checked")
    assert screen.error.text == tr.gettext("Too many wrong PINs. Try again in %(seconds)d s.") % {
        "seconds": 60
    }
    check_layout(kiosk_harness, "technician PIN locked")
    kiosk_harness.screenshot("technician_pin-locked")
    kiosk_harness.press("technician-cancel")
    kiosk_harness.wait_for_screen(Step.LANGUAGE.value)
