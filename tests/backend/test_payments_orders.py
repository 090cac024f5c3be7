"""Fee orders through the kiosk API: create, repeat, read, cancel, expire."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import BackendSettings
from tests.payments.payme_support import (
    CHECKOUT_BASE,
    ID_CARD_FEE_TIYIN,
    MERCHANT_ID,
    ORDERS_PATH,
    PASSPORT_FEE_TIYIN,
    START,
    Payme,
    SettableClock,
    order_request,
    payments_client,
)


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
def new_order(client: TestClient, kiosk_headers: dict[str, str]) -> Callable[..., dict[str, Any]]:
    def _new(**overrides: Any) -> dict[str, Any]:
        response = client.post(ORDERS_PATH, json=order_request(**overrides), headers=kiosk_headers)
        assert response.status_code == 201, response.text
        return response.json()

    return _new


def test_an_order_carries_the_fee_a_short_account_and_a_payme_checkout_link(
    client: TestClient, kiosk_headers: dict[str, str]
) -> None:
    request = order_request("id_card", "ru")
    response = client.post(ORDERS_PATH, json=request, headers=kiosk_headers)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["order_id"] == request["order_id"]
    assert order["amount_tiyin"] == ID_CARD_FEE_TIYIN
    assert order["state"] == "pending" and order["provider"] == "payme"
    assert order["account"].isdigit() and len(order["account"]) == 10
    assert order["transaction_id"] is None and order["paid_at"] is None
    prefix, encoded = order["pay_url"].rsplit("/", 1)
    assert prefix == CHECKOUT_BASE
    assert base64.b64decode(encoded).decode() == (
        f"m={MERCHANT_ID};ac.order_id={order['account']};a={ID_CARD_FEE_TIYIN};l=ru"
    )
    assert order["created_at"].startswith("2026-12-01T09:00:00")
    assert order["expires_at"].startswith("2026-12-01T09:10:00")


def test_passport_costs_one_bca_and_accounts_differ(
    new_order: Callable[..., dict[str, Any]],
) -> None:
    first, second = new_order(service_code="passport"), new_order(service_code="passport")
    assert first["amount_tiyin"] == second["amount_tiyin"] == PASSPORT_FEE_TIYIN
    assert first["account"] != second["account"]


def test_a_repeat_returns_the_same_order_and_other_content_conflicts(
    client: TestClient, kiosk_headers: dict[str, str]
) -> None:
    request = order_request()
    first = client.post(ORDERS_PATH, json=request, headers=kiosk_headers)
    repeat = client.post(ORDERS_PATH, json=request, headers=kiosk_headers)
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert repeat.json() == first.json()
    changed = client.post(
        ORDERS_PATH, json={**request, "service_code": "passport"}, headers=kiosk_headers
    )
    assert changed.status_code == 409
    assert changed.json()["error"] == "payment_order_conflict"


def test_a_service_without_a_fee_and_a_missing_credential_are_refused(
    client: TestClient, kiosk_headers: dict[str, str]
) -> None:
    response = client.post(
        ORDERS_PATH, json=order_request("passport_replacement"), headers=kiosk_headers
    )
    assert response.status_code == 422 and response.json()["error"] == "no_fee"
    assert client.post(ORDERS_PATH, json=order_request()).status_code == 401


def test_another_kiosks_order_and_an_unknown_order_are_not_found(
    client: TestClient,
    register: Callable[..., str],
    new_order: Callable[..., dict[str, Any]],
) -> None:
    order = new_order()
    other = {"Authorization": f"Bearer {register('0043', 'Kiosk 43', 'Office')}"}
    for path in (
        f"{ORDERS_PATH}/{order['order_id']}",
        f"{ORDERS_PATH}/{order_request()['order_id']}",
    ):
        assert client.get(path, headers=other).status_code == 404
    cancel = client.post(f"{ORDERS_PATH}/{order['order_id']}/cancel", headers=other)
    assert cancel.status_code == 404 and cancel.json()["error"] == "payment_order_not_found"


def test_the_kiosk_sees_the_order_paid_once_payme_performs_it(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    clock: SettableClock,
    new_order: Callable[..., dict[str, Any]],
) -> None:
    order = new_order()
    path = f"{ORDERS_PATH}/{order['order_id']}"
    transaction_id = "63f1d2a0c0a1b2c3d4e5f601"
    assert payme.create(transaction_id, order["account"], order["amount_tiyin"])["result"]
    created = client.get(path, headers=kiosk_headers).json()
    assert created["state"] == "pending" and created["transaction_id"] == transaction_id
    clock.advance(seconds=30)
    assert payme.perform(transaction_id)["result"]["state"] == 2
    paid = client.get(path, headers=kiosk_headers).json()
    assert paid["state"] == "paid"
    assert paid["paid_at"].startswith("2026-12-01T09:00:30")


def test_cancel_before_payment_cancels_and_payme_then_finds_no_order(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    new_order: Callable[..., dict[str, Any]],
) -> None:
    order = new_order()
    cancel_path = f"{ORDERS_PATH}/{order['order_id']}/cancel"
    first = client.post(cancel_path, headers=kiosk_headers)
    again = client.post(cancel_path, headers=kiosk_headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["state"] == again.json()["state"] == "cancelled"
    error = payme.check_perform(order["account"], order["amount_tiyin"])["error"]
    assert (error["code"], error["data"]) == (-31050, "order_id")


def test_cancel_between_create_and_perform_refuses_the_perform(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    new_order: Callable[..., dict[str, Any]],
) -> None:
    order = new_order()
    transaction_id = "63f1d2a0c0a1b2c3d4e5f602"
    assert "result" in payme.create(transaction_id, order["account"], order["amount_tiyin"])
    client.post(f"{ORDERS_PATH}/{order['order_id']}/cancel", headers=kiosk_headers)
    assert payme.perform(transaction_id)["error"]["code"] == -31008
    check = payme.check(transaction_id)["result"]
    assert (check["state"], check["reason"], check["perform_time"]) == (-1, 4, 0)
    view = client.get(f"{ORDERS_PATH}/{order['order_id']}", headers=kiosk_headers).json()
    assert view["state"] == "cancelled"


def test_cancel_after_payment_makes_the_order_refund_due(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    new_order: Callable[..., dict[str, Any]],
) -> None:
    order = new_order()
    payme.pay(order["account"], order["amount_tiyin"])
    cancel_path = f"{ORDERS_PATH}/{order['order_id']}/cancel"
    assert client.post(cancel_path, headers=kiosk_headers).json()["state"] == "refund_due"
    assert client.post(cancel_path, headers=kiosk_headers).json()["state"] == "refund_due"


def test_an_unpaid_order_past_its_expiry_counts_as_cancelled(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    clock: SettableClock,
    new_order: Callable[..., dict[str, Any]],
) -> None:
    order = new_order()
    clock.advance(minutes=10)
    view = client.get(f"{ORDERS_PATH}/{order['order_id']}", headers=kiosk_headers).json()
    assert view["state"] == "cancelled"
    assert payme.check_perform(order["account"], order["amount_tiyin"])["error"]["code"] == -31050
    assert clock.now > START


def test_an_order_created_before_expiry_cannot_be_performed_after_it(
    payme: Payme, clock: SettableClock, new_order: Callable[..., dict[str, Any]]
) -> None:
    order = new_order()
    transaction_id = "63f1d2a0c0a1b2c3d4e5f603"
    assert "result" in payme.create(transaction_id, order["account"], order["amount_tiyin"])
    clock.advance(minutes=11)
    assert payme.perform(transaction_id)["error"]["code"] == -31008
    assert payme.check(transaction_id)["result"]["state"] == -1


def test_a_cancel_racing_a_perform_never_loses_the_money(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    new_order: Callable[..., dict[str, Any]],
) -> None:
    for attempt in range(6):
        order = new_order()
        transaction_id = f"race{attempt:020d}"
        assert "result" in payme.create(transaction_id, order["account"], order["amount_tiyin"])
        cancel_path = f"{ORDERS_PATH}/{order['order_id']}/cancel"
        with ThreadPoolExecutor(max_workers=2) as pool:
            performing = pool.submit(payme.perform, transaction_id)
            cancelling = pool.submit(client.post, cancel_path, headers=kiosk_headers)
            performed, cancelled = performing.result(), cancelling.result()
        order_state = client.get(f"{ORDERS_PATH}/{order['order_id']}", headers=kiosk_headers)
        transaction_state = payme.check(transaction_id)["result"]["state"]
        outcome = (order_state.json()["state"], transaction_state)
        # Either the money arrived first and is owed back, or it was never taken.
        assert outcome in {("refund_due", 2), ("cancelled", -1)}, (performed, cancelled.json())
        assert ("result" in performed) == (transaction_state == 2)
