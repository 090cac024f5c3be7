"""End to end: a citizen applies for an ID card in Uzbek. They identify on the keypad, the
camera simulator's "approaching" person is coached by the face screen (a screenshot of each
instruction), answers the liveness challenges, is verified by the backend against the person
registry, and leaves with a receipt; the case carries the verification.

The real Kivy app, the real backend over HTTP, the real camera, printer and scanner drivers
against their simulators. Screenshots are kept under var/artifacts/e2e-face/.
"""

from __future__ import annotations

from backend.commands import show_case_identity_command
from backend.contracts import VerificationDecision, group_case_number
from backend.identity.demo_people import demo_person
from devices.camera.simulator import CameraSimulator
from devices.printer.simulator import PrinterSimulator
from kiosk.face_messages import CHALLENGES, INSTRUCTIONS
from kiosk.i18n import translator
from kiosk.runtime import KioskRuntime
from kiosk.session import FlowState, Step
from tests.kiosk.face_session_driver import ACT_FOR_CHALLENGE
from tests.kiosk.real_parts import RunningBackend
from tests.kiosk.ui_helpers import fresh_artifacts

LANGUAGE = "uz_Latn"
OBAMA = demo_person("obama")


def test_id_card_applicant_is_coached_verified_by_face_and_gets_a_receipt(
    kiosk_harness,
    kiosk_runtime: KioskRuntime,
    station_backend: RunningBackend,
    printer_simulator: PrinterSimulator,
    camera_simulator: CameraSimulator,
) -> None:
    harness = kiosk_harness
    shots = fresh_artifacts("e2e-face")
    flow = harness.mount_runtime(kiosk_runtime)
    tr = translator(LANGUAGE)
    taken: list[str] = []

    def keep(name: str) -> None:
        harness.step(2)
        label = f"{len(taken) + 1:02d}-{name}"
        harness.screenshot(label).replace(shots / f"{label}.png")
        taken.append(name)

    def arrive(screen: str, timeout: float = 10) -> None:
        harness.wait_for_screen(screen, timeout=timeout)
        keep(screen)

    arrive("language")
    harness.press(f"language-{LANGUAGE}")
    arrive("home")
    harness.press("home-submit")
    arrive("service")
    harness.press("service-id_card")
    arrive("identify_number")
    harness.type_digits(OBAMA.personal_number[:-1] + "0")  # a typo in the check digit
    harness.press("next")
    harness.step(2)
    assert flow.state.step is Step.IDENTIFY_NUMBER and flow.state.error is not None
    keep("identify_number-typo")
    harness.press("keypad-backspace")
    harness.type_digits(OBAMA.personal_number[-1])
    harness.press("next")
    arrive("identify_birth")
    harness.type_digits(OBAMA.birth_date.strftime("%d%m%Y"))
    harness.press("next")
    harness.wait_for_screen("face_capture")

    # The person walks up; every new instruction on screen is photographed, and the person
    # does what each liveness challenge asks.
    camera_simulator.set_scenario("approaching", "obama_2")
    shown: list[str] = []

    def prompt(state: FlowState) -> str | None:
        face = state.data.face
        if state.step is not Step.FACE_CAPTURE or face is None:
            return None
        if face.challenge:
            return f"challenge-{face.challenge_index}-{face.challenge}"
        return face.instruction

    def follow() -> bool:
        state = flow.state
        current = prompt(state)
        if current and (not shown or shown[-1] != current):
            shown.append(current)
            challenge = state.data.face.challenge
            expected = tr.gettext(CHALLENGES[challenge] if challenge else INSTRUCTIONS[current])
            harness.wait_until(lambda: expected in harness.texts(), what=f"prompt {expected!r}")
            keep(f"face_capture-{current}")
            if challenge:  # the person does as asked once it is on screen
                camera_simulator.act(ACT_FOR_CHALLENGE[challenge])
        return state.step is not Step.FACE_CAPTURE

    harness.wait_until(follow, timeout=45, what="the face capture to finish")
    instructions = [name for name in shown if not name.startswith("challenge-")]
    assert len(set(instructions)) >= 3, shown
    assert [name for name in shown if name.startswith("challenge-")], shown
    arrive("face_confirm")
    harness.press("use_photo")
    arrive("category", timeout=30)
    verification = flow.state.data.verification
    assert verification.decision is VerificationDecision.VERIFIED

    harness.press("category-first")
    arrive("phone")
    harness.press("next")
    arrive("review")
    harness.press("consent")
    harness.press("submit")
    arrive("done", timeout=20)
    outcome = flow.state.data.outcome
    assert outcome.delivered and outcome.print_error is None
    assert group_case_number(outcome.case_number) in harness.texts()
    printer_simulator.wait_for_receipt(after=0)
    harness.unmount()

    report = show_case_identity_command(station_backend.settings, outcome.case_number)
    assert str(verification.verification_id) in report or "verified" in report, report
    assert OBAMA.personal_number in report
    assert all((shots / f"{n:02d}-{name}.png").stat().st_size > 10_000
               for n, name in enumerate(taken, 1))  # fmt: skip
