"""The JSON-RPC request of the Payme merchant API and the parameters of each method."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from payments.payme.errors import MerchantError, PaymeErrorCode

ACCOUNT_FIELD = "order_id"

Amount = Annotated[StrictInt, Field(gt=0)]
Millis = Annotated[StrictInt, Field(ge=0)]
ProviderId = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Account(_Params):
    order_id: StrictStr | StrictInt

    @property
    def number(self) -> str:
        return str(self.order_id)


class CheckPerformParams(_Params):
    amount: Amount
    account: Account


class CreateParams(_Params):
    id: ProviderId
    time: Millis
    amount: Amount
    account: Account


class TransactionIdParams(_Params):
    id: ProviderId


class CancelParams(_Params):
    id: ProviderId
    reason: StrictInt


class StatementParams(_Params):
    from_: Millis = Field(alias="from")
    to: Millis


class RpcRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    method: StrictStr
    params: dict[str, Any]
    id: StrictInt | StrictStr | None = None


PARAMS_OF: dict[str, type[_Params]] = {
    "CheckPerformTransaction": CheckPerformParams,
    "CreateTransaction": CreateParams,
    "PerformTransaction": TransactionIdParams,
    "CancelTransaction": CancelParams,
    "CheckTransaction": TransactionIdParams,
    "GetStatement": StatementParams,
}


def request_id_of(body: bytes) -> object:
    """The JSON-RPC id of a body if one can be read, for error answers; else None."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document.get("id") if isinstance(document, dict) else None


def parse_request(body: bytes) -> RpcRequest:
    """The JSON-RPC envelope, or -32700 (not JSON) / -32600 (not a request)."""
    try:
        document = json.loads(body)
    except ValueError:
        raise MerchantError(PaymeErrorCode.PARSE_ERROR) from None
    try:
        return RpcRequest.model_validate(document)
    except ValidationError:
        raise MerchantError(PaymeErrorCode.INVALID_REQUEST) from None


def parse_params(request: RpcRequest) -> _Params:
    """The parameters of a known method, or -32601 (unknown method) / -32600 (bad fields)."""
    model = PARAMS_OF.get(request.method)
    if model is None:
        raise MerchantError(PaymeErrorCode.METHOD_NOT_FOUND, request.method)
    try:
        return model.model_validate(request.params)
    except ValidationError:
        raise MerchantError(PaymeErrorCode.INVALID_REQUEST) from None
