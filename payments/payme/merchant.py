"""Payme as a ``PaymentProvider``: checkout links and answers to merchant API calls."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from typing import Any

from payments.payme.errors import MerchantError, PaymeErrorCode
from payments.payme.protocol import parse_params, parse_request, request_id_of
from payments.payme.rules import RULES
from payments.payme.transactions import MerchantStore

logger = logging.getLogger(__name__)

PAYME_LOGIN = "Paycom"
_CHECKOUT_LANGUAGES = {"uz_Latn": "uz", "uz_Cyrl": "uz", "ru": "ru", "en": "en"}


def checkout_link(
    base_url: str, merchant_id: str, account: str, amount_tiyin: int, language: str
) -> str:
    """Payme's checkout link: the base URL, then base64 of ``m=..;ac.order_id=..;a=..;l=..``."""
    lang = _CHECKOUT_LANGUAGES.get(language, "uz")
    params = f"m={merchant_id};ac.order_id={account};a={amount_tiyin};l={lang}"
    encoded = base64.b64encode(params.encode()).decode()
    return f"{base_url.rstrip('/')}/{encoded}"


def credentials_valid(authorization: str | None, key: str | None) -> bool:
    """Whether a Basic ``Paycom:<key>`` header carries our key (compared in constant time)."""
    if not key or not authorization:
        return False
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    login, _, password = decoded.partition(":")
    return login == PAYME_LOGIN and hmac.compare_digest(password.encode(), key.encode())


class PaymeProvider:
    name = "payme"

    def __init__(self, merchant_id: str, key: str | None, checkout_base_url: str) -> None:
        self.merchant_id = merchant_id
        self.key = key
        self.checkout_base_url = checkout_base_url

    def checkout_url(self, account: str, amount_tiyin: int, language: str) -> str:
        return checkout_link(
            self.checkout_base_url, self.merchant_id, account, amount_tiyin, language
        )

    def answer(
        self, body: bytes, authorization: str | None, store: MerchantStore, now_ms: int
    ) -> dict[str, Any]:
        request_id = request_id_of(body)
        try:
            if not credentials_valid(authorization, self.key):
                raise MerchantError(PaymeErrorCode.BAD_CREDENTIALS)
            request = parse_request(body)
            request_id = request.id
            params = parse_params(request)
            result = RULES[request.method](store, params, now_ms)  # type: ignore[arg-type]
        except MerchantError as error:
            logger.info("payme call answered with %s", error)
            return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}
        return {"jsonrpc": "2.0", "id": request_id, "result": result}
