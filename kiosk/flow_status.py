"""Checking a case at the kiosk: type its number or scan the receipt, see its stage.

A mixin of ``KioskFlow`` (kiosk.flow), split out to keep each module to one job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from backend.contracts import CaseStatusView, normalize_case_number
from kiosk.form_rules import case_number_error, case_number_from_scan, is_case_entry_prefix
from kiosk.session import ErrorCode, FlowState, StatusSource, StatusUnavailable, Step

log = logging.getLogger(__name__)

SCAN_STEPS = (Step.HOME, Step.STATUS_ENTRY, Step.STATUS_RESULT)


class StatusSteps:
    """Events of the case-check screens; mixed into ``KioskFlow``."""

    _state: FlowState
    _clock: Callable[[], float]
    _last_activity: float
    _status_source: StatusSource

    # provided by KioskFlow
    def _accept(self, *steps: Step) -> None: ...
    def _set(self, **changes: Any) -> None: ...
    def _go(self, step: Step, **kwargs: Any) -> None: ...
    def _resume(self) -> None: ...
    def _notify(self) -> None: ...
    def _run(self, work: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]): ...

    def start_status_check(self) -> None:
        self._accept(Step.HOME)
        self._go(Step.STATUS_ENTRY)

    def set_case_entry(self, digits: str) -> None:
        """The case number digits typed so far."""
        self._accept(Step.STATUS_ENTRY)
        if not is_case_entry_prefix(digits):
            self._set(error=ErrorCode.CASE_NOT_DIGITS)
            return
        self._set(data=replace(self._state.data, case_entry=digits), error=None)

    def lookup(self) -> None:
        """Look up the typed case number; a typo is refused by its check digit."""
        self._accept(Step.STATUS_ENTRY)
        error = case_number_error(self._state.data.case_entry)
        if error:
            self._set(error=error)
            return
        self._look_up(normalize_case_number(self._state.data.case_entry))

    def scanned(self, text: str) -> bool:
        """A receipt was scanned; True when the current step took it."""
        self._last_activity = self._clock()
        resumed = self._state.step is Step.IDLE_WARNING
        if resumed:
            self._resume()
        if self._state.step not in SCAN_STEPS or self._state.busy:
            if resumed:
                self._notify()
            return False
        number = case_number_from_scan(text)
        if number is None:
            self._go(
                Step.STATUS_ENTRY,
                data=replace(self._state.data, case_entry="", status=None),
                error=ErrorCode.SCAN_UNREADABLE,
            )
            return True
        self._state = replace(self._state, data=replace(self._state.data, case_entry=number))
        self._look_up(number)
        return True

    def check_another(self) -> None:
        self._accept(Step.STATUS_RESULT)
        self._go(Step.STATUS_ENTRY, data=replace(self._state.data, case_entry="", status=None))

    def _look_up(self, number: str) -> None:
        self._go(Step.STATUS_LOOKUP, busy=True)
        self._run(lambda: self._status_source.lookup(number), self._looked_up)

    def _looked_up(self, status: CaseStatusView | None, error: Exception | None) -> None:
        if error is not None:
            if not isinstance(error, StatusUnavailable):
                log.error("status lookup failed", exc_info=error)
            self._go(Step.STATUS_ENTRY, error=ErrorCode.STATUS_UNAVAILABLE)
        elif status is None:
            self._go(Step.STATUS_ENTRY, error=ErrorCode.CASE_NOT_FOUND)
        else:
            self._go(Step.STATUS_RESULT, data=replace(self._state.data, status=status))
