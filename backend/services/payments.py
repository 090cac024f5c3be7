"""Fee orders for kiosks: create, read, cancel; and the payment check of a case submission."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.contracts import CaseSubmission, PaymentOrderRequest, PaymentOrderView, PaymentState
from backend.errors import (
    NoFee,
    PaymentAlreadyUsed,
    PaymentNotPaid,
    PaymentOrderConflict,
    PaymentOrderNotFound,
    PaymentRequired,
)
from backend.models import Case, PaymentOrder
from backend.services.kiosks import AuthenticatedKiosk
from payments.fees import FeeSchedule
from payments.provider import PaymentProvider
from payments.states import OrderState, effective_order_state, state_after_kiosk_cancel

ACCOUNT_DIGITS = 10
_ACCOUNT_ATTEMPTS = 8


def new_account_number() -> str:
    """A random 10-digit order number with no leading zero (typable, unguessable enough)."""
    low = 10 ** (ACCOUNT_DIGITS - 1)
    return str(low + secrets.randbelow(9 * low))


def order_view(order: PaymentOrder, provider: PaymentProvider, now: datetime) -> PaymentOrderView:
    state = effective_order_state(order.state, order.expires_at, now)
    return PaymentOrderView(
        order_id=order.id,
        account=order.account,
        service_code=order.service_code,
        amount_tiyin=order.amount_tiyin,
        state=PaymentState(state.value),
        provider=order.provider,
        pay_url=provider.checkout_url(order.account, order.amount_tiyin, order.language),
        transaction_id=order.provider_transaction_id,
        created_at=order.created_at,
        expires_at=order.expires_at,
        paid_at=order.paid_at,
    )


def _locked_order(session: Session, order_id: UUID) -> PaymentOrder | None:
    query = select(PaymentOrder).where(PaymentOrder.id == order_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _repeat_of(
    order: PaymentOrder, kiosk: AuthenticatedKiosk, request: PaymentOrderRequest
) -> None:
    same = (order.kiosk_id, order.service_code, order.language) == (
        kiosk.id,
        request.service_code,
        request.language,
    )
    if not same:
        raise PaymentOrderConflict(f"order {order.id} was already created with other content")


def create_order(
    session: Session,
    kiosk: AuthenticatedKiosk,
    request: PaymentOrderRequest,
    fees: FeeSchedule,
    provider: PaymentProvider,
    now: datetime,
    lifetime: timedelta,
) -> tuple[PaymentOrderView, bool]:
    """A new pending order for a service's fee, or the one a repeat of this request made;
    the flag says whether it was created now."""
    existing = _locked_order(session, request.order_id)
    if existing is not None:
        _repeat_of(existing, kiosk, request)
        return order_view(existing, provider, now), False
    amount = fees.fee_tiyin(request.service_code)
    if not amount:
        raise NoFee(f"service {request.service_code} has no fee")
    for _ in range(_ACCOUNT_ATTEMPTS):
        account = new_account_number()
        if session.scalar(select(PaymentOrder.id).where(PaymentOrder.account == account)) is None:
            break
    else:
        raise RuntimeError("no free order number found")
    order = PaymentOrder(
        id=request.order_id,
        account=account,
        kiosk_id=kiosk.id,
        service_code=request.service_code,
        language=request.language,
        amount_tiyin=amount,
        provider=provider.name,
        state=OrderState.PENDING,
        created_at=now,
        expires_at=now + lifetime,
    )
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
    except IntegrityError:
        # A concurrent identical request won the insert: answer as a repeat.
        winner = _locked_order(session, request.order_id)
        if winner is None:
            raise
        _repeat_of(winner, kiosk, request)
        return order_view(winner, provider, now), False
    append_audit(
        session,
        f"kiosk:{kiosk.code}",
        "payment.order_created",
        f"payment_order:{order.id}",
        {"account": account, "service_code": order.service_code, "amount_tiyin": amount},
    )
    session.flush()
    return order_view(order, provider, now), True


def _kiosk_order(session: Session, kiosk: AuthenticatedKiosk, order_id: UUID) -> PaymentOrder:
    order = _locked_order(session, order_id)
    if order is None or order.kiosk_id != kiosk.id:
        raise PaymentOrderNotFound(f"no payment order {order_id}")
    return order


def get_order(
    session: Session,
    kiosk: AuthenticatedKiosk,
    order_id: UUID,
    provider: PaymentProvider,
    now: datetime,
) -> PaymentOrderView:
    order = session.get(PaymentOrder, order_id)
    if order is None or order.kiosk_id != kiosk.id:
        raise PaymentOrderNotFound(f"no payment order {order_id}")
    return order_view(order, provider, now)


def cancel_order(
    session: Session,
    kiosk: AuthenticatedKiosk,
    order_id: UUID,
    provider: PaymentProvider,
    now: datetime,
) -> PaymentOrderView:
    """The citizen gave up or the kiosk timed out: unpaid -> cancelled, paid -> refund_due.

    Idempotent; an order a case already used stays paid (the fee was for that case).
    """
    order = _kiosk_order(session, kiosk, order_id)
    current = effective_order_state(order.state, order.expires_at, now)
    target = current if order.case_id is not None else state_after_kiosk_cancel(current)
    if target.value != order.state:
        before = order.state
        order.state = target
        order.cancelled_at = now
        append_audit(
            session,
            f"kiosk:{kiosk.code}",
            "payment.order_cancelled",
            f"payment_order:{order.id}",
            {"account": order.account, "from": before, "to": target.value},
        )
        session.flush()
    return order_view(order, provider, now)


def check_case_payment(
    session: Session, kiosk: AuthenticatedKiosk, submission: CaseSubmission, fees: FeeSchedule
) -> PaymentOrder | None:
    """The paid order a submission of a service with a fee must name; None when it has none."""
    if not fees.fee_tiyin(submission.service_code):
        return None
    if submission.payment_order_id is None:
        raise PaymentRequired(f"service {submission.service_code} has a fee: name a paid order")
    order = _locked_order(session, submission.payment_order_id)
    if order is None or order.kiosk_id != kiosk.id or order.service_code != submission.service_code:
        raise PaymentRequired(
            f"order {submission.payment_order_id} is not a fee order of "
            f"{submission.service_code} from this kiosk"
        )
    if order.case_id is not None:
        raise PaymentAlreadyUsed(f"order {order.id} already paid for another case")
    if order.state != OrderState.PAID:
        raise PaymentNotPaid(f"order {order.id} is {order.state}, not paid")
    return order


def attach_case_payment(session: Session, order: PaymentOrder, case: Case) -> None:
    """Record that ``case`` used the fee paid by ``order``."""
    order.case_id = case.id
    session.flush()
