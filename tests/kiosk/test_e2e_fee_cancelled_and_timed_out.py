"""End to end: a fee that is not paid. A citizen applying for an ID card cancels on the payment
screen; then, trying again, starts paying on the phone but never confirms, and the kiosk gives
up when the time runs out. Nothing is charged, nothing is submitted, no receipt is printed,
and the provider cannot pay either order afterwards.

The real Kivy app, the real backend over HTTP with its merchant API, the Payme simulator. The
face and fingers are left out here (the ID card test walks through them); screenshots are kept
under var/artifacts/e2e-fee/.
"""

from __future__ import annotations

import pytest

from backend.contracts import PaymentState
from config.profiles import KioskProfile
from devices.printer.simulator import PrinterSimulator
from kiosk.runtime import KioskRuntime
from kiosk.session import ErrorCode, Step
from payments.provider_simulator import PaymeSimulator
from tests.kiosk.ui_helpers import fresh_artifacts

WAIT_SECONDS = 8
REFUSED = {-31050, -31099, -31008}  # order not available / in progress / cannot perform


@pytest.fixture
def kiosk_profile(kiosk_profile: KioskProfile) -> KioskProfile:
    """The ID card with its fee only, and a short time to pay."""
    services = [
        s.model_copy(update={"identity": "none", "fingers": []}) if s.code == "id_card" else s
        for s in kiosk_profile.services
    ]
    payment = kiosk_profile.payment.model_copy(
        update={"wait_seconds": WAIT_SECONDS, "poll_seconds": 0.5}
    )
    return kiosk_profile.model_copy(update={"services": services, "payment": payment})


def test_a_cancelled_and_a_timed_out_fee_charge_nothing_and_submit_nothing(
    kiosk_harness,
    kiosk_runtime: KioskRuntime,
    printer_simulator: PrinterSimulator,
    payme_simulator: PaymeSimulator,
) -> None:
    harness = kiosk_harness
    shots = fresh_artifacts("e2e-fee")
    flow = harness.mount_runtime(kiosk_runtime)
    taken: list[str] = []

    def keep(name: str) -> None:
        harness.step(2)
        label = f"{len(taken) + 1:02d}-{name}"
        harness.screenshot(label).replace(shots / f"{label}.png")
        taken.append(name)

    def arrive(screen: str, timeout: float = 10) -> None:
        harness.wait_for_screen(screen, timeout=timeout)
        keep(screen)

    def order_state(order_id) -> PaymentState:
        return kiosk_runtime.interactive_client.payment_order(order_id).state

    harness.press("language-ru")
    harness.wait_for_screen("home")
    harness.press("home-submit")
    harness.wait_for_screen("service")
    harness.press("service-id_card")
    harness.wait_for_screen("category")
    harness.press("category-first")
    harness.wait_for_screen("phone")
    harness.press("next")
    harness.wait_for_screen("review")
    harness.press("consent")
    harness.press("submit")
    harness.wait_until(lambda: flow.state.data.payment is not None, what="the order")
    arrive("payment")

    # 1. The citizen changes their mind.
    first = flow.state.data.payment
    harness.press("cancel_payment")
    arrive("payment_result")
    assert flow.state.error is ErrorCode.PAYMENT_CANCELLED
    assert order_state(first.order_id) is PaymentState.CANCELLED
    late = payme_simulator.pay(first.account, first.amount_tiyin, "ok")
    assert {op.error_code for op in late.operations} & REFUSED, late.summary()
    assert order_state(first.order_id) is PaymentState.CANCELLED  # nothing charged

    # 2. Again; the phone creates the transaction but the citizen never confirms it.
    harness.press("retry_payment")
    harness.wait_until(
        lambda: (
            flow.state.data.payment is not None
            and flow.state.data.payment.order_id != first.order_id
        ),
        what="a new order",
    )
    second = flow.state.data.payment
    keep("payment-again")
    never = payme_simulator.pay(second.account, second.amount_tiyin, "never")
    assert never.transaction_ids, never.summary()
    harness.wait_for_screen("payment_result", timeout=WAIT_SECONDS + 10)
    keep("payment_result-timed-out")
    assert flow.state.error is ErrorCode.PAYMENT_TIMED_OUT
    assert order_state(second.order_id) is PaymentState.CANCELLED
    assert flow.state.data.outcome is None
    assert printer_simulator.receipts == []

    harness.press("finish")
    harness.wait_for_screen("language")
    harness.unmount()
    assert all((shots / f"{n:02d}-{name}.png").stat().st_size > 10_000
               for n, name in enumerate(taken, 1))  # fmt: skip
    assert kiosk_runtime.outbox.backlog() == 0 and flow.state.step is Step.LANGUAGE
