"""What the backend needs of a payment provider (Payme now; Click can sit behind the same)."""

from __future__ import annotations

from typing import Any, Protocol

from payments.payme.transactions import MerchantStore


class PaymentProvider(Protocol):
    """A QR payment provider whose servers call our merchant endpoint."""

    name: str

    def checkout_url(self, account: str, amount_tiyin: int, language: str) -> str:
        """The link the kiosk's QR code holds; ``language`` is a kiosk language code."""
        ...

    def answer(
        self, body: bytes, authorization: str | None, store: MerchantStore, now_ms: int
    ) -> dict[str, Any]:
        """The response document to one merchant call (errors included, never raised)."""
        ...
