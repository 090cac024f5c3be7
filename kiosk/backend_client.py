"""The kiosk's HTTP client for the backend (synchronous: it runs in kiosk worker threads).

Every call may be retried safely: submissions carry their own id, so a repeat never makes a
second case. Transient failures (no connection, timeout, 5xx) are retried a few times within
a short budget and then raised as ``BackendUnavailable``; a 4xx answer is raised at once as
``BackendRejected`` (``CredentialRejected`` for 401).
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx
from pydantic import ValidationError
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from backend.contracts import (
    CaseAccepted,
    CaseStatusView,
    CaseSubmission,
    ErrorBody,
    FaceVerificationRequest,
    FaceVerificationResult,
    HeartbeatReply,
    HeartbeatRequest,
    KioskIdentityView,
    PaymentOrderRequest,
    PaymentOrderView,
)

logger = logging.getLogger(__name__)


class BackendError(Exception):
    """The backend could not be used for a request."""


class BackendUnavailable(BackendError):
    """No usable answer (connection refused, timeout, 5xx) even after retries; try later."""


class BackendServerError(BackendUnavailable):
    """The backend answered, but with a server error (5xx), even after retries."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class BackendRejected(BackendError):
    """The backend refused the request (4xx); repeating it unchanged gives the same answer."""

    def __init__(self, status_code: int, error: str, detail: str = "") -> None:
        super().__init__(f"{status_code} {error}: {detail}" if detail else f"{status_code} {error}")
        self.status_code = status_code
        self.error = error
        self.detail = detail

    @property
    def number_taken(self) -> bool:
        """409 case_number_taken: the case number belongs to another case; renumber and resend."""
        return self.status_code == 409 and self.error == "case_number_taken"


class CredentialRejected(BackendRejected):
    """401: the kiosk's credential is missing, unknown or revoked."""


def _rejection(response: httpx.Response) -> BackendRejected:
    try:
        body = ErrorBody.model_validate_json(response.content)
        error, detail = body.error, body.detail
    except ValidationError:
        error, detail = response.reason_phrase.lower().replace(" ", "_") or "rejected", ""
    cls = CredentialRejected if response.status_code == 401 else BackendRejected
    return cls(response.status_code, error, detail)


class BackendClient:
    """Talks to one backend as one kiosk (``credential`` is ``<code>.<secret>``)."""

    def __init__(
        self,
        base_url: str,
        credential: str,
        timeout: float = 10.0,
        *,
        max_attempts: int = 3,
        retry_budget: float = 8.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {credential}", "Accept": "application/json"},
        )
        self._max_attempts = max_attempts
        self._retry_budget = retry_budget

    # --- calls ----------------------------------------------------------------------------

    def whoami(self) -> KioskIdentityView:
        """This kiosk's identity, including the key it signs status links with offline."""
        response = self._request("GET", "/api/v1/kiosks/me")
        return KioskIdentityView.model_validate_json(response.content)

    def submit_case(self, submission: CaseSubmission) -> CaseAccepted:
        """Send a submission; an identical repeat returns the same case (``created=False``)."""
        response = self._request("POST", "/api/v1/cases", json=submission.model_dump(mode="json"))
        return CaseAccepted.model_validate_json(response.content)

    def verify_face(self, request: FaceVerificationRequest) -> FaceVerificationResult:
        """Compare a live portrait with the registry; a repeat of ``request_id`` is answered
        from the record, so retrying never counts a second attempt."""
        response = self._request(
            "POST", "/api/v1/identity/verifications", json=request.model_dump(mode="json")
        )
        return FaceVerificationResult.model_validate_json(response.content)

    def create_payment_order(self, request: PaymentOrderRequest) -> PaymentOrderView:
        """Ask for a service's fee to be paid; a repeat of ``order_id`` returns the same order."""
        response = self._request(
            "POST", "/api/v1/payments/orders", json=request.model_dump(mode="json")
        )
        return PaymentOrderView.model_validate_json(response.content)

    def payment_order(self, order_id: UUID) -> PaymentOrderView:
        response = self._request("GET", f"/api/v1/payments/orders/{order_id}")
        return PaymentOrderView.model_validate_json(response.content)

    def cancel_payment_order(self, order_id: UUID) -> PaymentOrderView:
        """Stop waiting for a payment: nothing is charged, or a payment already made is
        reported for refund."""
        response = self._request("POST", f"/api/v1/payments/orders/{order_id}/cancel")
        return PaymentOrderView.model_validate_json(response.content)

    def case_status(self, case_number: str) -> CaseStatusView | None:
        """The public status of a case typed at this kiosk, or None if there is no such case."""
        try:
            response = self._request("GET", f"/api/v1/cases/{quote(case_number, safe='')}/status")
        except BackendRejected as rejection:
            if rejection.status_code == 404 and rejection.error == "case_not_found":
                return None
            raise
        return CaseStatusView.model_validate_json(response.content)

    def heartbeat(self, request: HeartbeatRequest) -> HeartbeatReply:
        """Report this kiosk's health; the answer brings the operators' commands."""
        response = self._request(
            "POST", "/api/v1/fleet/heartbeat", json=request.model_dump(mode="json")
        )
        return HeartbeatReply.model_validate_json(response.content)

    def upload_screenshot(self, command_id: UUID, png: bytes) -> str:
        """Send a picture of the screen asked for by a command; returns the screenshot's id."""
        response = self._request(
            "POST",
            "/api/v1/fleet/screenshots",
            params={"command_id": str(command_id)},
            content=png,
            headers={"Content-Type": "image/png"},
        )
        try:
            body = response.json()
        except ValueError as error:
            raise BackendRejected(response.status_code, "unexpected_body") from error
        found = body.get("screenshot_id", body.get("id")) if isinstance(body, dict) else None
        if found is None:
            raise BackendRejected(response.status_code, "unexpected_body", "no screenshot id")
        return str(found)

    def health(self) -> bool:
        """Whether the backend answers and reaches its database (one try, no retries)."""
        try:
            response = self._send_once("GET", "/health")
        except BackendUnavailable:
            return False
        if response.status_code != 200:
            return False
        try:
            return response.json().get("status") == "ok"
        except (ValueError, AttributeError):
            return False  # something else answered at this address

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BackendClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- transport ------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self._max_attempts) | stop_after_delay(self._retry_budget),
            wait=wait_exponential(multiplier=0.25, max=2.0),
            retry=retry_if_exception_type(BackendUnavailable),
            before_sleep=before_sleep_log(logger, logging.WARNING),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                response = self._send_once(method, path, **kwargs)
        if 400 <= response.status_code < 500:
            raise _rejection(response)
        if not 200 <= response.status_code < 300:
            raise BackendRejected(response.status_code, "unexpected_status")
        return response

    def _send_once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise BackendUnavailable(f"{method} {path}: timed out ({error!r})") from error
        except httpx.TransportError as error:
            raise BackendUnavailable(f"{method} {path}: {error!r}") from error
        if response.status_code >= 500:
            raise BackendServerError(
                f"{method} {path}: backend answered {response.status_code}", response.status_code
            )
        return response
