"""``station payments list`` and ``station payments reconcile`` over real orders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.commands import list_payments_command, reconcile_payments_command
from cli.main import main
from config.settings import BackendSettings
from tests.payments.payme_support import (
    ORDERS_PATH,
    Payme,
    SettableClock,
    create_order,
    fee_only_settings,
    payments_client,
)

DAY = date(2026, 12, 1)  # the orders are made at 14:00 Tashkent time that day


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
def day_of_orders(
    client: TestClient,
    kiosk_headers: dict[str, str],
    clock: SettableClock,
    make_submission: Callable[..., dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """One order of each fate: used by a case, paid and unused, refund due, refunded by the
    provider, cancelled."""
    payme = Payme(client, clock)
    paid = ("used", "unused", "refund", "refunded")
    orders = {name: create_order(client, kiosk_headers) for name in paid}
    orders["cancelled"] = create_order(client, kiosk_headers, "passport")
    transactions = {
        name: payme.pay(orders[name]["account"], orders[name]["amount_tiyin"]) for name in paid
    }
    assert payme.cancel(transactions["refunded"], 5)["result"]["state"] == -2
    for name in ("refund", "cancelled"):
        path = f"{ORDERS_PATH}/{orders[name]['order_id']}/cancel"
        assert client.post(path, headers=kiosk_headers).status_code == 200
    case = make_submission(
        service_code="id_card", category_code="first", payment_order_id=orders["used"]["order_id"]
    )
    assert client.post("/api/v1/cases", json=case, headers=kiosk_headers).status_code == 201
    for name, transaction_id in transactions.items():
        orders[name]["transaction"] = transaction_id
    orders["used"]["case_number"] = case["case_number"]
    return orders


def test_list_shows_each_order_with_its_amount_state_transaction_and_case(
    settings: BackendSettings, clock: SettableClock, day_of_orders: dict[str, dict[str, Any]]
) -> None:
    text = list_payments_command(settings, DAY, now=clock.now)
    lines = text.splitlines()
    assert lines[0] == "fee orders of 2026-12-01 (Asia/Tashkent): 5"
    by_account = {line.split()[1]: line for line in lines[2:]}
    used = by_account[day_of_orders["used"]["account"]]
    assert "164 800.00 so'm" in used and " paid " in used
    assert day_of_orders["used"]["transaction"] in used
    assert used.rstrip().endswith(day_of_orders["used"]["case_number"])
    assert " refund_due " in by_account[day_of_orders["refund"]["account"]]
    cancelled = by_account[day_of_orders["cancelled"]["account"]]
    assert "412 000.00 so'm" in cancelled and " cancelled " in cancelled
    empty = list_payments_command(settings, DAY + timedelta(days=1), now=clock.now)
    assert empty.splitlines()[0].endswith(": 0")


def test_reconcile_separates_used_unused_and_refund_due_fees(
    settings: BackendSettings, clock: SettableClock, day_of_orders: dict[str, dict[str, Any]]
) -> None:
    soon, reconciled = reconcile_payments_command(settings, DAY, now=clock.now)
    assert not reconciled  # a refund is due
    assert "paid with a case:           1  164 800.00 so'm" in soon
    assert "paid, case still due:       1  164 800.00 so'm" in soon
    assert "refund due:                 1  164 800.00 so'm" in soon
    assert "refunded by provider:       1  164 800.00 so'm" in soon
    assert "unpaid or cancelled:        1" in soon
    assert "received in total:          3  494 400.00 so'm" in soon
    later, _ = reconcile_payments_command(settings, DAY, now=clock.now + timedelta(hours=2))
    assert "paid without a case:        1  164 800.00 so'm" in later
    assert f"{day_of_orders['unused']['account']}  paid 120 min ago" in later
    assert later.endswith("NOT RECONCILED")


def test_reconcile_passes_when_every_fee_paid_for_a_case(
    settings: BackendSettings,
    client: TestClient,
    kiosk_headers: dict[str, str],
    clock: SettableClock,
    make_submission: Callable[..., dict[str, Any]],
) -> None:
    order = create_order(client, kiosk_headers)
    Payme(client, clock).pay(order["account"], order["amount_tiyin"])
    case = make_submission(
        service_code="id_card", category_code="first", payment_order_id=order["order_id"]
    )
    assert client.post("/api/v1/cases", json=case, headers=kiosk_headers).status_code == 201
    text, reconciled = reconcile_payments_command(settings, DAY, now=clock.now)
    assert reconciled and text.endswith("\nreconciled")


def test_the_station_command_prints_and_exits_non_zero_when_unreconciled(
    settings: BackendSettings,
    day_of_orders: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATION_DATABASE_URL", settings.resolved_database_url)
    assert main(["payments", "list", "--day", "2026-12-01"]) == 0
    assert day_of_orders["used"]["account"] in capsys.readouterr().out
    assert main(["payments", "reconcile", "--day", "2026-12-01"]) == 1
    out = capsys.readouterr().out
    assert "refund due:" in out and out.rstrip().endswith("NOT RECONCILED")
    assert main(["payments", "reconcile", "--day", "2026-11-30"]) == 0
