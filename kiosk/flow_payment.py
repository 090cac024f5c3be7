"""The fee part of the citizen's session: the QR to pay, the wait, and what came of it.

A mixin of ``KioskFlow`` (kiosk.flow). A service with a fee is paid after the review and before
the case is submitted: the kiosk asks the backend for a payment order, shows its QR code, and
asks after it every few seconds (from ``tick``) until the provider has performed the
transaction. Then it shows that the payment arrived and submits by itself. Cancelling, letting
it time out, or walking away cancels the order: nothing is charged and nothing is submitted (a
payment that still arrives is reported for refund by the backend).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from backend.contracts import PaymentOrderRequest, PaymentOrderView, PaymentState
from kiosk.session import (
    ErrorCode,
    FlowState,
    PaymentDesk,
    PaymentUnavailable,
    SessionData,
    Step,
)

if TYPE_CHECKING:
    from config.profiles import KioskProfile, Service

log = logging.getLogger(__name__)

_ENDED = {
    PaymentState.CANCELLED: ErrorCode.PAYMENT_CANCELLED,
    PaymentState.REFUND_DUE: ErrorCode.PAYMENT_REFUND,
}


class PaymentSteps:
    """Events of the payment screens; mixed into ``KioskFlow``."""

    profile: KioskProfile
    _state: FlowState
    _clock: Callable[[], float]
    _payment_desk: PaymentDesk | None
    _payment_deadline: float = 0.0
    _payment_next_poll: float = 0.0
    _payment_polling: bool = False
    _payment_continue_at: float | None = None

    # provided by KioskFlow
    def _accept(self, *steps: Step) -> None: ...
    def _set(self, **changes: Any) -> None: ...
    def _go(self, step: Step, **kwargs: Any) -> None: ...
    def _run(self, work: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]): ...
    def _submit(self, data: SessionData) -> None: ...
    def selected_service(self) -> Service | None: ...

    # --- events from the citizen -----------------------------------------------------------

    def cancel_payment(self) -> None:
        """The citizen does not want to pay: the order is cancelled, nothing is submitted."""
        self._accept(Step.PAYMENT)
        payment = self._state.data.payment
        if self._state.busy or payment is None or payment.state is not PaymentState.PENDING:
            return
        self._stop_waiting(ErrorCode.PAYMENT_CANCELLED)

    def retry_payment(self) -> None:
        """After a cancelled or timed-out payment: a new order, a new QR code."""
        self._accept(Step.PAYMENT_RESULT, Step.REVIEW)
        data = replace(self._state.data, payment=None, payment_request_id=None)
        self._start_payment(data)

    def payment_seconds_left(self) -> int:
        """Whole seconds until the kiosk stops waiting for the payment."""
        return max(0, int(self._payment_deadline - self._clock() + 0.999))

    # --- the wait, driven by the flow's tick ------------------------------------------------

    def _payment_tick(self, now: float) -> bool:
        """Poll and time out while the QR shows; True when the payment screen handled the tick
        (it has its own time limit, so the idle warning does not apply)."""
        state = self._state
        if state.screen is not Step.PAYMENT:
            return False
        payment = state.data.payment
        if state.busy or payment is None:
            return True
        if payment.state is PaymentState.PAID:
            if self._payment_continue_at is not None and now >= self._payment_continue_at:
                self._payment_continue_at = None
                self._submit(state.data)
            return True
        if now >= self._payment_deadline:
            self._stop_waiting(ErrorCode.PAYMENT_TIMED_OUT)
        elif not self._payment_polling and now >= self._payment_next_poll:
            self._payment_polling = True
            desk = self._payment_desk
            assert desk is not None
            self._run(lambda: desk.status(payment.order_id), self._payment_polled)
        return True

    # --- internals -------------------------------------------------------------------------

    def _payment_needed(self, data: SessionData) -> bool:
        service = self.selected_service()
        paid = data.payment is not None and data.payment.state is PaymentState.PAID
        return service is not None and service.fee and not paid

    def _start_payment(self, data: SessionData) -> None:
        """Ask the backend for an order (a retry after a failure reuses its id)."""
        service = self.selected_service()
        assert service is not None and data.language is not None
        desk = self._payment_desk
        if desk is None:
            self._go(Step.REVIEW, data=data, error=ErrorCode.PAYMENT_UNAVAILABLE)
            return
        order_id = data.payment_request_id or uuid.uuid4()
        data = replace(data, payment_request_id=order_id, payment=None)
        request = PaymentOrderRequest(
            order_id=order_id, service_code=service.code, language=data.language
        )
        self._go(Step.PAYMENT, data=data, busy=True)
        self._run(lambda: desk.create(request), self._payment_created)

    def _payment_created(self, view: PaymentOrderView | None, error: Exception | None) -> None:
        if error is not None or view is None:
            if not isinstance(error, PaymentUnavailable):
                log.error("payment order failed", exc_info=error)
            self._go(Step.REVIEW, error=ErrorCode.PAYMENT_UNAVAILABLE)
            return
        config = self.profile.payment
        now = self._clock()
        self._payment_deadline = now + config.wait_seconds
        self._payment_next_poll = now + config.poll_seconds
        self._payment_polling = False
        self._payment_continue_at = None
        self._go(Step.PAYMENT, data=replace(self._state.data, payment=view))
        self._payment_seen(view)

    def _payment_polled(self, view: PaymentOrderView | None, error: Exception | None) -> None:
        self._payment_polling = False
        self._payment_next_poll = self._clock() + self.profile.payment.poll_seconds
        current = self._state.data.payment
        if self._state.screen is not Step.PAYMENT or current is None:
            return
        if error is not None or view is None:
            log.warning("payment status unavailable: %s", error)  # asked again at the next poll
            return
        if view.order_id != current.order_id or view == current:
            return
        self._set(data=replace(self._state.data, payment=view))
        self._payment_seen(view)

    def _payment_seen(self, view: PaymentOrderView) -> None:
        if view.state is PaymentState.PAID:
            self._payment_continue_at = self._clock() + self.profile.payment.paid_pause_seconds
        elif view.state in _ENDED:
            self._go(Step.PAYMENT_RESULT, error=_ENDED[view.state])

    def _stop_waiting(self, reason: ErrorCode) -> None:
        """Cancel the order; the outcome screen says what became of it."""
        payment = self._state.data.payment
        desk = self._payment_desk
        assert payment is not None and desk is not None
        self._set(busy=True)

        def cancelled(view: PaymentOrderView | None, error: Exception | None) -> None:
            if error is not None or view is None:
                # The backend expires the order by itself; nothing more can be done here.
                log.warning("payment cancel not delivered: %s", error)
                view = replace(payment, state=PaymentState.CANCELLED)
            data = replace(self._state.data, payment=view)
            # A payment that arrived meanwhile is not used: the backend reports it for refund.
            error_code = (
                ErrorCode.PAYMENT_REFUND if view.state is PaymentState.REFUND_DUE else reason
            )
            self._go(Step.PAYMENT_RESULT, data=data, error=error_code)

        self._run(lambda: desk.cancel(payment.order_id), cancelled)

    def _abandon_payment(self, data: SessionData) -> None:
        """The session ends with an order still open: cancel it, with no one to tell."""
        payment, desk = data.payment, self._payment_desk
        if payment is None or desk is None or payment.state is not PaymentState.PENDING:
            return

        def cancel() -> None:
            try:
                desk.cancel(payment.order_id)
            except Exception as error:  # the backend expires it by itself anyway
                log.warning("payment %s left open: %s", payment.order_id, error)

        self._run(cancel, lambda _result, _error: None)
