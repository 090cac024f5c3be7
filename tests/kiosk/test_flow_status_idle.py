"""The citizen's session state machine: checking a case, scanning, the idle warning and reset."""

from __future__ import annotations

import pytest

from backend.contracts import PublicStage, make_case_number
from config.profiles import KioskProfile
from kiosk.flow import InvalidTransition, KioskFlow
from kiosk.session import ErrorCode, Step
from tests.kiosk.flow_doubles import (
    KNOWN_CASE,
    ManualClock,
    ScriptedSubmitter,
    StatusBook,
    fill_form,
    to_text_step,
)

# --- checking a case ----------------------------------------------------------------------


def to_status_entry(flow: KioskFlow) -> None:
    flow.choose_language("ru")
    flow.start_status_check()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", ErrorCode.CASE_EMPTY),
        (KNOWN_CASE[:-1], ErrorCode.CASE_LENGTH),
        ("000100004736", ErrorCode.CASE_CHECK_DIGIT),  # one digit wrong (2 -> 7)
        ("000100004326", ErrorCode.CASE_CHECK_DIGIT),  # two neighbours swapped (23 -> 32)
    ],
)
def test_typos_in_a_case_number_are_caught_before_asking(
    flow: KioskFlow, statuses: StatusBook, typed: str, error: ErrorCode
) -> None:
    to_status_entry(flow)
    flow.set_case_entry(typed)
    flow.lookup()
    assert (flow.state.step, flow.state.error) == (Step.STATUS_ENTRY, error)
    assert flow.state.data.case_entry == typed
    assert statuses.asked == []


def test_only_digits_up_to_a_full_number_can_be_typed(flow: KioskFlow) -> None:
    to_status_entry(flow)
    flow.set_case_entry("0001a")
    assert flow.state.error is ErrorCode.CASE_NOT_DIGITS
    assert flow.state.data.case_entry == ""
    flow.set_case_entry(KNOWN_CASE + "1")
    assert flow.state.data.case_entry == ""


def test_a_typed_number_shows_the_status(flow: KioskFlow, statuses: StatusBook) -> None:
    to_status_entry(flow)
    flow.set_case_entry(KNOWN_CASE)
    flow.lookup()
    assert flow.state.step is Step.STATUS_RESULT
    assert flow.state.data.status.stage is PublicStage.IN_REVIEW
    flow.check_another()
    assert flow.state.step is Step.STATUS_ENTRY
    assert (flow.state.data.case_entry, flow.state.data.status) == ("", None)


def test_unknown_case_and_unreachable_backend_are_told_apart(
    flow: KioskFlow, statuses: StatusBook
) -> None:
    to_status_entry(flow)
    flow.set_case_entry(make_case_number("0001", 9))
    flow.lookup()
    assert (flow.state.step, flow.state.error) == (Step.STATUS_ENTRY, ErrorCode.CASE_NOT_FOUND)
    statuses.reachable = False
    flow.set_case_entry(KNOWN_CASE)
    flow.lookup()
    assert flow.state.error is ErrorCode.STATUS_UNAVAILABLE
    assert flow.state.data.case_entry == KNOWN_CASE


@pytest.mark.parametrize(
    "scanned",
    [
        f"https://status.example.uz/s/{KNOWN_CASE}/abcdefghij",
        KNOWN_CASE,
        f"  {KNOWN_CASE}\r",
    ],
)
def test_scanning_a_receipt_at_home_shows_its_status(flow: KioskFlow, scanned: str) -> None:
    flow.choose_language("uz_Latn")
    assert flow.scanned(scanned) is True
    assert flow.state.step is Step.STATUS_RESULT
    assert flow.state.data.case_entry == KNOWN_CASE


def test_scanning_something_else_says_so_on_the_check_screen(flow: KioskFlow) -> None:
    flow.choose_language("uz_Latn")
    assert flow.scanned("WIFI:S:cafe;T:WPA;P:secret;;") is True
    assert (flow.state.step, flow.state.error) == (Step.STATUS_ENTRY, ErrorCode.SCAN_UNREADABLE)


def test_a_scan_in_the_middle_of_a_form_is_ignored(flow: KioskFlow, statuses) -> None:
    to_text_step(flow)
    flow.set_text("Yarim yozilgan matn")
    assert flow.scanned(KNOWN_CASE) is False
    assert flow.state.step is Step.TEXT
    assert flow.state.data.text == "Yarim yozilgan matn"
    assert statuses.asked == []


# --- idle ---------------------------------------------------------------------------------


def test_idle_warning_counts_down_and_a_touch_keeps_the_session(
    flow: KioskFlow, clock: ManualClock
) -> None:
    to_text_step(flow)
    flow.set_text("Yarim yozilgan matn")
    seconds: list[int | None] = []
    flow.subscribe(lambda state: seconds.append(state.idle_seconds_left))
    flow.tick(clock.advance(59))
    assert flow.state.step is Step.TEXT
    flow.tick(clock.advance(1))
    assert (flow.state.step, flow.state.resume_step) == (Step.IDLE_WARNING, Step.TEXT)
    assert flow.state.screen is Step.TEXT  # the screen stays under the warning
    flow.tick(clock.advance(0.5))
    flow.tick(clock.advance(0.6))
    assert seconds == [20, 19]
    flow.touch()
    assert (flow.state.step, flow.state.idle_seconds_left) == (Step.TEXT, None)
    assert flow.state.data.text == "Yarim yozilgan matn"
    flow.tick(clock.advance(59))
    assert flow.state.step is Step.TEXT  # the touch restarted the idle time


def test_no_answer_to_the_warning_resets_and_forgets(flow: KioskFlow, clock: ManualClock):
    fill_form(flow)
    flow.tick(clock.advance(60))
    assert flow.state.step is Step.IDLE_WARNING
    flow.tick(clock.advance(19.9))
    assert flow.state.step is Step.IDLE_WARNING
    flow.tick(clock.advance(0.1))
    assert flow.state.step is Step.LANGUAGE
    assert flow.state.data.is_blank
    flow.tick(clock.advance(3600))
    assert flow.state.step is Step.LANGUAGE  # an empty start screen has nothing to warn about


def test_an_event_during_the_warning_resumes_and_applies(flow: KioskFlow, clock: ManualClock):
    to_text_step(flow)
    flow.tick(clock.advance(60))
    flow.set_text("Yangi matn yozilmoqda")
    assert (flow.state.step, flow.state.data.text) == (Step.TEXT, "Yangi matn yozilmoqda")
    flow.tick(clock.advance(60))
    with pytest.raises(InvalidTransition):
        flow.lookup()  # wrong step, but the citizen is back all the same
    assert flow.state.step is Step.TEXT


def test_a_scan_during_the_warning_counts_as_presence(flow: KioskFlow, clock: ManualClock):
    flow.choose_language("ru")
    flow.tick(clock.advance(61))
    assert flow.state.step is Step.IDLE_WARNING
    assert flow.scanned(KNOWN_CASE)
    assert flow.state.step is Step.STATUS_RESULT


def test_idle_times_come_from_the_profile_by_default(demo_profile: KioskProfile) -> None:
    flow = KioskFlow(demo_profile, ScriptedSubmitter(), StatusBook())
    assert flow.idle_warning_seconds == demo_profile.kiosk.idle_warning_seconds
    assert flow.idle_reset_seconds == demo_profile.kiosk.idle_reset_seconds
