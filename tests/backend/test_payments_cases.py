"""A case of a service with a fee must name a paid order; the order then records the case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.contracts import make_case_number
from config.settings import BackendSettings
from tests.payments.payme_support import (
    ORDERS_PATH,
    Payme,
    SettableClock,
    create_order,
    fee_only_settings,
    payments_client,
)

CASES_PATH = "/api/v1/cases"


@pytest.fixture
def settings(settings: BackendSettings, tmp_path: Path) -> BackendSettings:
    return fee_only_settings(settings, tmp_path)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def client(settings: BackendSettings, clock: SettableClock) -> Iterator[TestClient]:
    with payments_client(settings, clock) as test_client:
        yield test_client


@pytest.fixture
def payme(client: TestClient, clock: SettableClock) -> Payme:
    return Payme(client, clock)


@pytest.fixture
def paid_order(client: TestClient, kiosk_headers: dict[str, str], payme: Payme) -> dict[str, Any]:
    order = create_order(client, kiosk_headers)
    payme.pay(order["account"], order["amount_tiyin"])
    return order


@pytest.fixture
def id_card_case(make_submission: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def _make(sequence: int = 1, **overrides: Any) -> dict[str, Any]:
        return make_submission(
            sequence=sequence,
            service_code="id_card",
            category_code="first",
            **overrides,
        )

    return _make


def _submit(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post(CASES_PATH, json=body, headers=headers)


def test_a_case_with_a_paid_order_is_registered_and_the_order_records_it(
    client: TestClient,
    kiosk_headers: dict[str, str],
    paid_order: dict[str, Any],
    id_card_case: Callable[..., dict[str, Any]],
) -> None:
    body = id_card_case(payment_order_id=paid_order["order_id"])
    first = _submit(client, kiosk_headers, body)
    assert first.status_code == 201, first.text
    assert _submit(client, kiosk_headers, body).status_code == 200  # a retry, not a second use
    other = _submit(
        client, kiosk_headers, id_card_case(sequence=2, payment_order_id=paid_order["order_id"])
    )
    assert other.status_code == 409 and other.json()["error"] == "payment_already_used"
    # The fee paid for a case: a late cancel by the kiosk leaves it paid, owed to nobody.
    cancel = client.post(f"{ORDERS_PATH}/{paid_order['order_id']}/cancel", headers=kiosk_headers)
    assert cancel.json()["state"] == "paid"


def test_a_case_of_a_service_with_a_fee_needs_an_order(
    client: TestClient,
    kiosk_headers: dict[str, str],
    id_card_case: Callable[..., dict[str, Any]],
) -> None:
    response = _submit(client, kiosk_headers, id_card_case())
    assert response.status_code == 422 and response.json()["error"] == "requirements_missing"
    assert response.json()["detail"] == "service id_card requires: payment"
    unknown = id_card_case(payment_order_id="7b0c3a56-8d0e-4f7e-9c61-3d2f5b1a9e40")
    response = _submit(client, kiosk_headers, unknown)
    assert response.status_code == 422 and response.json()["error"] == "payment_required"


def test_an_order_of_another_service_or_kiosk_does_not_pay_for_the_case(
    client: TestClient,
    kiosk_headers: dict[str, str],
    register: Callable[..., str],
    payme: Payme,
    id_card_case: Callable[..., dict[str, Any]],
) -> None:
    passport = create_order(client, kiosk_headers, "passport")
    payme.pay(passport["account"], passport["amount_tiyin"])
    response = _submit(client, kiosk_headers, id_card_case(payment_order_id=passport["order_id"]))
    assert response.status_code == 422 and response.json()["error"] == "payment_required"

    other_headers = {"Authorization": f"Bearer {register('0043', 'Kiosk 43', 'Office')}"}
    foreign = create_order(client, other_headers)
    payme.pay(foreign["account"], foreign["amount_tiyin"])
    response = _submit(client, kiosk_headers, id_card_case(payment_order_id=foreign["order_id"]))
    assert response.status_code == 422 and response.json()["error"] == "payment_required"
    # The order still pays for a case of its own kiosk.
    own = id_card_case(
        payment_order_id=foreign["order_id"], case_number=make_case_number("0043", 1)
    )
    assert _submit(client, other_headers, own).status_code == 201


@pytest.mark.parametrize("how", ["pending", "cancelled", "refund_due"])
def test_an_order_that_is_not_paid_does_not_pay_for_the_case(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    id_card_case: Callable[..., dict[str, Any]],
    how: str,
) -> None:
    order = create_order(client, kiosk_headers)
    if how == "refund_due":
        payme.pay(order["account"], order["amount_tiyin"])
    if how != "pending":
        cancel = client.post(f"{ORDERS_PATH}/{order['order_id']}/cancel", headers=kiosk_headers)
        assert cancel.json()["state"] == how
    response = _submit(client, kiosk_headers, id_card_case(payment_order_id=order["order_id"]))
    assert response.status_code == 422 and response.json()["error"] == "payment_not_paid"


def test_a_service_without_a_fee_needs_no_order(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Callable[..., dict[str, Any]],
) -> None:
    assert _submit(client, kiosk_headers, make_submission()).status_code == 201
