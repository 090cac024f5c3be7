"""The Payme simulator's wire: checkout links, JSON-RPC 2.0 calls to the merchant endpoint
and the record of each call."""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

MERCHANT_PATH = "/api/v1/payments/payme"
BAD_AUTH = -32504


class CheckoutLinkError(ValueError):
    """The text is not a Payme checkout link."""


@dataclass(frozen=True)
class CheckoutLink:
    """What a Payme checkout link carries: ``m=..;ac.order_id=..;a=..;l=..``."""

    merchant_id: str
    account: str
    amount_tiyin: int
    language: str | None = None


def build_checkout_link(base_url: str, link: CheckoutLink) -> str:
    """The checkout URL: ``base_url`` followed by base64 of the parameters."""
    parts = [f"m={link.merchant_id}", f"ac.order_id={link.account}", f"a={link.amount_tiyin}"]
    if link.language:
        parts.append(f"l={link.language}")
    encoded = base64.b64encode(";".join(parts).encode()).decode()
    return base_url.rstrip("/") + "/" + encoded


def parse_checkout_link(text: str) -> CheckoutLink:
    """Read a checkout URL, or the bare base64 at its end; raise CheckoutLinkError."""
    text = text.strip()
    if not text:
        raise CheckoutLinkError("empty checkout link")
    last_segment = urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1] if "/" in text else text
    padded = last_segment + "=" * (-len(last_segment) % 4)
    try:
        decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        fields = dict(
            part.split("=", 1) for part in decoded.decode("utf-8").split(";") if "=" in part
        )
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise CheckoutLinkError(f"not a checkout link: {text!r}") from exc
    missing = [name for name in ("m", "ac.order_id", "a") if not fields.get(name)]
    if missing:
        raise CheckoutLinkError(f"checkout link lacks {', '.join(missing)}: {text!r}")
    try:
        amount = int(fields["a"])
    except ValueError as exc:
        raise CheckoutLinkError(
            f"checkout link amount is not whole tiyin: {fields['a']!r}"
        ) from exc
    if amount <= 0:
        raise CheckoutLinkError(f"checkout link amount must be positive: {amount}")
    return CheckoutLink(fields["m"], fields["ac.order_id"], amount, fields.get("l") or None)


def new_transaction_id() -> str:
    """A Payme-like transaction id: 24 hex chars, seconds since the epoch first."""
    return f"{int(time.time()):08x}{secrets.token_hex(8)}"


def now_ms() -> int:
    return int(time.time() * 1000)


class ProviderError(Exception):
    """The merchant endpoint could not be reached or did not speak JSON-RPC."""


class MerchantApiError(Exception):
    """A JSON-RPC error the merchant returned."""

    def __init__(self, code: int, message: str, data: object = None) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        self.data = data

    def describe(self) -> str:
        if self.code == BAD_AUTH:
            return f"error {self.code}: the backend refused our merchant key ({self.message})"
        return f"error {self.code}: {self.message}" + (f" [{self.data}]" if self.data else "")


def _error_message(message: object) -> str:
    if isinstance(message, dict):  # Payme sends the message in several languages
        return str(message.get("en") or message.get("ru") or next(iter(message.values()), ""))
    return str(message)


class MerchantClient:
    """JSON-RPC 2.0 calls to the merchant endpoint with ``Basic Paycom:<key>``."""

    def __init__(
        self, backend_url: str, merchant_key: str, *, timeout: float = 10.0, login: str = "Paycom"
    ) -> None:
        self.url = backend_url.rstrip("/") + MERCHANT_PATH
        self.merchant_key = merchant_key
        self._login = login
        self._http = httpx.Client(timeout=timeout)
        self._next_id = 0
        self._lock = threading.Lock()

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Return the ``result``; raise MerchantApiError or ProviderError."""
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
        body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        try:
            response = self._http.post(self.url, json=body, auth=(self._login, self.merchant_key))
            reply = response.json()
        except httpx.HTTPError as exc:
            raise ProviderError(f"merchant endpoint unreachable: {exc}") from exc
        except ValueError as exc:
            raise ProviderError(f"HTTP {response.status_code}, not JSON-RPC") from exc
        error = reply.get("error") if isinstance(reply, dict) else None
        if error:
            raise MerchantApiError(
                int(error.get("code", 0)), _error_message(error.get("message")), error.get("data")
            )
        result = reply.get("result") if isinstance(reply, dict) else None
        if not isinstance(result, dict):
            raise ProviderError(f"HTTP {response.status_code}, no result: {response.text[:200]}")
        return result

    def close(self) -> None:
        self._http.close()


@dataclass(frozen=True)
class Operation:
    """One JSON-RPC call the simulator made, with what came back."""

    at_ms: int
    method: str
    transaction_id: str | None
    outcome: str
    as_expected: bool
    error_code: int | None = None
    result: dict[str, Any] | None = None

    def line(self) -> str:
        clock = time.strftime("%H:%M:%S", time.localtime(self.at_ms / 1000))
        mark = "" if self.as_expected else "  UNEXPECTED"
        tx = f" {self.transaction_id}" if self.transaction_id else ""
        return f"{clock} {self.method}{tx}: {self.outcome}{mark}"


def describe_result(result: dict[str, Any]) -> str:
    """A merchant result in one short line."""
    if "allow" in result:
        return "allow" if result["allow"] else f"not allowed {result}"
    if "transactions" in result:
        return f"{len(result['transactions'])} transactions"
    shown = ("state", "transaction", "create_time", "perform_time", "cancel_time", "reason")
    return " ".join(f"{key}={result[key]}" for key in shown if result.get(key) is not None)
