"""The fee step of the session: the order, the wait, paid / cancelled / timed out / too late.

The backend side is an in-memory desk here (the real merchant API and the provider simulator
are driven end to end in test_e2e_id_card_face and tests/payments); the flow, its clock and its
tick are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from backend.contracts import PaymentOrderRequest, PaymentOrderView, PaymentState
from config.profiles import KioskProfile
from kiosk.flow import KioskFlow
from kiosk.session import ErrorCode, PaymentUnavailable, Step
from tests.kiosk.flow_doubles import ManualClock, ScriptedSubmitter, StatusBook

FEE_TIYIN = 16_480_000  # 164 800 so'm


@dataclass
class ScriptedDesk:
    """Payment orders in memory; ``pay()`` plays the provider performing the transaction."""

    orders: dict[UUID, PaymentOrderView] = field(default_factory=dict)
    created: list[PaymentOrderRequest] = field(default_factory=list)
    cancelled: list[UUID] = field(default_factory=list)
    polls: int = 0
    down: bool = False

    def create(self, request: PaymentOrderRequest) -> PaymentOrderView:
        self._check()
        self.created.append(request)
        now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        view = self.orders.setdefault(
            request.order_id,
            PaymentOrderView(
                order_id=request.order_id,
                account=f"{len(self.orders) + 1:010d}",
                service_code=request.service_code,
                amount_tiyin=FEE_TIYIN,
                state=PaymentState.PENDING,
                provider="payme",
                pay_url="https://checkout.paycom.uz/bT0xMjM7YWMub3JkZXJfaWQ9MQ==",
                created_at=now,
                expires_at=now + timedelta(minutes=10),
            ),
        )
        return view

    def status(self, order_id: UUID) -> PaymentOrderView:
        self._check()
        self.polls += 1
        return self.orders[order_id]

    def cancel(self, order_id: UUID) -> PaymentOrderView:
        self._check()
        self.cancelled.append(order_id)
        view = self.orders[order_id]
        paid = view.state is PaymentState.PAID
        state = PaymentState.REFUND_DUE if paid else PaymentState.CANCELLED
        self.orders[order_id] = view.model_copy(update={"state": state})
        return self.orders[order_id]

    def pay(self, order_id: UUID) -> None:
        self.orders[order_id] = self.orders[order_id].model_copy(
            update={"state": PaymentState.PAID, "transaction_id": "5f3a9c0d1e2b4a6c8d0e1f2a"}
        )

    def _check(self) -> None:
        if self.down:
            raise PaymentUnavailable("backend down")


def paid_profile(profile: KioskProfile) -> KioskProfile:
    """The demo profile with the ID card asking only a fee: no face, no fingers."""
    services = [
        s.model_copy(update={"identity": "none", "fingers": [], "fee": True})
        if s.code == "id_card"
        else s
        for s in profile.services
    ]
    payment = profile.payment.model_copy(
        update={"wait_seconds": 120, "poll_seconds": 2, "paid_pause_seconds": 2}
    )
    return profile.model_copy(update={"services": services, "payment": payment})


@pytest.fixture
def desk() -> ScriptedDesk:
    return ScriptedDesk()


@pytest.fixture
def paying(
    demo_profile: KioskProfile, desk: ScriptedDesk, clock: ManualClock
) -> tuple[KioskFlow, ScriptedSubmitter]:
    submitter = ScriptedSubmitter()
    flow = KioskFlow(
        paid_profile(demo_profile),
        submitter,
        StatusBook(),
        clock=clock,
        payment_desk=desk,
        idle_warning_seconds=60,
        idle_reset_seconds=20,
    )
    flow.choose_language("en")
    flow.start_submission()
    flow.choose_service("id_card")
    flow.choose_category("first")
    flow.submit_phone()
    flow.set_consent(True)
    return flow, submitter


def advance(flow: KioskFlow, clock: ManualClock, seconds: float) -> None:
    """Let time pass a second at a time, ticking as the app does."""
    for _ in range(int(seconds)):
        clock.advance(1)
        flow.tick()


def test_the_fee_is_shown_paid_and_the_case_submitted_by_itself(
    paying: tuple[KioskFlow, ScriptedSubmitter], desk: ScriptedDesk, clock: ManualClock
) -> None:
    flow, submitter = paying
    flow.confirm()
    state = flow.state
    assert state.step is Step.PAYMENT and state.data.payment.amount_tiyin == FEE_TIYIN
    assert desk.created[0].service_code == "id_card"
    advance(flow, clock, 10)
    assert flow.state.step is Step.PAYMENT and desk.polls >= 4
    assert flow.state.idle_seconds_left is None  # waiting to pay is not being idle
    assert not submitter.drafts  # nothing before the money arrives

    desk.pay(state.data.payment.order_id)
    advance(flow, clock, 2)
    assert flow.state.step is Step.PAYMENT
    assert flow.state.data.payment.state is PaymentState.PAID  # "Payment received" shows
    advance(flow, clock, 3)
    assert flow.state.step is Step.DONE
    (draft,) = submitter.drafts
    assert draft.payment.state is PaymentState.PAID
    assert draft.payment.transaction_id == "5f3a9c0d1e2b4a6c8d0e1f2a"


def test_cancelling_submits_nothing_and_paying_again_is_a_new_order(
    paying: tuple[KioskFlow, ScriptedSubmitter], desk: ScriptedDesk, clock: ManualClock
) -> None:
    flow, submitter = paying
    flow.confirm()
    first = flow.state.data.payment.order_id
    flow.cancel_payment()
    state = flow.state
    assert (state.step, state.error) == (Step.PAYMENT_RESULT, ErrorCode.PAYMENT_CANCELLED)
    assert desk.cancelled == [first]
    advance(flow, clock, 30)
    assert not submitter.drafts and flow.state.step is Step.PAYMENT_RESULT

    flow.retry_payment()
    assert flow.state.step is Step.PAYMENT
    assert flow.state.data.payment.order_id != first
    assert flow.state.data.category_code == "first"  # nothing entered was lost


def test_the_wait_times_out_and_cancels_the_order(
    paying: tuple[KioskFlow, ScriptedSubmitter], desk: ScriptedDesk, clock: ManualClock
) -> None:
    flow, submitter = paying
    flow.confirm()
    advance(flow, clock, 119)
    assert flow.state.step is Step.PAYMENT
    advance(flow, clock, 2)
    state = flow.state
    assert (state.step, state.error) == (Step.PAYMENT_RESULT, ErrorCode.PAYMENT_TIMED_OUT)
    assert desk.cancelled == [state.data.payment.order_id] and not submitter.drafts


def test_money_that_arrives_as_the_citizen_cancels_is_reported_for_refund(
    paying: tuple[KioskFlow, ScriptedSubmitter], desk: ScriptedDesk
) -> None:
    flow, submitter = paying
    flow.confirm()
    desk.pay(flow.state.data.payment.order_id)  # paid, but the kiosk has not polled yet
    flow.cancel_payment()
    state = flow.state
    assert (state.step, state.error) == (Step.PAYMENT_RESULT, ErrorCode.PAYMENT_REFUND)
    assert state.data.payment.state is PaymentState.REFUND_DUE and not submitter.drafts


def test_no_connection_keeps_the_form_and_walking_away_cancels_the_order(
    paying: tuple[KioskFlow, ScriptedSubmitter], desk: ScriptedDesk
) -> None:
    flow, _submitter = paying
    desk.down = True
    flow.confirm()
    state = flow.state
    assert (state.step, state.error) == (Step.REVIEW, ErrorCode.PAYMENT_UNAVAILABLE)
    assert state.data.consent and state.data.category_code == "first"
    request_id = state.data.payment_request_id

    desk.down = False
    flow.confirm()
    assert flow.state.step is Step.PAYMENT
    assert desk.created[-1].order_id == request_id  # the retry is the same order
    flow.finish()  # "Start over" while the QR shows
    assert desk.cancelled == [request_id]


def test_a_service_without_a_fee_skips_the_payment(
    demo_profile: KioskProfile, desk: ScriptedDesk, clock: ManualClock
) -> None:
    submitter = ScriptedSubmitter()
    flow = KioskFlow(demo_profile, submitter, StatusBook(), clock=clock, payment_desk=desk)
    flow.choose_language("en")
    flow.start_submission()
    flow.choose_service("mahalla_appeal")
    flow.choose_category("neighbours")
    flow.set_text("Соседи шумят каждую ночь после полуночи.")
    flow.submit_text()
    flow.submit_phone()
    flow.set_consent(True)
    flow.confirm()
    assert flow.state.step is Step.DONE and not desk.created
    assert submitter.drafts[0].payment is None
