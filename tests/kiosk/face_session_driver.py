"""Drives a kiosk flow through identification and the face screen against real parts.

The flow runs as in the app, with the camera loop and backend calls on threads, but the "UI
thread" is the test's own: ``pump`` runs what the flow dispatched until a condition holds.
The simulated person follows the liveness challenge on screen, as a citizen would.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable
from typing import Any

from backend.identity.demo_people import DemoPerson
from devices.camera.simulator import CameraSimulator
from kiosk.background import Task, run_in_thread
from kiosk.flow import KioskFlow
from kiosk.runtime import KioskRuntime
from kiosk.session import FlowState, Step

ACT_FOR_CHALLENGE = {"blink": "blink", "turn_left": "left", "turn_right": "right"}


class FaceSessionDriver:
    """A flow over ``runtime`` whose UI thread is the test's; ``flow_options`` go to the flow."""

    def __init__(self, runtime: KioskRuntime, camera: CameraSimulator, **flow_options: Any) -> None:
        self.runtime, self.camera = runtime, camera
        self.tasks: queue.Queue[Task] = queue.Queue()
        self.instructions: list[str] = []
        self.challenges: list[str] = []
        self.flow: KioskFlow = runtime.make_flow(
            dispatch=self.tasks.put, run_in_background=run_in_thread, **flow_options
        )
        self.flow.subscribe(self._observe)

    def pump(self, until: Callable[[FlowState], bool], timeout: float) -> FlowState:
        """Run dispatched work until ``until(state)``; fails the test after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not until(self.flow.state):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out at {self.flow.state.step}: {self.flow.state}")
            self._run_one()
        return self.flow.state

    def run_for(self, seconds: float) -> FlowState:
        """Run dispatched work for a while, whatever happens."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._run_one()
        return self.flow.state

    def _run_one(self) -> None:
        with contextlib.suppress(queue.Empty):
            self.tasks.get(timeout=0.05)()
        self.flow.tick()  # as the app's clock does: idle handling, and polling for payments

    def identify(self, person: DemoPerson, service: str = "id_card") -> None:
        """Language, service, personal number and birth date: up to the face screen."""
        flow = self.flow
        flow.choose_language("en")
        flow.start_submission()
        flow.choose_service(service)
        flow.set_personal_number(person.personal_number)
        flow.submit_personal_number()
        flow.set_birth_digits(person.birth_date.strftime("%d%m%Y"))
        flow.submit_birth_date()
        assert flow.state.step is Step.FACE_CAPTURE, flow.state

    def face_until(self, steps: tuple[Step, ...], timeout: float = 40) -> FlowState:
        return self.pump(lambda state: state.step in steps, timeout)

    def _observe(self, state: FlowState) -> None:
        face = state.data.face
        if state.step is not Step.FACE_CAPTURE or face is None:
            return
        last = self.instructions[-1] if self.instructions else None
        if face.instruction and face.instruction != last:
            self.instructions.append(face.instruction)
        key = f"{face.challenge_index}:{face.challenge}"
        if face.challenge and (not self.challenges or self.challenges[-1] != key):
            self.challenges.append(key)
            self.camera.act(ACT_FOR_CHALLENGE[face.challenge])
