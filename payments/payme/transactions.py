"""Payme transaction states and cancel reasons, the records the rules work on, and the store
interface the backend implements over its database."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

# A created transaction that was not performed within 12 hours can no longer be performed.
TRANSACTION_TIMEOUT_MS = 43_200_000


class TransactionState(IntEnum):
    CREATED = 1
    PERFORMED = 2
    CANCELLED = -1
    CANCELLED_AFTER_PERFORM = -2


class CancelReason(IntEnum):
    """Payme's cancel reasons; the provider may send any of them and we store what it sent."""

    RECEIVER_NOT_FOUND = 1
    DEBIT_ERROR = 2
    EXECUTION_ERROR = 3
    TIMEOUT = 4
    REFUND = 5
    UNKNOWN = 10


@dataclass(frozen=True)
class PayableOrder:
    """What the merchant rules need of an order."""

    account: str
    amount_tiyin: int
    payable: bool  # pending and not expired: a payment may start or complete now
    paid: bool  # a transaction was performed for it (paid or refund_due)


@dataclass
class TransactionRecord:
    provider_transaction_id: str
    transaction: str  # our id of it, given back to the provider
    account: str
    amount_tiyin: int
    provider_time: int
    create_time: int
    perform_time: int | None = None
    cancel_time: int | None = None
    state: TransactionState = TransactionState.CREATED
    reason: int | None = None


class MerchantStore(Protocol):
    """Orders and provider transactions as the merchant rules see them.

    Calls are made inside one database transaction that holds the order's row lock, so the
    rules may read, decide and write without racing the kiosk.
    """

    def order(self, account: str) -> PayableOrder | None: ...

    def transaction(self, provider_transaction_id: str) -> TransactionRecord | None: ...

    def open_transaction_of(self, account: str) -> TransactionRecord | None:
        """The order's transaction in state created or performed, if any."""
        ...

    def add_transaction(self, record: TransactionRecord) -> TransactionRecord:
        """Store a new transaction; returns it with ``transaction`` (our id) set."""
        ...

    def save_transaction(self, record: TransactionRecord) -> None:
        """Store a transaction's new state, times and reason."""
        ...

    def mark_order_paid(self, record: TransactionRecord) -> None:
        """The money of ``record`` arrived: its order becomes paid."""
        ...

    def mark_order_refunded(self, record: TransactionRecord) -> None:
        """The provider returned the money of ``record``: its order is no longer paid."""
        ...

    def transactions_created_between(self, from_ms: int, to_ms: int) -> list[TransactionRecord]: ...
