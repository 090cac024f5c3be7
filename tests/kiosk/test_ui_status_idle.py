"""The real Kivy app driven by touches: checking a case (typed, scanned), the idle reset."""

from __future__ import annotations

from devices.printer.simulator import PrinterSimulator
from devices.scanner.simulator import ScannerSimulator
from kiosk.i18n import translator
from kiosk.messages import ERROR_MESSAGES
from kiosk.runtime import KioskRuntime
from kiosk.session import ErrorCode, Step
from tests.kiosk.flow_doubles import ManualClock
from tests.kiosk.ui_helpers import check_layout


def test_a_typo_is_refused_and_a_scanned_receipt_shows_its_case(
    kiosk_harness,
    kiosk_runtime: KioskRuntime,
    scanner_simulator: ScannerSimulator,
    printer_simulator: PrinterSimulator,
) -> None:
    harness = kiosk_harness
    submitted = kiosk_runtime.make_flow()  # a case filed earlier at this kiosk
    submitted.choose_language("uz_Cyrl")
    submitted.start_submission()
    submitted.choose_service("customs_report")
    submitted.choose_category("illegal_goods")
    submitted.set_text("Бозорда ноқонуний товарлар сотилмоқда.")
    submitted.submit_text()
    submitted.submit_phone()
    submitted.set_consent(True)
    submitted.confirm()
    case = submitted.state.data.outcome

    flow = harness.mount_runtime(kiosk_runtime)
    harness.press("language-uz_Cyrl")
    harness.press("home-check")
    harness.wait_for_screen("status_entry")
    typo = case.case_number[:-2] + case.case_number[-1] + case.case_number[-2]
    if typo == case.case_number:
        typo = case.case_number[:-1] + str((int(case.case_number[-1]) + 1) % 10)
    harness.type_digits(typo)
    harness.press("check")
    assert flow.state.error is ErrorCode.CASE_CHECK_DIGIT
    message = translator("uz_Cyrl").gettext(ERROR_MESSAGES[ErrorCode.CASE_CHECK_DIGIT])
    assert message in harness.texts()
    check_layout(harness, "uz_Cyrl-11-status-typo")
    harness.press("keypad-clear")
    harness.type_digits(case.case_number)
    harness.press("check")
    harness.wait_for_screen("status_result", timeout=10)
    check_layout(harness, "uz_Cyrl-13-status-result")

    harness.press("start-over")
    harness.wait_for_screen("language")
    harness.press("language-uz_Cyrl")
    harness.wait_for_screen("home")
    scanner_simulator.scan(case.qr_data)  # the receipt's QR, held under the scanner at home
    harness.wait_for_screen("status_result", timeout=10)
    assert flow.state.data.status.case_number == case.case_number
    harness.unmount()


def test_an_unanswered_idle_warning_wipes_the_session(
    kiosk_harness, kiosk_runtime: KioskRuntime
) -> None:
    harness = kiosk_harness
    clock = ManualClock()
    flow = harness.mount_runtime(
        kiosk_runtime, clock=clock, idle_warning_seconds=90, idle_reset_seconds=20
    )
    harness.press("language-uz_Latn")
    harness.press("home-submit")
    harness.press("service-general_application")
    harness.press("category-residence")
    harness.wait_for_screen("text")
    harness.type_text("Oʻqishga")
    clock.now += 90
    harness.wait_until(lambda: harness.has("idle-continue"), what="the idle warning")
    check_layout(harness, "uz_Latn-14-idle-warning")
    harness.press("idle-continue")
    assert not harness.has("idle-continue")
    assert flow.state.step is Step.TEXT and flow.state.data.text == "Oʻqishga"

    clock.now += 90
    harness.wait_until(lambda: flow.state.step is Step.IDLE_WARNING, what="the second warning")
    clock.now += 20
    harness.wait_for_screen("language")
    assert flow.state.data.is_blank
    assert not harness.has("idle-continue")
    harness.unmount()
