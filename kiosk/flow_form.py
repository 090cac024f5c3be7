"""The form part of the citizen's session: category, free text, phone, consent, editing.

A mixin of ``KioskFlow`` (kiosk.flow), split out to keep each module to one job.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kiosk.form_rules import (
    FORM_STEPS,
    PHONE_DIGITS,
    phone_error,
    step_complete,
    text_error,
)
from kiosk.session import ErrorCode, FlowState, SessionData, Step

if TYPE_CHECKING:
    from config.profiles import Service


class FormSteps:
    """Events of the form screens; mixed into ``KioskFlow``."""

    _state: FlowState

    # provided by KioskFlow
    def _accept(self, *steps: Step) -> None: ...
    def _set(self, **changes: Any) -> None: ...
    def _go(self, step: Step, **kwargs: Any) -> None: ...
    def selected_service(self) -> Service | None: ...

    def choose_category(self, code: str) -> None:
        self._accept(Step.CATEGORY)
        service = self.selected_service()
        if service is None or code not in {c.code for c in service.categories}:
            raise ValueError(f"category {code!r} is not offered for this service")
        data = replace(self._state.data, category_code=code)
        self._go(self._next_after(Step.CATEGORY, data), data=data)

    def set_text(self, text: str) -> None:
        """The text as typed so far; refused (keeping the old text) when too long."""
        self._accept(Step.TEXT)
        if text_error(text) is ErrorCode.TEXT_TOO_LONG:
            self._set(error=ErrorCode.TEXT_TOO_LONG)
            return
        self._set(data=replace(self._state.data, text=text), error=None)

    def submit_text(self) -> None:
        self._accept(Step.TEXT)
        error = text_error(self._state.data.text)
        if error:
            self._set(error=error)
            return
        self._go(self._next_after(Step.TEXT, self._state.data))

    def set_phone_digits(self, digits: str) -> None:
        """The digits typed after +998 so far."""
        self._accept(Step.PHONE)
        if len(digits) > PHONE_DIGITS:
            return
        if phone_error(digits) is ErrorCode.PHONE_NOT_DIGITS:
            self._set(error=ErrorCode.PHONE_NOT_DIGITS)
            return
        self._set(data=replace(self._state.data, phone_digits=digits), error=None)

    def submit_phone(self) -> None:
        self._accept(Step.PHONE)
        error = phone_error(self._state.data.phone_digits)
        if error:
            self._set(error=error)
            return
        self._go(self._next_after(Step.PHONE, self._state.data))

    def set_consent(self, consent: bool) -> None:
        self._accept(Step.REVIEW)
        self._set(data=replace(self._state.data, consent=consent), error=None)

    def edit(self, step: Step) -> None:
        """From the review, go back to one part of the form; moving on returns to the review."""
        self._accept(Step.REVIEW)
        if step not in self._form_steps():
            raise ValueError(f"not an editable step: {step}")
        self._go(step, editing=True)

    def _form_steps(self) -> tuple[Step, ...]:
        service = self.selected_service()
        if service is not None and not service.asks_text:
            return tuple(step for step in FORM_STEPS if step is not Step.TEXT)
        return FORM_STEPS

    def _next_after(self, step: Step, data: SessionData) -> Step:
        """The next form step; when editing from the review, the first one still incomplete."""
        steps = self._form_steps()
        following = steps[steps.index(step) + 1 :]
        if not self._state.editing:
            return following[0] if following else Step.REVIEW
        return next((s for s in following if not step_complete(s, data)), Step.REVIEW)
