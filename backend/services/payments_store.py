"""The Payme merchant rules' ``MerchantStore`` over the database, and time in Unix ms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.models import PaymentOrder, PaymentTransaction
from payments.payme.transactions import PayableOrder, TransactionRecord, TransactionState
from payments.states import OrderState, effective_order_state

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def to_unix_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // _MILLISECOND


def from_unix_ms(ms: int) -> datetime:
    return _EPOCH + ms * _MILLISECOND


def _record(row: PaymentTransaction) -> TransactionRecord:
    return TransactionRecord(
        provider_transaction_id=row.provider_transaction_id,
        transaction=str(row.id),
        account=row.order.account,
        amount_tiyin=row.amount_tiyin,
        provider_time=row.provider_time,
        create_time=row.create_time,
        perform_time=row.perform_time,
        cancel_time=row.cancel_time,
        state=TransactionState(row.state),
        reason=row.reason,
    )


class DatabaseMerchantStore:
    """Orders and transactions of one provider, read with row locks inside one transaction."""

    def __init__(self, session: Session, provider: str, now: datetime) -> None:
        self.session = session
        self.provider = provider
        self.now = now

    def _order_row(self, account: str) -> PaymentOrder | None:
        query = select(PaymentOrder).where(PaymentOrder.account == account).with_for_update()
        return self.session.scalar(query.execution_options(populate_existing=True))

    def _transaction_row(self, provider_transaction_id: str) -> PaymentTransaction | None:
        query = (
            select(PaymentTransaction)
            .where(
                PaymentTransaction.provider == self.provider,
                PaymentTransaction.provider_transaction_id == provider_transaction_id,
            )
            .with_for_update()
        )
        return self.session.scalar(query.execution_options(populate_existing=True))

    def order(self, account: str) -> PayableOrder | None:
        row = self._order_row(account)
        if row is None or row.provider != self.provider:
            return None
        state = effective_order_state(row.state, row.expires_at, self.now)
        return PayableOrder(
            account=row.account,
            amount_tiyin=row.amount_tiyin,
            payable=state is OrderState.PENDING,
            paid=state in (OrderState.PAID, OrderState.REFUND_DUE),
        )

    def transaction(self, provider_transaction_id: str) -> TransactionRecord | None:
        row = self._transaction_row(provider_transaction_id)
        return None if row is None else _record(row)

    def open_transaction_of(self, account: str) -> TransactionRecord | None:
        row = self.session.scalar(
            select(PaymentTransaction)
            .join(PaymentOrder)
            .where(
                PaymentOrder.account == account,
                PaymentTransaction.state.in_(
                    [TransactionState.CREATED, TransactionState.PERFORMED]
                ),
            )
        )
        return None if row is None else _record(row)

    def add_transaction(self, record: TransactionRecord) -> TransactionRecord:
        order = self._order_row(record.account)
        assert order is not None, "the rules add transactions only to existing orders"
        row = PaymentTransaction(
            provider=self.provider,
            provider_transaction_id=record.provider_transaction_id,
            order=order,
            amount_tiyin=record.amount_tiyin,
            provider_time=record.provider_time,
            create_time=record.create_time,
            state=int(record.state),
        )
        self.session.add(row)
        order.provider_transaction_id = record.provider_transaction_id
        self.session.flush()
        record.transaction = str(row.id)
        return record

    def save_transaction(self, record: TransactionRecord) -> None:
        row = self._transaction_row(record.provider_transaction_id)
        assert row is not None, "only stored transactions are saved"
        row.state = int(record.state)
        row.perform_time = record.perform_time
        row.cancel_time = record.cancel_time
        row.reason = record.reason
        self.session.flush()

    def mark_order_paid(self, record: TransactionRecord) -> None:
        order = self._order_row(record.account)
        assert order is not None and record.perform_time is not None
        # The rules perform only payable orders; a paid order the kiosk already gave up on
        # would be owed back to the citizen, never silently kept.
        cancelled = OrderState(order.state) is OrderState.CANCELLED
        order.state = OrderState.REFUND_DUE if cancelled else OrderState.PAID
        order.paid_at = from_unix_ms(record.perform_time)
        order.provider_transaction_id = record.provider_transaction_id
        self._audit("payment.paid", order, record)

    def mark_order_refunded(self, record: TransactionRecord) -> None:
        order = self._order_row(record.account)
        assert order is not None
        order.state = OrderState.CANCELLED
        order.cancelled_at = self.now
        self._audit("payment.refunded", order, record)

    def _audit(self, action: str, order: PaymentOrder, record: TransactionRecord) -> None:
        append_audit(
            self.session,
            f"provider:{self.provider}",
            action,
            f"payment_order:{order.id}",
            {
                "account": order.account,
                "amount_tiyin": record.amount_tiyin,
                "provider_transaction_id": record.provider_transaction_id,
                "state": order.state,
                "reason": record.reason,
            },
        )
        self.session.flush()

    def transactions_created_between(self, from_ms: int, to_ms: int) -> list[TransactionRecord]:
        rows = self.session.scalars(
            select(PaymentTransaction)
            .where(
                PaymentTransaction.provider == self.provider,
                PaymentTransaction.create_time >= from_ms,
                PaymentTransaction.create_time <= to_ms,
            )
            .order_by(PaymentTransaction.create_time, PaymentTransaction.id)
        )
        return [_record(row) for row in rows]
