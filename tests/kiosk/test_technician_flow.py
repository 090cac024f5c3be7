"""The technician's hidden gesture, PIN and lockout in the flow, over a real printer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.contracts import DeviceHealth, DeviceKind
from config.profiles import KioskProfile, TechnicianConfig, hash_pin
from devices.printer.driver import open_printer
from devices.printer.interface import PaperState
from devices.printer.simulator import PrinterSimulator
from kiosk.flow import InvalidTransition, KioskFlow
from kiosk.flow_technician import RuntimeDesk
from kiosk.outbox import Outbox
from kiosk.runtime import KioskRuntime
from kiosk.session import Step, TechnicianError
from tests.kiosk.flow_doubles import ManualClock, ScriptedSubmitter, StatusBook, to_text_step

DEMO_PIN = "2468"


@pytest.fixture
def runtime(kiosk_profile: KioskProfile, kiosk_outbox: Outbox) -> Iterator[KioskRuntime]:
    """A kiosk with its printer on the simulator, no backend credential, no other devices."""
    running = KioskRuntime(kiosk_profile, kiosk_outbox)
    running.printer = open_printer(kiosk_profile.devices.printer)
    yield running
    running.printer.close()


@pytest.fixture
def tech_flow(runtime: KioskRuntime, clock: ManualClock) -> KioskFlow:
    return KioskFlow(
        runtime.profile,
        ScriptedSubmitter(),
        StatusBook(),
        clock=clock,
        technician_desk=RuntimeDesk(runtime),
    )


def tap_gesture(flow: KioskFlow, clock: ManualClock, taps: int = 5, gap: float = 0.5) -> None:
    for _ in range(taps):
        flow.hidden_gesture_tap()
        clock.advance(gap)


def test_demo_profile_pin_is_hashed_and_2468(demo_profile: KioskProfile) -> None:
    settings = demo_profile.technician
    assert settings.pin_hash.startswith("pbkdf2_sha256$") and not settings.pin
    assert settings.accepts(DEMO_PIN)
    assert not settings.accepts("2469") and not settings.accepts("")
    assert (settings.max_wrong_pins, settings.lockout_seconds) == (3, 60)


def test_plain_digit_pins_and_fresh_hashes() -> None:
    assert TechnicianConfig(pin="9753").accepts("9753")
    assert not TechnicianConfig(pin="9753").accepts("975")
    assert not TechnicianConfig().pin_set and not TechnicianConfig().accepts("")
    hashed = TechnicianConfig(pin_hash=hash_pin("11", b"salt-1234567890"))
    assert hashed.accepts("11") and not hashed.accepts("12")
    with pytest.raises(ValueError):
        TechnicianConfig(pin="12ab")


def test_five_taps_within_three_seconds_open_the_pin_screen(
    tech_flow: KioskFlow, clock: ManualClock
) -> None:
    tap_gesture(tech_flow, clock, taps=4)
    assert tech_flow.state.step is Step.LANGUAGE
    tech_flow.hidden_gesture_tap()
    assert tech_flow.state.step is Step.TECHNICIAN_PIN
    view = tech_flow.state.technician
    assert view is not None and view.kiosk_code == tech_flow.profile.kiosk.code


def test_slower_taps_do_not_open_it(tech_flow: KioskFlow, clock: ManualClock) -> None:
    tap_gesture(tech_flow, clock, taps=12, gap=0.8)  # five taps span 3.2 s
    assert tech_flow.state.step is Step.LANGUAGE


def test_no_desk_or_no_pin_means_no_technician_screen(
    runtime: KioskRuntime, clock: ManualClock
) -> None:
    without_desk = KioskFlow(runtime.profile, ScriptedSubmitter(), StatusBook(), clock=clock)
    tap_gesture(without_desk, clock)
    assert without_desk.state.step is Step.LANGUAGE
    no_pin = runtime.profile.model_copy(update={"technician": TechnicianConfig()})
    flow = KioskFlow(
        no_pin, ScriptedSubmitter(), StatusBook(), clock=clock, technician_desk=RuntimeDesk(runtime)
    )
    tap_gesture(flow, clock)
    assert flow.state.step is Step.LANGUAGE


def test_the_gesture_wipes_a_citizen_session(tech_flow: KioskFlow, clock: ManualClock) -> None:
    to_text_step(tech_flow)
    tech_flow.set_text("My neighbour blocks the road with his car every day.")
    assert not tech_flow.state.data.is_blank
    tap_gesture(tech_flow, clock)
    assert tech_flow.state.step is Step.TECHNICIAN_PIN
    assert tech_flow.state.data.is_blank


def test_right_pin_opens_the_technician_screen_with_device_states(
    tech_flow: KioskFlow, clock: ManualClock, printer_simulator: PrinterSimulator
) -> None:
    printer_simulator.set_paper(PaperState.OUT)
    tap_gesture(tech_flow, clock)
    tech_flow.submit_pin(DEMO_PIN)
    state = tech_flow.state
    assert state.step is Step.TECHNICIAN and state.technician is not None
    check = state.technician.check
    assert check is not None  # background work runs at once in this flow
    reports = {report.device: report for report in check.devices}
    printer = reports[DeviceKind.PRINTER]
    assert printer.health is DeviceHealth.ERROR and "paper out" in printer.detail
    assert reports[DeviceKind.SCANNER].health is DeviceHealth.ERROR  # none opened
    assert check.backend_answers is False  # no backend client on this kiosk
    assert check.outbox_backlog == 0
    printer_simulator.set_paper(PaperState.OK)
    tech_flow.technician_refresh()
    check = tech_flow.state.technician.check
    assert {r.device: r.health for r in check.devices}[DeviceKind.PRINTER] is DeviceHealth.OK


def test_wrong_pins_lock_the_keypad_for_a_minute(tech_flow: KioskFlow, clock: ManualClock) -> None:
    tap_gesture(tech_flow, clock)
    tech_flow.submit_pin("1111")
    assert tech_flow.state.technician.error is TechnicianError.WRONG_PIN
    tech_flow.submit_pin("2222")
    tech_flow.submit_pin("3333")
    view = tech_flow.state.technician
    assert (view.error, view.locked_seconds) == (TechnicianError.LOCKED_OUT, 60)
    clock.advance(30)
    tech_flow.submit_pin(DEMO_PIN)  # the right PIN is not even checked while locked
    assert tech_flow.state.step is Step.TECHNICIAN_PIN
    assert tech_flow.state.technician.locked_seconds == 30
    tech_flow.technician_exit()
    tap_gesture(tech_flow, clock)  # leaving and coming back does not lift the lockout
    assert tech_flow.state.technician.error is TechnicianError.LOCKED_OUT
    clock.advance(31)
    tech_flow.submit_pin(DEMO_PIN)
    assert tech_flow.state.step is Step.TECHNICIAN


def test_print_test_page_reaches_the_printer_and_exit_returns_to_language(
    tech_flow: KioskFlow, clock: ManualClock, printer_simulator: PrinterSimulator
) -> None:
    tap_gesture(tech_flow, clock)
    tech_flow.submit_pin(DEMO_PIN)
    tech_flow.technician_print_test()
    receipt = printer_simulator.wait_for_receipt(timeout=5, after=0)
    assert receipt.with_suffix(".txt").read_text().startswith("TEST PAGE\n")
    assert tech_flow.state.technician.test_page_printed
    printer_simulator.set_paper(PaperState.OUT)
    tech_flow.technician_print_test()
    view = tech_flow.state.technician
    assert view.error is TechnicianError.PRINT_FAILED and not view.test_page_printed
    tech_flow.technician_exit()
    assert tech_flow.state.step is Step.LANGUAGE and tech_flow.state.technician is None
    with pytest.raises(InvalidTransition):
        tech_flow.technician_refresh()
