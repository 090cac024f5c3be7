"""Out of service in the citizen's flow: by an operator, by a device down, never mid-session."""

from __future__ import annotations

import pytest

from config.profiles import KioskProfile, load_profile
from kiosk.flow import InvalidTransition, KioskFlow
from kiosk.session import Step
from tests.kiosk.flow_doubles import ManualClock, to_text_step
from tests.kiosk.real_parts import DEMO_PROFILE


def test_operator_takes_a_resting_kiosk_out_at_once_and_back(flow: KioskFlow) -> None:
    flow.take_out_of_service("paper roll being changed")
    assert flow.state.step is Step.OUT_OF_SERVICE
    assert not flow.in_service
    assert flow.out_of_service_reason == "operator: paper roll being changed"
    flow.put_back_in_service()
    assert flow.state.step is Step.LANGUAGE
    assert flow.in_service and flow.out_of_service_reason is None


def test_nothing_can_be_started_while_out_of_service(flow: KioskFlow, clock: ManualClock) -> None:
    flow.take_out_of_service()
    for event in (lambda: flow.choose_language("ru"), flow.finish, flow.back):
        with pytest.raises(InvalidTransition):
            event()
    assert not flow.scanned("00010000000017")
    clock.advance(3600)
    flow.tick()
    assert flow.state.step is Step.OUT_OF_SERVICE  # no idle warning on the notice


def test_a_citizen_in_a_session_finishes_before_the_switch(flow: KioskFlow) -> None:
    to_text_step(flow)
    flow.take_out_of_service()
    flow.report_devices_down(["printer"])
    assert flow.state.step is Step.TEXT
    assert flow.in_service and flow.out_of_service_wanted
    flow.finish()
    assert flow.state.step is Step.OUT_OF_SERVICE
    assert flow.state.data.is_blank


def test_a_chosen_language_is_a_session_that_is_let_finish(flow: KioskFlow) -> None:
    flow.choose_language("ru")
    flow.take_out_of_service()
    assert flow.state.step is Step.HOME
    flow.back()
    assert flow.state.step is Step.LANGUAGE  # data still holds the language: not blank
    flow.finish()
    assert flow.state.step is Step.OUT_OF_SERVICE


def test_idle_reset_ends_the_session_into_out_of_service(
    flow: KioskFlow, clock: ManualClock
) -> None:
    to_text_step(flow)
    flow.report_devices_down(["camera"])
    clock.advance(60)
    flow.tick()
    assert flow.state.step is Step.IDLE_WARNING
    clock.advance(21)
    flow.tick()
    assert flow.state.step is Step.OUT_OF_SERVICE


def test_a_device_down_takes_it_out_and_its_return_brings_it_back(flow: KioskFlow) -> None:
    flow.report_devices_down(["fingerprint", "printer"])
    assert flow.state.step is Step.OUT_OF_SERVICE
    assert flow.out_of_service_reason == "device down: fingerprint, printer"
    flow.report_devices_down(["printer"])
    assert flow.state.step is Step.OUT_OF_SERVICE
    flow.report_devices_down([])
    assert flow.state.step is Step.LANGUAGE


def test_back_in_service_waits_for_the_devices_and_the_devices_for_the_operator(
    flow: KioskFlow,
) -> None:
    flow.take_out_of_service("inspection")
    flow.report_devices_down(["printer"])
    flow.put_back_in_service()
    assert flow.state.step is Step.OUT_OF_SERVICE
    assert flow.out_of_service_reason == "device down: printer"
    flow.take_out_of_service("inspection")
    flow.report_devices_down([])
    assert flow.state.step is Step.OUT_OF_SERVICE
    flow.put_back_in_service()
    assert flow.state.step is Step.LANGUAGE


def test_a_reloaded_profile_is_taken_between_sessions(flow: KioskFlow) -> None:
    reloaded: KioskProfile = load_profile(DEMO_PROFILE)
    reloaded.services = [s for s in reloaded.services if s.code == "mahalla_appeal"]
    reloaded.fleet.heartbeat_seconds = 30
    to_text_step(flow)
    flow.apply_profile(reloaded)
    assert len(flow.profile.services) > 1  # the citizen's session keeps its services
    flow.finish()
    assert [s.code for s in flow.profile.services] == ["mahalla_appeal"]
    assert flow.profile.fleet.heartbeat_seconds == 30
