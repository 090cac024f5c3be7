"""State fee payments: kiosk orders ``/api/v1/payments/orders`` and the provider's merchant
endpoint ``/api/v1/payments/payme``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from backend.contracts import ErrorBody, PaymentOrderRequest, PaymentOrderView
from backend.db import Database
from backend.deps import CurrentKiosk, DatabaseDep, ReadingSession, Settings
from backend.services.payments import cancel_order, create_order, get_order
from backend.services.payments_store import DatabaseMerchantStore, to_unix_ms
from payments.fees import FeeSchedule
from payments.payme.errors import MerchantError, PaymeErrorCode
from payments.payme.protocol import request_id_of
from payments.provider import PaymentProvider

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


def _provider(request: Request) -> PaymentProvider:
    return request.app.state.payment_provider


def _fees(request: Request) -> FeeSchedule:
    return request.app.state.fee_schedule


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.payment_clock
    return clock()


Provider = Annotated[PaymentProvider, Depends(_provider)]
Fees = Annotated[FeeSchedule, Depends(_fees)]
Now = Annotated[datetime, Depends(_now)]


@router.post(
    "/orders",
    status_code=201,
    response_model=PaymentOrderView,
    responses={
        200: {"model": PaymentOrderView, "description": "This order id was already created"},
        401: {"model": ErrorBody},
        409: {"model": ErrorBody, "description": "payment_order_conflict"},
        422: {"model": ErrorBody, "description": "no_fee or validation_failed"},
    },
)
def create_payment_order(
    body: PaymentOrderRequest,
    kiosk: CurrentKiosk,
    database: DatabaseDep,
    settings: Settings,
    provider: Provider,
    fees: Fees,
    now: Now,
    response: Response,
) -> PaymentOrderView:
    lifetime = timedelta(minutes=settings.payment_order_minutes)
    with database.transaction() as session:
        view, created = create_order(session, kiosk, body, fees, provider, now, lifetime)
    if not created:
        response.status_code = 200
    return view


@router.get(
    "/orders/{order_id}",
    response_model=PaymentOrderView,
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
def read_payment_order(
    order_id: UUID, kiosk: CurrentKiosk, session: ReadingSession, provider: Provider, now: Now
) -> PaymentOrderView:
    return get_order(session, kiosk, order_id, provider, now)


@router.post(
    "/orders/{order_id}/cancel",
    response_model=PaymentOrderView,
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
def cancel_payment_order(
    order_id: UUID, kiosk: CurrentKiosk, database: DatabaseDep, provider: Provider, now: Now
) -> PaymentOrderView:
    with database.transaction() as session:
        return cancel_order(session, kiosk, order_id, provider, now)


def _answer_merchant_call(
    database: Database,
    provider: PaymentProvider,
    body: bytes,
    authorization: str | None,
    now: datetime,
) -> dict[str, Any]:
    # Committed even when the answer is an error: a timed-out transaction stays cancelled.
    with database.transaction() as session:
        store = DatabaseMerchantStore(session, provider.name, now)
        return provider.answer(body, authorization, store, to_unix_ms(now))


@router.post(
    "/payme",
    response_class=JSONResponse,
    summary="Payme merchant API (JSON-RPC 2.0; always HTTP 200)",
)
async def payme_merchant(request: Request, database: DatabaseDep, now: Now) -> JSONResponse:
    body = await request.body()
    try:
        answer = await run_in_threadpool(
            _answer_merchant_call,
            database,
            request.app.state.payment_provider,
            body,
            request.headers.get("authorization"),
            now,
        )
    except Exception:
        # Payme wants HTTP 200 and a JSON-RPC error even when we fail; it retries later.
        logger.exception("merchant call failed")
        error = MerchantError(PaymeErrorCode.INTERNAL_ERROR).to_json()
        answer = {"jsonrpc": "2.0", "id": request_id_of(body), "error": error}
    return JSONResponse(answer)
