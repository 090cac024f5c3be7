"""The Payme merchant endpoint: every method, every error, and the repeated and out-of-order
calls a real provider makes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.db import Database
from config.settings import BackendSettings
from tests.payments.payme_support import (
    ID_CARD_FEE_TIYIN,
    PAYME_AUTH,
    PAYME_KEY,
    PAYME_PATH,
    Payme,
    SettableClock,
    basic_auth,
    create_order,
    new_transaction_id,
    payments_client,
)

# Orders live a day here, so the provider's 12-hour rule is what stops a late perform.
ORDER_MINUTES = 24 * 60


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def client(settings: BackendSettings, clock: SettableClock) -> Iterator[TestClient]:
    with payments_client(settings, clock, payment_order_minutes=ORDER_MINUTES) as test_client:
        yield test_client


@pytest.fixture
def payme(client: TestClient, clock: SettableClock) -> Payme:
    return Payme(client, clock)


@pytest.fixture
def order(client: TestClient, kiosk_headers: dict[str, str]) -> dict[str, Any]:
    return create_order(client, kiosk_headers)


def _error_code(answer: dict[str, Any]) -> int:
    assert "result" not in answer, answer
    assert set(answer["error"]["message"]) == {"ru", "uz", "en"}
    return answer["error"]["code"]


# --- Envelope: credentials, JSON, request shape, method -----------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic_auth("Paycom", "wrong-key"),
        basic_auth("Other", PAYME_KEY),
        {"Authorization": f"Bearer {PAYME_KEY}"},
        {"Authorization": "Basic not-base64!"},
    ],
    ids=["missing", "wrong-key", "wrong-login", "not-basic", "garbled"],
)
def test_bad_credentials_answer_32504(
    payme: Payme, order: dict[str, Any], headers: dict[str, str]
) -> None:
    params = {"amount": order["amount_tiyin"], "account": {"order_id": order["account"]}}
    answer = payme.call("CheckPerformTransaction", params, headers=headers or {"X": "y"})
    assert _error_code(answer) == -32504


def test_an_unset_key_refuses_every_call(settings: BackendSettings, clock: SettableClock) -> None:
    with payments_client(settings, clock, payme_key=None) as client:
        answer = Payme(client, clock).call("CheckTransaction", {"id": "x"})
    assert _error_code(answer) == -32504


def test_malformed_json_answers_32700_with_http_200(client: TestClient) -> None:
    response = client.post(PAYME_PATH, content=b'{"method": ', headers=PAYME_AUTH)
    assert response.status_code == 200
    answer = response.json()
    assert answer["id"] is None and _error_code(answer) == -32700


@pytest.mark.parametrize(
    "body",
    [
        {"id": 7, "params": {}},
        {"id": 7, "method": "CheckTransaction", "params": []},
        {"id": 7, "method": "CheckTransaction", "params": {}},
        {"id": 7, "method": "CheckTransaction", "params": {"id": 5}},
        {"id": 7, "method": "CreateTransaction", "params": {"id": "a", "time": 1, "amount": "1"}},
        {"id": 7, "method": "CancelTransaction", "params": {"id": "a"}},
        {"id": 7, "method": "GetStatement", "params": {"from": 1}},
        [1, 2],
    ],
    ids=[
        "no-method",
        "params-list",
        "no-id",
        "id-int",
        "amount-string",
        "no-reason",
        "no-to",
        "not-object",
    ],
)
def test_missing_or_ill_typed_fields_answer_32600(client: TestClient, body: Any) -> None:
    response = client.post(PAYME_PATH, json=body, headers=PAYME_AUTH)
    assert response.status_code == 200
    assert _error_code(response.json()) == -32600


def test_an_unknown_method_answers_32601(payme: Payme) -> None:
    assert _error_code(payme.call("ChangePassword", {"password": "x"})) == -32601


# --- CheckPerformTransaction ---------------------------------------------------------------


def test_check_perform_allows_a_pending_order_of_the_right_amount(
    payme: Payme, order: dict[str, Any]
) -> None:
    answer = payme.check_perform(order["account"], ID_CARD_FEE_TIYIN)
    assert answer["result"] == {"allow": True}


def test_check_perform_refuses_a_wrong_amount_and_an_unknown_order(
    payme: Payme, order: dict[str, Any]
) -> None:
    assert _error_code(payme.check_perform(order["account"], ID_CARD_FEE_TIYIN - 100)) == -31001
    for account in ("1234567890", "not-a-number", ""):
        answer = payme.check_perform(account, ID_CARD_FEE_TIYIN)
        assert _error_code(answer) == -31050 and answer["error"]["data"] == "order_id"


def test_check_perform_refuses_an_order_another_transaction_is_paying(
    payme: Payme, order: dict[str, Any]
) -> None:
    assert "result" in payme.create(new_transaction_id(), order["account"], ID_CARD_FEE_TIYIN)
    answer = payme.check_perform(order["account"], ID_CARD_FEE_TIYIN)
    assert _error_code(answer) == -31099 and answer["error"]["data"] == "order_id"


# --- CreateTransaction ---------------------------------------------------------------------


def test_create_twice_returns_the_same_create_time(
    payme: Payme, clock: SettableClock, order: dict[str, Any]
) -> None:
    transaction_id = new_transaction_id()
    first = payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)["result"]
    assert first["state"] == 1 and first["create_time"] == clock.ms
    clock.advance(seconds=5)
    again = payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)["result"]
    assert again == first


def test_a_second_transaction_for_an_order_in_progress_is_refused(
    payme: Payme, order: dict[str, Any]
) -> None:
    assert "result" in payme.create(new_transaction_id(), order["account"], ID_CARD_FEE_TIYIN)
    answer = payme.create(new_transaction_id(), order["account"], ID_CARD_FEE_TIYIN)
    assert _error_code(answer) == -31099 and answer["error"]["data"] == "order_id"


def test_a_second_transaction_for_a_paid_order_is_refused(
    payme: Payme, order: dict[str, Any]
) -> None:
    payme.pay(order["account"], ID_CARD_FEE_TIYIN)
    answer = payme.create(new_transaction_id(), order["account"], ID_CARD_FEE_TIYIN)
    assert _error_code(answer) == -31050 and answer["error"]["data"] == "order_id"


def test_create_refuses_a_wrong_amount_and_an_unknown_order(
    payme: Payme, order: dict[str, Any]
) -> None:
    wrong = payme.create(new_transaction_id(), order["account"], ID_CARD_FEE_TIYIN + 1)
    assert _error_code(wrong) == -31001
    unknown = payme.create(new_transaction_id(), "9999999999", ID_CARD_FEE_TIYIN)
    assert _error_code(unknown) == -31050 and unknown["error"]["data"] == "order_id"


def test_after_payme_cancels_a_created_transaction_a_new_one_may_pay(
    payme: Payme, order: dict[str, Any]
) -> None:
    abandoned = new_transaction_id()
    assert "result" in payme.create(abandoned, order["account"], ID_CARD_FEE_TIYIN)
    assert payme.cancel(abandoned, 3)["result"]["state"] == -1
    assert _error_code(payme.create(abandoned, order["account"], ID_CARD_FEE_TIYIN)) == -31008
    payme.pay(order["account"], ID_CARD_FEE_TIYIN)


# --- PerformTransaction --------------------------------------------------------------------


def test_perform_twice_returns_the_same_perform_time(
    payme: Payme, clock: SettableClock, order: dict[str, Any]
) -> None:
    transaction_id = new_transaction_id()
    created = payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)["result"]
    clock.advance(seconds=40)
    first = payme.perform(transaction_id)["result"]
    assert first == {
        "transaction": created["transaction"],
        "perform_time": clock.ms,
        "state": 2,
    }
    clock.advance(seconds=40)
    assert payme.perform(transaction_id)["result"] == first


def test_perform_of_an_unknown_transaction_answers_31003(payme: Payme) -> None:
    assert _error_code(payme.perform(new_transaction_id())) == -31003


def test_perform_after_12_hours_cancels_the_transaction_by_timeout(
    payme: Payme, clock: SettableClock, order: dict[str, Any]
) -> None:
    transaction_id = new_transaction_id()
    assert "result" in payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)
    clock.advance(milliseconds=43_200_001)
    assert _error_code(payme.perform(transaction_id)) == -31008
    check = payme.check(transaction_id)["result"]
    assert (check["state"], check["reason"], check["cancel_time"]) == (-1, 4, clock.ms)
    assert _error_code(payme.perform(transaction_id)) == -31008


def test_perform_at_exactly_12_hours_still_succeeds(
    payme: Payme, clock: SettableClock, order: dict[str, Any]
) -> None:
    transaction_id = new_transaction_id()
    assert "result" in payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)
    clock.advance(milliseconds=43_200_000)
    assert payme.perform(transaction_id)["result"]["state"] == 2


def test_create_repeated_after_12_hours_cancels_the_transaction(
    payme: Payme, clock: SettableClock, order: dict[str, Any]
) -> None:
    transaction_id = new_transaction_id()
    assert "result" in payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)
    clock.advance(hours=13)
    assert _error_code(payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)) == -31008
    assert payme.check(transaction_id)["result"]["state"] == -1


# --- CancelTransaction and CheckTransaction ------------------------------------------------


def test_cancel_then_perform_is_refused_and_check_shows_the_reason_given(
    payme: Payme, clock: SettableClock, order: dict[str, Any]
) -> None:
    transaction_id = new_transaction_id()
    created = payme.create(transaction_id, order["account"], ID_CARD_FEE_TIYIN)["result"]
    clock.advance(seconds=3)
    cancelled = payme.cancel(transaction_id, 2)["result"]
    assert cancelled == {
        "transaction": created["transaction"],
        "cancel_time": clock.ms,
        "state": -1,
    }
    clock.advance(seconds=3)
    assert payme.cancel(transaction_id, 2)["result"] == cancelled
    assert _error_code(payme.perform(transaction_id)) == -31008
    assert payme.check(transaction_id)["result"] == {
        "create_time": created["create_time"],
        "perform_time": 0,
        "cancel_time": cancelled["cancel_time"],
        "transaction": created["transaction"],
        "state": -1,
        "reason": 2,
    }


def test_cancel_after_perform_refunds_and_the_order_is_no_longer_paid(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    order: dict[str, Any],
) -> None:
    transaction_id = payme.pay(order["account"], ID_CARD_FEE_TIYIN)
    refunded = payme.cancel(transaction_id, 5)["result"]
    assert refunded["state"] == -2
    check = payme.check(transaction_id)["result"]
    assert (check["state"], check["reason"]) == (-2, 5) and check["perform_time"] > 0
    view = client.get(f"/api/v1/payments/orders/{order['order_id']}", headers=kiosk_headers)
    assert view.json()["state"] == "cancelled"
    assert _error_code(payme.perform(transaction_id)) == -31008


def test_cancel_and_check_of_an_unknown_transaction_answer_31003(payme: Payme) -> None:
    assert _error_code(payme.cancel(new_transaction_id(), 1)) == -31003
    assert _error_code(payme.check(new_transaction_id())) == -31003


def test_check_of_a_performed_transaction(
    payme: Payme, clock: SettableClock, order: dict[str, Any]
) -> None:
    transaction_id = payme.pay(order["account"], ID_CARD_FEE_TIYIN)
    check = payme.check(transaction_id)["result"]
    assert check["state"] == 2 and check["perform_time"] == clock.ms
    assert check["cancel_time"] == 0 and check["reason"] is None


# --- GetStatement --------------------------------------------------------------------------


def test_get_statement_lists_the_transactions_created_in_the_range(
    client: TestClient,
    kiosk_headers: dict[str, str],
    payme: Payme,
    clock: SettableClock,
) -> None:
    first_order, second_order = (
        create_order(client, kiosk_headers),
        create_order(client, kiosk_headers),
    )
    start = clock.ms
    paid = payme.pay(first_order["account"], ID_CARD_FEE_TIYIN)
    clock.advance(minutes=5)
    pending = new_transaction_id()
    assert "result" in payme.create(pending, second_order["account"], ID_CARD_FEE_TIYIN)
    clock.advance(minutes=5)
    whole = payme.result("GetStatement", {"from": start, "to": clock.ms})["transactions"]
    assert [(item["id"], item["state"]) for item in whole] == [(paid, 2), (pending, 1)]
    assert whole[0]["account"] == {"order_id": first_order["account"]}
    assert whole[0]["amount"] == ID_CARD_FEE_TIYIN and whole[0]["time"] == start
    assert whole[0]["perform_time"] == start and whole[1]["perform_time"] == 0
    first_only = payme.result("GetStatement", {"from": start, "to": start + 1000})
    assert [item["id"] for item in first_only["transactions"]] == [paid]


def test_a_failing_database_still_answers_http_200_with_a_system_error(
    payme: Payme, database: Database
) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE payment_transactions")
    answer = payme.check(new_transaction_id())
    assert _error_code(answer) == -32400
