"""The state of a fee order, and when an unpaid order stops being payable."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class OrderState(StrEnum):
    """Stored state of a fee order; the same values as ``backend.contracts.PaymentState``."""

    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"
    REFUND_DUE = "refund_due"


def effective_order_state(
    state: OrderState | str, expires_at: datetime, now: datetime
) -> OrderState:
    """A pending order past its expiry counts as cancelled: nothing was charged."""
    current = OrderState(state)
    if current is OrderState.PENDING and now >= expires_at:
        return OrderState.CANCELLED
    return current


def state_after_kiosk_cancel(state: OrderState) -> OrderState:
    """Cancel by the kiosk: unpaid orders are cancelled, paid ones must be refunded."""
    if state is OrderState.PAID:
        return OrderState.REFUND_DUE
    if state is OrderState.PENDING:
        return OrderState.CANCELLED
    return state
