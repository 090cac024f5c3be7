"""Fee payments through the backend, with its failures in the session's terms."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from backend.contracts import PaymentOrderRequest, PaymentOrderView
from kiosk.backend_client import BackendClient, BackendUnavailable
from kiosk.session import PaymentUnavailable


class BackendPaymentDesk:
    """``PaymentDesk`` over the kiosk's interactive backend client."""

    def __init__(self, client: Callable[[], BackendClient | None]) -> None:
        self._client = client

    def create(self, request: PaymentOrderRequest) -> PaymentOrderView:
        return self._call(lambda client: client.create_payment_order(request))

    def status(self, order_id: UUID) -> PaymentOrderView:
        return self._call(lambda client: client.payment_order(order_id))

    def cancel(self, order_id: UUID) -> PaymentOrderView:
        return self._call(lambda client: client.cancel_payment_order(order_id))

    def _call(self, call: Callable[[BackendClient], PaymentOrderView]) -> PaymentOrderView:
        client = self._client()
        if client is None:
            raise PaymentUnavailable("the kiosk has no backend credential")
        try:
            return call(client)
        except BackendUnavailable as error:
            raise PaymentUnavailable(str(error)) from error
