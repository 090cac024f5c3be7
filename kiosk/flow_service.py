"""Out of service: the station stops taking citizens while an operator says so, or while a
device its services need is down, and comes back by itself when neither holds.

A citizen in the middle of a session is let finish: the switch happens only while the kiosk
rests at its start (the language screen with a blank session), or as soon as the session ends.
Part of ``KioskFlow``; every method runs on the UI thread like the flow's other events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from config.profiles import KioskProfile
from kiosk.session import FlowState, Step

if TYPE_CHECKING:
    from kiosk.session import SessionData

REST_STEPS = (Step.LANGUAGE, Step.OUT_OF_SERVICE)


class ServiceSteps:
    """Operator and device reasons for being out of service, and the switch between the
    language screen and the out-of-service screen."""

    profile: KioskProfile
    _state: FlowState
    _operator_note: str | None = None  # None: the operator has not taken the station out
    _devices_down: tuple[str, ...] = ()
    _pending_profile: KioskProfile | None = None

    if TYPE_CHECKING:

        def _go(self, step: Step, *, data: SessionData | None = None, **changes: Any) -> None: ...

    # --- reading -------------------------------------------------------------------------

    @property
    def in_service(self) -> bool:
        """Whether the station takes citizens now (it may be waiting to go out)."""
        return self._state.step is not Step.OUT_OF_SERVICE

    @property
    def at_rest(self) -> bool:
        """No session is open: the kiosk waits at its start (or shows it is out of service)."""
        return self._at_rest()

    @property
    def out_of_service_wanted(self) -> bool:
        return self._operator_note is not None or bool(self._devices_down)

    @property
    def out_of_service_reason(self) -> str | None:
        """Why the station is (or is about to be) out of service, for the operator."""
        reasons = []
        if self._operator_note is not None:
            reasons.append(
                f"operator: {self._operator_note}" if self._operator_note else "operator"
            )
        if self._devices_down:
            reasons.append("device down: " + ", ".join(self._devices_down))
        return "; ".join(reasons) or None

    # --- events --------------------------------------------------------------------------

    def take_out_of_service(self, note: str = "") -> None:
        """An operator's command; takes effect now, or when the current session ends."""
        self._operator_note = note.strip()
        self._follow_service()

    def put_back_in_service(self) -> None:
        """An operator's command; devices still down keep the station out."""
        self._operator_note = None
        self._follow_service()

    def report_devices_down(self, devices: Iterable[str]) -> None:
        """The needed devices that do not work now (empty: all work)."""
        self._devices_down = tuple(sorted(set(devices)))
        self._follow_service()

    def apply_profile(self, profile: KioskProfile) -> None:
        """Take a reloaded profile's services and fleet settings, between sessions."""
        self._pending_profile = profile
        self._follow_service()

    # --- internals -----------------------------------------------------------------------

    def _at_rest(self) -> bool:
        state = self._state
        return state.step in REST_STEPS and state.data.is_blank and not state.busy

    def _rest_step(self) -> Step:
        """Where the kiosk waits for the next citizen."""
        return Step.OUT_OF_SERVICE if self.out_of_service_wanted else Step.LANGUAGE

    def _apply_pending_profile(self) -> None:
        pending, self._pending_profile = self._pending_profile, None
        if pending is not None:
            self.profile = self.profile.model_copy(
                update={"services": pending.services, "fleet": pending.fleet}
            )

    def _follow_service(self) -> None:
        if not self._at_rest():
            return  # a session is open: the reset at its end looks again
        self._apply_pending_profile()
        target = self._rest_step()
        if self._state.step is not target:
            self._go(target)
