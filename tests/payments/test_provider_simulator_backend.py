"""The Payme simulator paying real fee orders through the real backend's merchant endpoint."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.commands import register_kiosk_command
from backend.migrate import upgrade_database
from backend.server import BackgroundServer
from config.settings import PROJECT_ROOT, BackendSettings
from payments.provider_control import run_control_command
from payments.provider_simulator import PaymeSimulator

MERCHANT_KEY = "test-payme-key"
CHECKOUT_BASE = "http://127.0.0.1:9106/checkout/"
PASSPORT_FEE_TIYIN = 41_200_000  # one BCA of the demo fee schedule

Order = dict[str, Any]


class FeeDesk:
    """A registered kiosk asking the backend for fee orders and reading them back."""

    def __init__(self, url: str, credential: str) -> None:
        self.url = url
        self._http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {credential}"}, timeout=10
        )

    def new_order(self, service_code: str = "passport") -> Order:
        body = {"order_id": str(uuid.uuid4()), "service_code": service_code, "language": "ru"}
        response = self._http.post("/api/v1/payments/orders", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def order(self, order: Order) -> Order:
        response = self._http.get(f"/api/v1/payments/orders/{order['order_id']}")
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self._http.close()


def _running_backend(tmp_path: Path, **overrides: Any) -> Iterator[FeeDesk]:
    settings = BackendSettings(
        var_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'station.db'}",
        secret_key="payme-simulator-tests",
        payme_key=MERCHANT_KEY,
        checkout_base_url=CHECKOUT_BASE,
        **overrides,
    )
    upgrade_database(settings.resolved_database_url)
    credential = register_kiosk_command(settings, "0042", "Kiosk 42", "Yunusobod")
    with BackgroundServer(settings, port=0) as server:
        desk = FeeDesk(server.url, credential)
        yield desk
        desk.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeeDesk]:
    yield from _running_backend(tmp_path_factory.mktemp("backend"))


@pytest.fixture
def payme(desk: FeeDesk) -> Iterator[PaymeSimulator]:
    with PaymeSimulator(desk.url, MERCHANT_KEY, slow_seconds=0.3) as simulator:
        yield simulator


def _transaction_states(simulator: PaymeSimulator) -> dict[str, int | None]:
    return {record.transaction_id: record.state for record in simulator.transactions()}


def test_ok_pays_the_order(desk: FeeDesk, payme: PaymeSimulator) -> None:
    order = desk.new_order()
    assert order["amount_tiyin"] == PASSPORT_FEE_TIYIN
    run = payme.pay_link(order["pay_url"], "ok")
    assert run.as_expected, run.summary()
    assert [op.method for op in run.operations] == [
        "CheckPerformTransaction",
        "CreateTransaction",
        "PerformTransaction",
    ]
    after = desk.order(order)
    assert after["state"] == "paid"
    assert after["transaction_id"] == run.transaction_ids[0]
    assert _transaction_states(payme) == {run.transaction_ids[0]: 2}


def test_wrong_amount_is_refused_and_pays_nothing(desk: FeeDesk, payme: PaymeSimulator) -> None:
    order = desk.new_order()
    run = payme.pay_link(order["pay_url"], "wrong-amount")
    assert run.as_expected, run.summary()
    [check] = run.operations
    assert check.error_code == -31001
    assert run.transaction_ids == []
    assert desk.order(order)["state"] == "pending"


def test_twice_is_idempotent_and_a_second_transaction_is_refused(
    desk: FeeDesk, payme: PaymeSimulator
) -> None:
    order = desk.new_order()
    run = payme.pay_link(order["pay_url"], "twice")
    assert run.as_expected, run.summary()
    first, second = run.transaction_ids
    assert _transaction_states(payme) == {first: 2, second: None}
    second_create = run.operations[-1]
    assert (second_create.method, second_create.transaction_id) == ("CreateTransaction", second)
    assert second_create.error_code is not None
    after = desk.order(order)
    assert (after["state"], after["transaction_id"]) == ("paid", first)


def test_cancel_after_refunds_the_payment(desk: FeeDesk, payme: PaymeSimulator) -> None:
    order = desk.new_order()
    run = payme.pay_link(order["pay_url"], "cancel-after")
    assert run.as_expected, run.summary()
    assert run.operations[-2].method == "CancelTransaction"
    # The provider gave the money back itself: nothing is owed, the order no longer counts.
    assert desk.order(order)["state"] == "cancelled"
    assert _transaction_states(payme) == {run.transaction_ids[0]: -2}


def test_never_leaves_the_order_pending(desk: FeeDesk, payme: PaymeSimulator) -> None:
    order = desk.new_order()
    run = payme.pay_link(order["pay_url"], "never")
    assert run.as_expected and run.verdict == "created, never performed"
    after = desk.order(order)
    assert (after["state"], after["transaction_id"]) == ("pending", run.transaction_ids[0])
    # The order is busy with that transaction: another payment cannot start.
    again = payme.pay_link(order["pay_url"], "ok")
    assert not again.as_expected
    assert again.operations[0].error_code == -31099


def test_slow_pays_after_its_pause(desk: FeeDesk, payme: PaymeSimulator) -> None:
    order = desk.new_order()
    run = payme.pay(order["account"], order["amount_tiyin"], "slow")
    create, perform = run.operations[1:]
    assert perform.at_ms - create.at_ms >= 300
    assert run.as_expected
    assert desk.order(order)["state"] == "paid"


def test_the_control_socket_pays_by_account_and_amount(
    desk: FeeDesk, payme: PaymeSimulator
) -> None:
    order = desk.new_order("id_card")
    som = order["amount_tiyin"] // 100
    reply = run_control_command(payme, f"pay {order['account']} {som} ok")
    assert reply.startswith(f"ok ok account {order['account']}"), reply
    assert "PerformTransaction" in reply
    assert desk.order(order)["state"] == "paid"
    history = run_control_command(payme, "history")
    assert order["account"] in history and "state 2" in history
    statement = run_control_command(payme, "statement 5")
    assert statement.startswith("ok GetStatement:")
    assert f"{payme.transactions()[-1].transaction_id} state 2" in statement


def test_a_wrong_merchant_key_is_shown_plainly(desk: FeeDesk) -> None:
    order = desk.new_order()
    with PaymeSimulator(desk.url, "not-the-key") as payme:
        reply = run_control_command(payme, f"pay {order['pay_url']} ok")
    assert reply.startswith("error ")
    assert "error -32504: the backend refused our merchant key" in reply
    assert desk.order(order)["state"] == "pending"


@pytest.fixture
def short_lived_desk(tmp_path: Path) -> Iterator[FeeDesk]:
    yield from _running_backend(tmp_path, payment_order_minutes=0.02)  # 1.2 s


def test_too_slow_a_payment_is_refused_once_the_order_expired(
    short_lived_desk: FeeDesk,
) -> None:
    order = short_lived_desk.new_order()
    with PaymeSimulator(short_lived_desk.url, MERCHANT_KEY) as payme:
        run = payme.pay_link(order["pay_url"], "slow", slow_seconds=1.5)
    assert not run.as_expected
    assert run.operations[-1].method == "PerformTransaction"
    assert run.operations[-1].error_code == -31008
    assert short_lived_desk.order(order)["state"] == "cancelled"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _station(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30, check=False, **options,
    )  # fmt: skip


def test_station_sim_payme_runs_and_is_controlled_from_the_command_line(desk: FeeDesk) -> None:
    checkout_port, control_port = _free_port(), _free_port()
    command = [
        sys.executable, "-m", "cli.main", "sim", "payme", "--backend-url", desk.url,
        "--merchant-key", MERCHANT_KEY, "--port", str(checkout_port),
        "--control-port", str(control_port),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        assert "Payme simulator paying to" in process.stdout.readline()
        order = desk.new_order()
        paid = _station(
            "sim", "control", "payme", "--port", str(control_port), "pay", order["pay_url"]
        )
        assert paid.returncode == 0, paid.stdout
        assert "PerformTransaction" in paid.stdout
        assert desk.order(order)["state"] == "paid"
        page = httpx.get(f"http://127.0.0.1:{checkout_port}/", timeout=5)
        assert order["account"] in page.text
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
