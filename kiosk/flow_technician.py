"""The technician's screens: a hidden gesture, a PIN with a lockout, then the kiosk's
identity, its devices, its backend link, and a test page.

The gesture works at any step that is not waiting on slow work; it ends the citizen's session
first (its data is wiped, as by "Start over"), so the technician never sees citizen data.
Part of ``KioskFlow``; every event runs on the UI thread, the checks in the background.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from backend.contracts import CommandKind, KioskCommand
from config.profiles import KioskProfile
from kiosk.fleet.commands import CommandExecutor, CommandHooks
from kiosk.fleet.device_health import DeviceProbes
from kiosk.fleet.heartbeat import software_version
from kiosk.fleet.wiring import configured_devices
from kiosk.session import (
    FlowState,
    Step,
    TechnicianCheck,
    TechnicianDesk,
    TechnicianError,
    TechnicianView,
)

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

TECHNICIAN_STEPS = (Step.TECHNICIAN_PIN, Step.TECHNICIAN)


class TechnicianSteps:
    """The hidden gesture, the PIN check with its lockout, and the technician's buttons."""

    profile: KioskProfile
    _state: FlowState
    _clock: Callable[[], float]
    _technician_desk: TechnicianDesk | None = None
    _gesture_taps: tuple[float, ...] = ()
    _wrong_pins: int = 0
    _locked_until: float = 0.0

    if TYPE_CHECKING:

        def _accept(self, *steps: Step) -> None: ...

        def _set(self, **changes: Any) -> None: ...

        def _reset(self) -> None: ...

        def _run(
            self, work: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]
        ) -> None: ...

    # --- events --------------------------------------------------------------------------

    def hidden_gesture_tap(self, now: float | None = None) -> None:
        """A tap on the header's corner; enough of them in a short time open the PIN screen."""
        now = self._clock() if now is None else now
        settings = self.profile.technician
        if self._technician_desk is None or not settings.pin_set:
            return
        taps = (*self._gesture_taps, now)
        self._gesture_taps = tuple(t for t in taps if now - t < settings.gesture_seconds)
        if len(self._gesture_taps) < settings.gesture_taps:
            return
        self._gesture_taps = ()
        state = self._state
        if state.busy or state.step in TECHNICIAN_STEPS or state.step in _SLOW_STEPS:
            return
        if not state.data.is_blank or state.step is Step.IDLE_WARNING:
            self._reset()  # the citizen's session ends here, its data wiped
        self._set(step=Step.TECHNICIAN_PIN, technician=self._technician_view(), error=None)
        self._show_lockout()

    def submit_pin(self, digits: str) -> None:
        """Check the typed PIN; the technician screen opens when it is right."""
        self._accept(Step.TECHNICIAN_PIN)
        if self._state.busy or self._show_lockout():
            return
        settings = self.profile.technician
        self._set(busy=True)
        self._run(lambda: settings.accepts(digits), self._pin_checked)

    def technician_refresh(self) -> None:
        """Run the device self-tests and the backend check again."""
        self._accept(Step.TECHNICIAN)
        self._start_check()

    def technician_print_test(self) -> None:
        self._accept(Step.TECHNICIAN)
        view = self._view()
        if view.printing:
            return
        self._set(technician=_replace(view, printing=True, error=None, test_page_printed=False))
        desk = self._desk()
        self._run(desk.print_test_page, self._test_page_done)

    def technician_exit(self) -> None:
        """Leave the technician screens for the kiosk's start (the language screen)."""
        self._accept(*TECHNICIAN_STEPS)
        self._reset()

    # --- internals -----------------------------------------------------------------------

    def _desk(self) -> TechnicianDesk:
        assert self._technician_desk is not None  # the gesture needs one
        return self._technician_desk

    def _view(self) -> TechnicianView:
        view = self._state.technician
        return view if view is not None else self._technician_view()

    def _technician_view(self) -> TechnicianView:
        kiosk = self.profile.kiosk
        return TechnicianView(
            kiosk_code=kiosk.code,
            kiosk_name=kiosk.name,
            office=kiosk.office,
            software_version=software_version(),
            backend_url=self._desk().backend_url,
        )

    def _show_lockout(self) -> bool:
        """Show how long the PIN stays locked; False when it is not."""
        left = self._locked_until - self._clock()
        if left <= 0:
            return False
        view = _replace(
            self._view(), error=TechnicianError.LOCKED_OUT, locked_seconds=math.ceil(left)
        )
        self._set(technician=view)
        return True

    def _pin_checked(self, right: bool | None, error: Exception | None) -> None:
        if self._state.step is not Step.TECHNICIAN_PIN:
            return
        if error is not None or not right:
            if error is not None:
                log.error("the PIN could not be checked", exc_info=error)
            self._wrong_pins += 1
            settings = self.profile.technician
            if self._wrong_pins >= settings.max_wrong_pins:
                self._wrong_pins = 0
                self._locked_until = self._clock() + settings.lockout_seconds
                log.warning("technician PIN locked for %g s", settings.lockout_seconds)
                self._set(busy=False)
                self._show_lockout()
                return
            view = _replace(self._view(), error=TechnicianError.WRONG_PIN, locked_seconds=0)
            self._set(busy=False, technician=view)
            return
        self._wrong_pins = 0
        log.info("technician screen opened")
        self._set(step=Step.TECHNICIAN, busy=False, technician=self._technician_view())
        self._start_check()

    def _start_check(self) -> None:
        self._set(technician=_replace(self._view(), check=None, error=None))
        self._run(self._desk().check, self._checked)

    def _checked(self, check: TechnicianCheck | None, error: Exception | None) -> None:
        if self._state.step is not Step.TECHNICIAN:
            return
        if error is not None or check is None:
            log.error("technician checks failed", exc_info=error)
            check = TechnicianCheck(devices=(), backend_answers=False, outbox_backlog=-1)
        self._set(technician=_replace(self._view(), check=check))

    def _test_page_done(self, _result: object, error: Exception | None) -> None:
        if self._state.step is not Step.TECHNICIAN:
            return
        if error is not None:
            log.error("test page failed: %s", error)
        view = _replace(
            self._view(),
            printing=False,
            test_page_printed=error is None,
            error=TechnicianError.PRINT_FAILED if error is not None else None,
        )
        self._set(technician=view)


