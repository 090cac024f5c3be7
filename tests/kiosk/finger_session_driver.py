"""Drives a kiosk flow through the finger screens against the simulated reader.

The real driver talks to the simulator over a pseudo-terminal on the reader loop's thread;
the flow's "UI thread" is the test's own: ``pump`` runs what was dispatched until a condition
holds. The citizen's hand is the simulator's ``place_finger`` / ``lift_finger``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import time
from collections.abc import Callable, Iterator

from config.profiles import KioskProfile
from devices.fingerprint.driver import R30xReader
from devices.fingerprint.simulator import FingerprintSimulator
from kiosk.background import Task, run_in_thread
from kiosk.finger_reader import FingerReaderFeed
from kiosk.flow import KioskFlow
from kiosk.session import FingerPhase, FlowState, Step
from tests.kiosk.flow_doubles import ScriptedSubmitter, StatusBook

FAST_BAUD = 921600  # the line rate is measured by benchmarks/fingerprint_capture.py


def finger_profile(profile: KioskProfile, fingers: list[str], **capture: object) -> KioskProfile:
    """The profile with the ID card asking ``fingers`` and no face step before them."""
    services = [
        s.model_copy(update={"identity": "none", "fingers": fingers, "fee": False})
        if s.code == "id_card"
        else s
        for s in profile.services
    ]
    finger_capture = profile.finger_capture.model_copy(update={"poll_seconds": 0.05, **capture})
    return profile.model_copy(update={"services": services, "finger_capture": finger_capture})


def face_only(profile: KioskProfile) -> KioskProfile:
    """The profile with no service asking for fingerprints: the face, the form, the fee."""
    services = [s.model_copy(update={"fingers": []}) for s in profile.services]
    return profile.model_copy(update={"services": services})


def catalogue_of(profile: KioskProfile) -> str:
    """A backend service catalogue (TOML) requiring exactly what ``profile``'s kiosk asks."""
    lines: list[str] = []
    for service in profile.services:
        lines += [
            f"[services.{service.code}]",
            f'identity = "{service.identity}"',
            f"fingers = {json.dumps(service.fingers)}",
            f"fee = {'true' if service.fee else 'false'}",
        ]
    return "\n".join(lines) + "\n"


class FingerSessionDriver:
    """A flow whose finger screen reads ``simulator`` through the real R30x driver."""

    def __init__(self, profile: KioskProfile, simulator: FingerprintSimulator) -> None:
        self.simulator = simulator
        self.submitter = ScriptedSubmitter()
        self.tasks: queue.Queue[Task] = queue.Queue()
        self.feed = FingerReaderFeed(self._open_reader, self.tasks.put, poll_seconds=0.05)
        self.flow = KioskFlow(
            profile,
            self.submitter,
            StatusBook(),
            dispatch=self.tasks.put,
            run_in_background=run_in_thread,
            finger_feed=self.feed,
        )

    def _open_reader(self) -> R30xReader:
        """The reader at the simulator's stable path, as the kiosk opens its configured one."""
        port = self.simulator.link_path or self.simulator.port_name
        return R30xReader(str(port), FAST_BAUD, timeout_seconds=0.5)

    def start(self) -> FlowState:
        """Language and service: up to the first finger."""
        self.flow.choose_language("en")
        self.flow.start_submission()
        self.flow.choose_service("id_card")
        return self.flow.state

    def pump(self, until: Callable[[FlowState], bool], timeout: float = 15) -> FlowState:
        deadline = time.monotonic() + timeout
        while not until(self.flow.state):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out at {self.flow.state.step}: {self.flow.state}")
            with contextlib.suppress(queue.Empty):
                self.tasks.get(timeout=0.05)()
        return self.flow.state

    def run_for(self, seconds: float) -> FlowState:
        """Run dispatched work for a while, whatever happens."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with contextlib.suppress(queue.Empty):
                self.tasks.get(timeout=0.05)()
        return self.flow.state

    def phase(self, *phases: FingerPhase, timeout: float = 15) -> FlowState:
        def reached(state: FlowState) -> bool:
            view = state.data.finger
            return state.step is Step.FINGER_CAPTURE and view is not None and view.phase in phases

        return self.pump(reached, timeout)

    def touch(self, name: str, condition: str = "clean") -> FlowState:
        """Place a finger, wait for the verdict, lift it: one attempt."""
        self.simulator.place_finger(name, condition)
        state = self.phase(FingerPhase.LIFT)
        self.simulator.lift_finger()
        return state

    def after_lift(self, timeout: float = 15) -> FlowState:
        """Wait until the flow has seen the finger leave (the next finger, or a choice)."""
        return self.pump(
            lambda s: s.data.finger is None or s.data.finger.phase is not FingerPhase.LIFT,
            timeout,
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.flow.finish()
        self.feed.stop()


@contextlib.contextmanager
def finger_session(
    profile: KioskProfile, simulator: FingerprintSimulator
) -> Iterator[FingerSessionDriver]:
    driver = FingerSessionDriver(profile, simulator)
    try:
        yield driver
    finally:
        driver.close()
