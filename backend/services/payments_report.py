"""A day's fee orders and their reconciliation, as text for ``station payments``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from backend.models import PaymentOrder, PaymentTransaction
from payments.money import format_som
from payments.payme.transactions import TransactionState
from payments.states import OrderState, effective_order_state

# Days are counted as the offices count them.
BUSINESS_TIMEZONE = ZoneInfo("Asia/Tashkent")


@dataclass(frozen=True)
class OrderLine:
    account: str
    service_code: str
    amount_tiyin: int
    state: OrderState
    created_at: datetime
    paid_at: datetime | None
    provider_transaction_id: str | None
    transaction_states: tuple[int, ...]
    case_number: str | None

    def render(self) -> str:
        created = self.created_at.astimezone(BUSINESS_TIMEZONE).strftime("%H:%M")
        amount = format_som(self.amount_tiyin)
        return (
            f"{created}  {self.account}  {self.service_code:<12} {amount:>20}"
            f"  {self.state.value:<10}  {self.provider_transaction_id or '-':<24}"
            f"  {self.case_number or '-'}"
        )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end (exclusive) of a business day, as aware datetimes."""
    start = datetime.combine(day, time(), tzinfo=BUSINESS_TIMEZONE)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=BUSINESS_TIMEZONE)


def business_day(moment: datetime) -> date:
    return moment.astimezone(BUSINESS_TIMEZONE).date()


def day_orders(session: Session, day: date, now: datetime) -> list[OrderLine]:
    """Every order created on ``day``, oldest first."""
    start, end = day_bounds(day)
    orders = session.scalars(
        select(PaymentOrder)
        .options(joinedload(PaymentOrder.case))
        .where(PaymentOrder.created_at >= start, PaymentOrder.created_at < end)
        .order_by(PaymentOrder.created_at, PaymentOrder.account)
    ).all()
    transactions: dict[object, list[PaymentTransaction]] = {order.id: [] for order in orders}
    if orders:
        rows = session.scalars(
            select(PaymentTransaction)
            .options(selectinload(PaymentTransaction.order))
            .where(PaymentTransaction.order_id.in_(list(transactions)))
            .order_by(PaymentTransaction.create_time)
        )
        for row in rows:
            transactions[row.order_id].append(row)
    return [
        OrderLine(
            account=order.account,
            service_code=order.service_code,
            amount_tiyin=order.amount_tiyin,
            state=effective_order_state(order.state, order.expires_at, now),
            created_at=order.created_at,
            paid_at=order.paid_at,
            provider_transaction_id=order.provider_transaction_id,
            transaction_states=tuple(row.state for row in transactions[order.id]),
            case_number=order.case.case_number if order.case else None,
        )
        for order in orders
    ]


def render_day(day: date, lines: list[OrderLine]) -> str:
    header = f"fee orders of {day.isoformat()} ({BUSINESS_TIMEZONE.key}): {len(lines)}"
    columns = (
        f"{'time':<5}  {'account':<10}  {'service':<12} {'amount':>20}  {'state':<10}"
        f"  {'provider transaction':<24}  case"
    )
    return "\n".join([header, columns, *(line.render() for line in lines)])


@dataclass
class Reconciliation:
    """Where the money of a day's orders stands; ``problems`` make it fail."""

    day: date
    with_case: list[OrderLine] = field(default_factory=list)
    awaiting_case: list[OrderLine] = field(default_factory=list)
    without_case: list[OrderLine] = field(default_factory=list)
    refund_due: list[OrderLine] = field(default_factory=list)
    refunded: list[OrderLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unpaid: int = 0

    @property
    def reconciled(self) -> bool:
        return not (self.without_case or self.refund_due or self.problems)

    def _total(self, lines: list[OrderLine]) -> int:
        return sum(line.amount_tiyin for line in lines)

    def render(self, now: datetime) -> str:
        received = self.with_case + self.awaiting_case + self.without_case + self.refund_due
        out = [
            f"reconciliation of {self.day.isoformat()} ({BUSINESS_TIMEZONE.key})",
            f"  paid with a case:        {len(self.with_case):>4}  "
            f"{format_som(self._total(self.with_case))}",
            f"  paid, case still due:    {len(self.awaiting_case):>4}  "
            f"{format_som(self._total(self.awaiting_case))}",
            f"  paid without a case:     {len(self.without_case):>4}  "
            f"{format_som(self._total(self.without_case))}",
        ]
        for line in self.without_case:
            age = now - (line.paid_at or line.created_at)
            out.append(f"    {line.account}  paid {int(age.total_seconds() // 60)} min ago")
        out.append(
            f"  refund due:              {len(self.refund_due):>4}  "
            f"{format_som(self._total(self.refund_due))}"
        )
        out += [f"    {line.account}  {line.provider_transaction_id}" for line in self.refund_due]
        out.append(
            f"  refunded by provider:    {len(self.refunded):>4}  "
            f"{format_som(self._total(self.refunded))}"
        )
        out.append(f"  unpaid or cancelled:     {self.unpaid:>4}")
        out.append(
            f"  received in total:       {len(received):>4}  {format_som(self._total(received))}"
        )
        out += [f"  PROBLEM: {problem}" for problem in self.problems]
        out.append("reconciled" if self.reconciled else "NOT RECONCILED")
        return "\n".join(out)


def reconcile_day(
    lines: list[OrderLine], day: date, now: datetime, grace: timedelta
) -> Reconciliation:
    """Sort a day's orders by where their money stands and flag what does not add up.

    A paid order without a case younger than ``grace`` is a session still submitting; older,
    the citizen paid for nothing and it needs attention, as does every refund due.
    """
    result = Reconciliation(day)
    for line in lines:
        performed = TransactionState.PERFORMED in line.transaction_states
        if line.state in (OrderState.PAID, OrderState.REFUND_DUE) and not performed:
            result.problems.append(
                f"order {line.account} is {line.state} with no performed payment"
            )
        if line.state in (OrderState.PENDING, OrderState.CANCELLED) and performed:
            result.problems.append(f"order {line.account} is {line.state} but a payment performed")
        refunded = TransactionState.CANCELLED_AFTER_PERFORM in line.transaction_states
        if refunded:
            result.refunded.append(line)
        if refunded and line.case_number is not None:
            result.problems.append(
                f"order {line.account} was refunded by the provider but case "
                f"{line.case_number} used it"
            )
        if line.state is OrderState.REFUND_DUE:
            result.refund_due.append(line)
        elif line.state is OrderState.PAID and line.case_number is not None:
            result.with_case.append(line)
        elif line.state is OrderState.PAID:
            paid_at = line.paid_at or line.created_at
            waiting = now - paid_at < grace
            (result.awaiting_case if waiting else result.without_case).append(line)
        elif not refunded:
            result.unpaid += 1
    return result
