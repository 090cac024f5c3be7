"""The citizen's session as a state machine that screens render and feed with events.

Plain Python with no Kivy import. Every event method must be called on one thread (the UI
thread); slow work (submitting, looking up a case) runs through ``run_in_background`` and its
result comes back through ``dispatch``, which must call the given function on that same thread.
Both default to running at once, in the caller's thread; the app passes ``run_in_thread`` and a
dispatch onto Kivy's main thread.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from backend.contracts import VerificationDecision
from config.face import LivenessSettings
from config.profiles import Category, KioskProfile, LanguageCode, Service
from kiosk.background import BackgroundWork, Dispatch, Task, call_now
from kiosk.flow_fingers import FINGER_BACK, FingerFeed, FingerSteps
from kiosk.flow_form import FormSteps
from kiosk.flow_identity import IDENTITY_BACK, FaceCameraFeed, IdentitySteps
from kiosk.flow_payment import PaymentSteps
from kiosk.flow_service import REST_STEPS, ServiceSteps
from kiosk.flow_status import StatusSteps
from kiosk.flow_technician import TechnicianSteps
from kiosk.form_rules import (
    full_phone,
    step_complete,
    step_error,
)
from kiosk.session import (
    CaseDraft,
    ErrorCode,
    FaceVerifier,
    FlowState,
    PaymentDesk,
    SessionData,
    StatusSource,
    Step,
    SubmissionFailed,
    SubmissionOutcome,
    Submitter,
    TechnicianDesk,
)

log = logging.getLogger(__name__)

Observer = Callable[[FlowState], None]

_BACK = {
    Step.HOME: Step.LANGUAGE,
    Step.SERVICE: Step.HOME,
    Step.CATEGORY: Step.SERVICE,
    Step.TEXT: Step.CATEGORY,
    Step.PHONE: Step.TEXT,
    Step.REVIEW: Step.PHONE,
    Step.STATUS_ENTRY: Step.HOME,
    Step.STATUS_RESULT: Step.STATUS_ENTRY,
    **IDENTITY_BACK,
    **FINGER_BACK,
}
_BUSY_STEPS = (Step.SUBMITTING, Step.STATUS_LOOKUP, Step.FACE_VERIFYING)
_FINISHABLE = tuple(
    step for step in Step if step not in _BUSY_STEPS and step is not Step.OUT_OF_SERVICE
)


class InvalidTransition(RuntimeError):
    """An event the current step does not accept (a screen out of step with the flow)."""


class KioskFlow(
    FormSteps,
    IdentitySteps,
    FingerSteps,
    PaymentSteps,
    StatusSteps,
    ServiceSteps,
    TechnicianSteps,
):
    """One kiosk's citizen session: events in, immutable ``FlowState`` snapshots out."""

    def __init__(
        self,
        profile: KioskProfile,
        submitter: Submitter,
        status_source: StatusSource,
        *,
        clock: Callable[[], float] = time.monotonic,
        dispatch: Dispatch = call_now,
        run_in_background: Callable[[Task], None] = call_now,
        idle_warning_seconds: float | None = None,
        idle_reset_seconds: float | None = None,
        face_verifier: FaceVerifier | None = None,
        face_camera: FaceCameraFeed | None = None,
        finger_feed: FingerFeed | None = None,
        payment_desk: PaymentDesk | None = None,
        liveness_settings: LivenessSettings | None = None,
        today: Callable[[], date] = date.today,
        technician_desk: TechnicianDesk | None = None,
    ) -> None:
        self.profile = profile
        self._submitter = submitter
        self._status_source = status_source
        self._clock = clock
        self._face_verifier = face_verifier
        self._face_camera = face_camera
        self._finger_feed = finger_feed
        self._payment_desk = payment_desk
        self._liveness_settings = liveness_settings or LivenessSettings()
        self._today = today
        self._technician_desk = technician_desk
        self._work = BackgroundWork(dispatch, run_in_background)
        self.idle_warning_seconds = idle_warning_seconds or profile.kiosk.idle_warning_seconds
        self.idle_reset_seconds = idle_reset_seconds or profile.kiosk.idle_reset_seconds
        self._state = FlowState(step=Step.LANGUAGE, data=SessionData())
        self._observers: list[Observer] = []
        self._last_activity = clock()
        self._idle_deadline = 0.0

    # --- reading -------------------------------------------------------------------------

    @property
    def state(self) -> FlowState:
        return self._state

    @property
    def languages(self) -> list[LanguageCode]:
        return list(self.profile.kiosk.languages)

    def selected_service(self) -> Service | None:
        code = self._state.data.service_code
        return self.profile.service(code) if code else None

    def selected_category(self) -> Category | None:
        service = self.selected_service()
        code = self._state.data.category_code
        if service is None or code is None:
            return None
        return next((c for c in service.categories if c.code == code), None)

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every new state; returns a function that unsubscribes."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    # --- language, home, navigation -------------------------------------------------------

    def choose_language(self, language: LanguageCode) -> None:
        self._accept(Step.LANGUAGE)
        if language not in self.profile.kiosk.languages:
            raise ValueError(f"language not offered by this kiosk: {language}")
        self._go(Step.HOME, data=replace(self._state.data, language=language))

    def back(self) -> None:
        """One step back; nothing entered is lost."""
        self._accept(*_BACK)
        self._go(_BACK[self._state.step])

    def finish(self) -> None:
        """End the session now (the "Finish" / "Start over" buttons) and wipe its data."""
        self._accept(*_FINISHABLE)
        self._reset()

    def touch(self) -> None:
        """The citizen touched the screen: they are still there."""
        self._last_activity = self._clock()
        if self._state.step is Step.IDLE_WARNING:
            self._resume()
            self._notify()

    def tick(self, now: float | None = None) -> None:
        """Advance idle handling to ``now`` (the flow's clock when omitted)."""
        now = self._clock() if now is None else now
        if self._payment_tick(now):
            return
        state = self._state
        if state.busy:
            return
        if state.step is Step.IDLE_WARNING:
            self._count_down(now)
            return
        if state.step in REST_STEPS and state.data.is_blank:
            return
        if now - self._last_activity >= self.idle_warning_seconds:
            self._idle_deadline = (
                self._last_activity + self.idle_warning_seconds + self.idle_reset_seconds
            )
            self._state = replace(state, step=Step.IDLE_WARNING, resume_step=state.step)
            self._count_down(now, force_notify=True)

    # --- the form -------------------------------------------------------------------------

    def start_submission(self) -> None:
        self._accept(Step.HOME)
        self._go(Step.SERVICE)

    def choose_service(self, code: str) -> None:
        self._accept(Step.SERVICE)
        self.profile.service(code)  # KeyError for a code the profile does not offer
        data = self._state.data
        if code != data.service_code:
            data = replace(data, service_code=code, category_code=None)
        if self.profile.service(code).identity == "face" and not self._identified(data):
            self._go(Step.IDENTIFY_NUMBER, data=data, editing=False)
            return
        self._after_identity(data)

    def confirm(self) -> None:
        """Submit the reviewed form; the outcome arrives later through ``dispatch``."""
        self._accept(Step.REVIEW)
        data = self._state.data
        if not data.consent:
            self._set(error=ErrorCode.CONSENT_REQUIRED)
            return
        service = self.selected_service()
        if service is not None and service.identity == "face" and not self._identified(data):
            self._go(Step.IDENTIFY_NUMBER, error=None, editing=False)
            return
        if self._fingers_missing(data):
            self._start_fingers(data)
            return
        for step in self._form_steps():
            if not step_complete(step, data):
                self._go(step, error=step_error(step, data), editing=True)
                return
        if self._payment_needed(data):
            self._start_payment(data)
            return
        self._submit(data)

    def reprint(self) -> None:
        """Try the receipt printer again for the case just registered."""
        self._accept(Step.DONE, Step.PRINT_FAILED)
        outcome = self._state.data.outcome
        if self._state.busy or outcome is None:
            raise InvalidTransition("nothing to reprint")
        self._set(busy=True, error=None)
        self._run(lambda: self._submitter.reprint(outcome), self._printed)

    # --- internals ------------------------------------------------------------------------

    def _accept(self, *steps: Step) -> None:
        """Record activity, leave the idle warning, and check the event fits the step."""
        self._last_activity = self._clock()
        resumed = self._state.step is Step.IDLE_WARNING
        if resumed:
            self._resume()
        if self._state.step not in steps:
            if resumed:
                self._notify()
            raise InvalidTransition(f"not accepted at step {self._state.step}")

    def _resume(self) -> None:
        state = self._state
        self._state = replace(
            state, step=state.resume_step or Step.LANGUAGE, resume_step=None, idle_seconds_left=None
        )

    def _count_down(self, now: float, force_notify: bool = False) -> None:
        left = self._idle_deadline - now
        if left <= 0:
            self._reset()
            return
        seconds = math.ceil(left)
        if force_notify or seconds != self._state.idle_seconds_left:
            self._set(idle_seconds_left=seconds)

    def _reset(self) -> None:
        self._work.forget_pending()
        self._abandon_payment(self._state.data)
        self._last_activity = self._clock()
        before = self._state.screen
        self._capture = None
        self._best_finger = None
        self._apply_pending_profile()
        self._state = FlowState(step=self._rest_step(), data=SessionData())
        self._follow_devices(before, self._state.screen)
        self._notify()

    def _set(self, **changes: Any) -> None:
        before = self._state.screen
        self._state = replace(self._state, **changes)
        self._follow_devices(before, self._state.screen)
        self._notify()

    def _follow_devices(self, before: Step, after: Step) -> None:
        self._follow_camera(before, after)
        self._follow_reader(before, after)

    def _go(
        self,
        step: Step,
        *,
        data: SessionData | None = None,
        error: ErrorCode | None = None,
        busy: bool = False,
        editing: bool | None = None,
    ) -> None:
        if editing is None:
            editing = self._state.editing and step is not Step.REVIEW
        self._set(
            step=step,
            data=data if data is not None else self._state.data,
            error=error,
            busy=busy,
            editing=editing,
        )

    def _notify(self) -> None:
        state = self._state
        for observer in list(self._observers):
            try:
                observer(state)
            except Exception:
                log.exception("flow observer failed")

    def _identified(self, data: SessionData) -> bool:
        verification = data.verification
        return verification is not None and verification.decision in (
            VerificationDecision.VERIFIED,
            VerificationDecision.MANUAL_REVIEW,
        )

    def _after_identity(self, data: SessionData) -> None:
        """Verified (or no identity needed): fingerprints if the service asks, else the form."""
        if self._fingers_missing(data):
            self._start_fingers(data)
            return
        self._after_fingers(data)

    def _after_fingers(self, data: SessionData) -> None:
        """On to the rest of the form (or back to the review when editing)."""
        self._go(self._next_after(Step.SERVICE, data), data=data)

    def _draft(self, data: SessionData) -> CaseDraft:
        service, category = self.selected_service(), self.selected_category()
        assert service is not None and category is not None and data.language is not None
        return CaseDraft(
            language=data.language,
            service=service,
            category=category,
            text=data.text.strip() if service.asks_text else "",
            phone=full_phone(data.phone_digits),
            personal_number=data.personal_number if service.identity == "face" else None,
            verification_id=(
                data.verification.verification_id
                if service.identity == "face" and data.verification
                else None
            ),
            fingers=tuple(r for r in data.fingers if r.finger in service.fingers),
            payment=data.payment if service.fee else None,
        )

    def _submit(self, data: SessionData) -> None:
        draft = self._draft(data)
        self._go(Step.SUBMITTING, data=data, busy=True)
        self._run(lambda: self._submitter.submit(draft), self._submitted)

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]):
        def done(result: Any, error: Exception | None) -> None:
            self._last_activity = self._clock()  # idle time counts from the result
            on_done(result, error)

        self._work.run(work, done)

    def _submitted(self, outcome: SubmissionOutcome | None, error: Exception | None) -> None:
        if error is not None or outcome is None:
            log.error("submission failed", exc_info=error)
            code = error.code if isinstance(error, SubmissionFailed) else ErrorCode.SUBMIT_FAILED
            self._go(Step.REVIEW, error=code)
            return
        self._printed(outcome, None)

    def _printed(self, outcome: SubmissionOutcome | None, error: Exception | None) -> None:
        previous = self._state.data.outcome
        if error is not None or outcome is None:
            log.error("reprint failed", exc_info=error)
            outcome = replace(previous, print_error=ErrorCode.PRINTER_UNAVAILABLE)
        data = replace(self._state.data, outcome=outcome)
        if outcome.print_error is None:
            self._go(Step.DONE, data=data)
        else:
            self._go(Step.PRINT_FAILED, data=data, error=outcome.print_error)
