"""The real Kivy app driven by touches: a citizen files an appeal; a print failure."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pyzbar.pyzbar import decode

from backend.contracts import group_case_number
from devices.printer.interface import PaperState
from devices.printer.simulator import PrinterSimulator
from kiosk.i18n import translator
from kiosk.messages import ERROR_MESSAGES
from kiosk.runtime import KioskRuntime
from kiosk.session import ErrorCode
from tests.kiosk.ui_helpers import ARTIFACTS, check_layout


def _wait_for_recording(harness, folder: Path, part: str) -> None:
    """The recorder pictures a screen once it has settled; let it before moving on."""
    harness.wait_until(
        lambda: any(part in path.name for path in folder.glob("*.png")),
        timeout=10,
        what=f"a recorded screenshot named *{part}*",
    )


def test_a_citizen_files_an_appeal_in_russian(
    kiosk_harness, kiosk_runtime: KioskRuntime, printer_simulator: PrinterSimulator
) -> None:
    harness = kiosk_harness
    recorded = ARTIFACTS / "recorded-ru"
    for old in recorded.glob("*.png"):
        old.unlink()
    flow = harness.mount_runtime(kiosk_runtime, screenshot_dir=recorded)
    check_layout(harness, "ru-01-language")
    harness.press("language-ru")
    harness.wait_for_screen("home")
    check_layout(harness, "ru-02-home")
    harness.press("home-submit")
    harness.wait_for_screen("service")
    harness.press("service-mahalla_appeal")
    harness.press("category-neighbours")
    harness.wait_for_screen("text")
    harness.press("next")
    assert translator("ru").gettext(ERROR_MESSAGES[ErrorCode.TEXT_EMPTY]) in harness.texts()
    harness.type_text("Соседи шумят ночью!")
    assert flow.state.data.text == "Соседи шумят ночью!"
    check_layout(harness, "ru-05-text")
    harness.press("next")
    harness.wait_for_screen("phone")
    harness.type_digits("90123")
    harness.press("next")
    assert flow.state.error is ErrorCode.PHONE_INCOMPLETE
    harness.type_digits("4567")
    assert "+998 90 123 45 67" in harness.texts()
    harness.press("next")
    harness.wait_for_screen("review")
    harness.press("edit-text")  # going back to change the text keeps everything else
    harness.wait_for_screen("text")
    harness.press("key-backspace")
    harness.type_text(".")
    harness.press("next")
    harness.wait_for_screen("review")
    assert flow.state.data.phone_digits == "901234567"
    harness.press("submit")
    assert flow.state.error is ErrorCode.CONSENT_REQUIRED
    harness.press("consent")
    check_layout(harness, "ru-07-review")
    _wait_for_recording(harness, recorded, "-review-ru")
    harness.press("submit")
    harness.wait_for_screen("done", timeout=15)
    outcome = flow.state.data.outcome
    assert outcome.delivered and outcome.print_error is None
    assert group_case_number(outcome.case_number) in harness.texts()
    check_layout(harness, "ru-09-done")
    receipt = printer_simulator.wait_for_receipt(after=0)
    assert [s.data.decode() for s in decode(Image.open(receipt))] == [outcome.qr_data]
    _wait_for_recording(harness, recorded, "-done-ru")
    harness.press("finish")
    harness.wait_for_screen("language")
    assert flow.state.data.is_blank
    harness.unmount()
    pictures = sorted(p.name for p in recorded.glob("*.png"))
    assert any("-done-ru" in name for name in pictures), pictures
    assert any("-review-ru" in name for name in pictures), pictures


def test_out_of_paper_shows_the_number_and_prints_again(
    kiosk_harness, kiosk_runtime: KioskRuntime, printer_simulator: PrinterSimulator
) -> None:
    harness = kiosk_harness
    flow = harness.mount_runtime(kiosk_runtime)
    printer_simulator.set_paper(PaperState.OUT)
    harness.press("language-uz_Latn")
    harness.press("home-submit")
    harness.press("service-general_application")
    harness.press("category-documents")
    harness.type_text("Maʼlumotnoma kerak")
    harness.press("next")
    harness.wait_for_screen("phone")
    harness.press("next")  # no phone
    harness.wait_for_screen("review")
    harness.press("consent")
    harness.press("submit")
    harness.wait_for_screen("print_failed", timeout=15)
    outcome = flow.state.data.outcome
    assert group_case_number(outcome.case_number) in harness.texts()
    check_layout(harness, "uz_Latn-10-print-failed")
    printer_simulator.set_paper(PaperState.OK)
    harness.press("reprint")
    harness.wait_for_screen("done", timeout=15)
    receipt = printer_simulator.wait_for_receipt(after=0)
    assert [s.data.decode() for s in decode(Image.open(receipt))] == [outcome.qr_data]
    harness.unmount()
