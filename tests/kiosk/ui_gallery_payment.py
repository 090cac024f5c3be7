"""The payment screens of one language, for the screen galleries: the QR waiting, the payment
received, and each way it can end without a case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.contracts import PaymentOrderView, PaymentState
from kiosk.session import ErrorCode, Step

MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WAITING = PaymentOrderView(
    order_id=UUID("00000000-0000-4000-8000-00000000f001"),
    account="4200000017",
    service_code="passport",
    amount_tiyin=41_200_000,
    state=PaymentState.PENDING,
    provider="payme",
    pay_url="https://checkout.paycom.uz/bT02NTRhYjYxZjtzYy5vcmRlcl9pZD00MjAwMDAwMDE3O2E9NDEyMDAwMDA=",
    created_at=MOMENT,
    expires_at=MOMENT + timedelta(minutes=10),
)


def walk_payment(gallery) -> None:
    """Preparing, waiting with the QR, received, and cancelled / timed out / refunded."""
    flow = gallery.flow
    flow.finish()
    flow.choose_language(gallery.language)
    flow.start_submission()
    flow.choose_service("general_application")  # any service; the screens show what is set
    data = flow.state.data
    flow._go(Step.PAYMENT, data=replace(data, payment=None), busy=True)
    gallery.shot("50-payment-preparing", Step.PAYMENT)
    flow._go(Step.PAYMENT, data=replace(data, payment=WAITING))
    gallery.shot("51-payment-qr", Step.PAYMENT)
    paid = WAITING.model_copy(
        update={"state": PaymentState.PAID, "transaction_id": "6630c2f1a9e4b3d27f1c8e55"}
    )
    flow._go(Step.PAYMENT, data=replace(data, payment=paid))
    gallery.shot("52-payment-received", Step.PAYMENT)
    for name, error in (
        ("53-payment-cancelled", ErrorCode.PAYMENT_CANCELLED),
        ("54-payment-timed-out", ErrorCode.PAYMENT_TIMED_OUT),
        ("55-payment-refund", ErrorCode.PAYMENT_REFUND),
    ):
        flow._go(Step.PAYMENT_RESULT, data=replace(data, payment=WAITING), error=error)
        gallery.shot(name, Step.PAYMENT_RESULT)
    flow._go(Step.REVIEW, data=data, error=ErrorCode.PAYMENT_UNAVAILABLE)
    gallery.shot("56-payment-offline-review", Step.REVIEW)
    flow._go(Step.LANGUAGE, data=replace(data, payment=None))
    flow.finish()
