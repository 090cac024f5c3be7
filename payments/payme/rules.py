"""The Payme merchant rules as pure functions over a ``MerchantStore`` and the time now (ms).

Choices where Payme leaves room:
- An order is payable while it is pending and before its expiry. CheckPerform and Create for
  any other order answer -31050 (data "order_id"); a second transaction for an order that
  already has a created or performed one answers -31099.
- Perform of a transaction whose order stopped being payable (the kiosk cancelled it, or it
  expired), or that was created more than 12 hours ago, cancels the transaction (state -1,
  reason 4, our timeout) and answers -31008: the money is not taken.
- Cancel of a performed transaction is always allowed (-31007 never answered): the fee is
  refunded by the provider, the order stops counting as paid, and reconciliation reports it
  if a case already used it.
"""

from __future__ import annotations

from typing import Any

from payments.payme.errors import MerchantError, PaymeErrorCode
from payments.payme.protocol import (
    ACCOUNT_FIELD,
    CancelParams,
    CheckPerformParams,
    CreateParams,
    StatementParams,
    TransactionIdParams,
)
from payments.payme.transactions import (
    TRANSACTION_TIMEOUT_MS,
    CancelReason,
    MerchantStore,
    PayableOrder,
    TransactionRecord,
    TransactionState,
)


def _payable_order(store: MerchantStore, account: str, amount: int) -> PayableOrder:
    if not account.isdigit():
        raise MerchantError(PaymeErrorCode.ORDER_NOT_FOUND, ACCOUNT_FIELD)
    order = store.order(account)
    if order is None or not order.payable:
        raise MerchantError(PaymeErrorCode.ORDER_NOT_FOUND, ACCOUNT_FIELD)
    if amount != order.amount_tiyin:
        raise MerchantError(PaymeErrorCode.WRONG_AMOUNT)
    return order


def _find(store: MerchantStore, provider_transaction_id: str) -> TransactionRecord:
    record = store.transaction(provider_transaction_id)
    if record is None:
        raise MerchantError(PaymeErrorCode.TRANSACTION_NOT_FOUND)
    return record


def _timed_out(record: TransactionRecord, now_ms: int) -> bool:
    return now_ms - record.create_time > TRANSACTION_TIMEOUT_MS


def _cancel_unperformed(store: MerchantStore, record: TransactionRecord, now_ms: int) -> None:
    record.state = TransactionState.CANCELLED
    record.cancel_time = now_ms
    record.reason = CancelReason.TIMEOUT
    store.save_transaction(record)


def check_perform_transaction(
    store: MerchantStore, params: CheckPerformParams, now_ms: int
) -> dict[str, Any]:
    _payable_order(store, params.account.number, params.amount)
    if store.open_transaction_of(params.account.number) is not None:
        raise MerchantError(PaymeErrorCode.ORDER_BUSY, ACCOUNT_FIELD)
    return {"allow": True}


def create_transaction(store: MerchantStore, params: CreateParams, now_ms: int) -> dict[str, Any]:
    record = store.transaction(params.id)
    if record is not None:
        if record.state != TransactionState.CREATED:
            raise MerchantError(PaymeErrorCode.CANNOT_PERFORM)
        if _timed_out(record, now_ms):
            _cancel_unperformed(store, record, now_ms)
            raise MerchantError(PaymeErrorCode.CANNOT_PERFORM)
        return _created(record)
    account = params.account.number
    _payable_order(store, account, params.amount)
    if store.open_transaction_of(account) is not None:
        raise MerchantError(PaymeErrorCode.ORDER_BUSY, ACCOUNT_FIELD)
    record = store.add_transaction(
        TransactionRecord(
            provider_transaction_id=params.id,
            transaction="",
            account=account,
            amount_tiyin=params.amount,
            provider_time=params.time,
            create_time=now_ms,
        )
    )
    return _created(record)


def _created(record: TransactionRecord) -> dict[str, Any]:
    return {
        "create_time": record.create_time,
        "transaction": record.transaction,
        "state": int(record.state),
    }


def perform_transaction(
    store: MerchantStore, params: TransactionIdParams, now_ms: int
) -> dict[str, Any]:
    record = _find(store, params.id)
    if record.state == TransactionState.CREATED:
        order = store.order(record.account)
        if _timed_out(record, now_ms) or order is None or not order.payable:
            _cancel_unperformed(store, record, now_ms)
            raise MerchantError(PaymeErrorCode.CANNOT_PERFORM)
        record.state = TransactionState.PERFORMED
        record.perform_time = now_ms
        store.save_transaction(record)
        store.mark_order_paid(record)
    if record.state != TransactionState.PERFORMED:
        raise MerchantError(PaymeErrorCode.CANNOT_PERFORM)
    return {
        "transaction": record.transaction,
        "perform_time": record.perform_time,
        "state": int(record.state),
    }


def cancel_transaction(store: MerchantStore, params: CancelParams, now_ms: int) -> dict[str, Any]:
    record = _find(store, params.id)
    if record.state == TransactionState.CREATED:
        record.state = TransactionState.CANCELLED
        record.cancel_time = now_ms
        record.reason = params.reason
        store.save_transaction(record)
    elif record.state == TransactionState.PERFORMED:
        record.state = TransactionState.CANCELLED_AFTER_PERFORM
        record.cancel_time = now_ms
        record.reason = params.reason
        store.save_transaction(record)
        store.mark_order_refunded(record)
    return {
        "transaction": record.transaction,
        "cancel_time": record.cancel_time,
        "state": int(record.state),
    }


def check_transaction(
    store: MerchantStore, params: TransactionIdParams, now_ms: int
) -> dict[str, Any]:
    record = _find(store, params.id)
    return {
        "create_time": record.create_time,
        "perform_time": record.perform_time or 0,
        "cancel_time": record.cancel_time or 0,
        "transaction": record.transaction,
        "state": int(record.state),
        "reason": record.reason,
    }


def get_statement(store: MerchantStore, params: StatementParams, now_ms: int) -> dict[str, Any]:
    records = store.transactions_created_between(params.from_, params.to)
    return {
        "transactions": [
            {
                "id": record.provider_transaction_id,
                "time": record.provider_time,
                "amount": record.amount_tiyin,
                "account": {ACCOUNT_FIELD: record.account},
                "create_time": record.create_time,
                "perform_time": record.perform_time or 0,
                "cancel_time": record.cancel_time or 0,
                "transaction": record.transaction,
                "state": int(record.state),
                "reason": record.reason,
            }
            for record in records
        ]
    }


RULES = {
    "CheckPerformTransaction": check_perform_transaction,
    "CreateTransaction": create_transaction,
    "PerformTransaction": perform_transaction,
    "CancelTransaction": cancel_transaction,
    "CheckTransaction": check_transaction,
    "GetStatement": get_statement,
}
