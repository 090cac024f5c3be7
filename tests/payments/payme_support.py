"""Calling the merchant endpoint the way Payme does, a settable clock, and an app to call."""

from __future__ import annotations

import base64
import itertools
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from backend.app import create_app
from config.settings import BackendSettings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PAYME_PATH = "/api/v1/payments/payme"
ORDERS_PATH = "/api/v1/payments/orders"
PAYME_KEY = "test-payme-key-&-secret"
MERCHANT_ID = "5e730e8e0b852a417aa49ceb"
CHECKOUT_BASE = "https://checkout.test.paycom.uz"
ID_CARD_FEE_TIYIN = 16_480_000  # 0.4 x 412 000 so'm
PASSPORT_FEE_TIYIN = 41_200_000
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_request_ids = itertools.count(1)


def basic_auth(login: str, key: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


PAYME_AUTH = basic_auth("Paycom", PAYME_KEY)


@dataclass
class SettableClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    @property
    def ms(self) -> int:
        return int(self.now.timestamp() * 1000)


class Payme:
    """The provider's side of the merchant API, through the app's TestClient."""

    def __init__(self, client: TestClient, clock: SettableClock) -> None:
        self.client = client
        self.clock = clock

    def call(
        self, method: str, params: dict[str, Any], headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": next(_request_ids), "method": method, "params": params}
        response = self.client.post(PAYME_PATH, json=body, headers=headers or PAYME_AUTH)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["id"] == body["id"]
        return answer

    def result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = self.call(method, params)
        assert "error" not in answer, answer
        return answer["result"]

    def error(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = self.call(method, params)
        assert "result" not in answer, answer
        error = answer["error"]
        assert set(error["message"]) == {"ru", "uz", "en"}
        return error

    def check_perform(self, account: str, amount: int) -> dict[str, Any]:
        return self.call(
            "CheckPerformTransaction", {"amount": amount, "account": {"order_id": account}}
        )

    def create(self, transaction_id: str, account: str, amount: int) -> dict[str, Any]:
        params = {
            "id": transaction_id,
            "time": self.clock.ms,
            "amount": amount,
            "account": {"order_id": account},
        }
        return self.call("CreateTransaction", params)

    def perform(self, transaction_id: str) -> dict[str, Any]:
        return self.call("PerformTransaction", {"id": transaction_id})

    def cancel(self, transaction_id: str, reason: int) -> dict[str, Any]:
        return self.call("CancelTransaction", {"id": transaction_id, "reason": reason})

    def check(self, transaction_id: str) -> dict[str, Any]:
        return self.call("CheckTransaction", {"id": transaction_id})

    def pay(self, account: str, amount: int) -> str:
        """The whole happy path; returns the provider transaction id."""
        transaction_id = new_transaction_id()
        assert "result" in self.check_perform(account, amount)
        assert "result" in self.create(transaction_id, account, amount)
        assert self.perform(transaction_id)["result"]["state"] == 2
        return transaction_id


def new_transaction_id() -> str:
    return uuid.uuid4().hex[:24]


def order_request(service_code: str = "id_card", language: str = "uz_Latn") -> dict[str, Any]:
    return {"order_id": str(uuid.uuid4()), "service_code": service_code, "language": language}


@contextmanager
def payments_client(
    settings: BackendSettings, clock: SettableClock, **overrides: Any
) -> Iterator[TestClient]:
    """The app with Payme configured and ``clock`` as the payments' time."""
    app_settings = settings.model_copy(
        update={
            "payme_key": PAYME_KEY,
            "payme_merchant_id": MERCHANT_ID,
            "checkout_base_url": CHECKOUT_BASE,
            **overrides,
        }
    )
    with TestClient(create_app(app_settings)) as test_client:
        test_client.app.state.payment_clock = clock  # type: ignore[attr-defined]
        yield test_client


def create_order(
    client: TestClient, headers: dict[str, str], service_code: str = "id_card"
) -> dict[str, Any]:
    response = client.post(ORDERS_PATH, json=order_request(service_code), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# The fee rules alone, for tests of payments: face and fingerprint requirements are tested apart.
FEE_ONLY_CATALOGUE = """
[services.id_card]
fee = true
[services.passport]
fee = true
[services.general_application]
"""


def fee_only_settings(settings: BackendSettings, directory: Path) -> BackendSettings:
    """``settings`` with a service catalogue whose cases need only their fee paid."""
    catalogue = directory / "services.toml"
    catalogue.write_text(FEE_ONLY_CATALOGUE)
    return settings.model_copy(update={"service_catalogue_path": catalogue})