_SLOW_STEPS = (Step.SUBMITTING, Step.STATUS_LOOKUP, Step.FACE_VERIFYING, Step.PAYMENT)


def _replace(view: TechnicianView, **changes: Any) -> TechnicianView:
    return replace(view, **changes)


class TestPageFailed(Exception):
    """The printer did not take the test page; the message says why."""


class RuntimeDesk:
    """The technician's checks over a running kiosk: its devices (probed as the heartbeat
    probes them), its backend client, its outbox; the test page as the operator's command."""

    def __init__(self, runtime: KioskRuntime) -> None:
        self._runtime = runtime
        client = runtime.interactive_client
        self.backend_url = client.base_url if client is not None else runtime.profile.backend.url

    def check(self) -> TechnicianCheck:
        runtime = self._runtime
        # No session is open on these screens: every device may be opened and tried.
        probes = DeviceProbes(
            configured_devices(runtime.profile),
            printer=lambda: runtime.printer,
            scanner=lambda: runtime.scanner,
            camera=lambda: runtime.camera,
            open_reader=lambda: runtime.open_finger_reader,
            camera_guard=runtime.camera_guard,
            reader_guard=runtime.reader_guard,
        )
        client = runtime.interactive_client
        return TechnicianCheck(
            devices=tuple(probes.collect()),
            backend_answers=client is not None and client.health(),
            outbox_backlog=runtime.outbox.backlog(),
        )

    def print_test_page(self) -> None:
        executor = CommandExecutor(CommandHooks(printer=lambda: self._runtime.printer))
        command = KioskCommand(
            command_id=uuid4(), kind=CommandKind.PRINT_TEST_PAGE, issued_at=datetime.now(UTC)
        )
        result = executor.execute(command)
        if not result.ok:
            raise TestPageFailed(result.detail)
