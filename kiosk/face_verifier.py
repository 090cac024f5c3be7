"""Face verification through the backend, with its failures in the session's terms."""

from __future__ import annotations

from collections.abc import Callable

from backend.contracts import FaceVerificationRequest, FaceVerificationResult
from kiosk.backend_client import BackendClient, BackendRejected, BackendUnavailable
from kiosk.session import VerificationRejected, VerificationUnavailable


class BackendFaceVerifier:
    """``FaceVerifier`` over the kiosk's interactive backend client."""

    def __init__(self, client: Callable[[], BackendClient | None]) -> None:
        self._client = client

    def verify(self, request: FaceVerificationRequest) -> FaceVerificationResult:
        client = self._client()
        if client is None:
            raise VerificationUnavailable("the kiosk has no backend credential")
        try:
            return client.verify_face(request)
        except BackendUnavailable as error:
            raise VerificationUnavailable(str(error)) from error
        except BackendRejected as error:
            if error.status_code in (404, 429) and error.error in (
                "person_not_found",
                "refer_to_staff",
            ):
                raise VerificationRejected(error.error) from error
            if error.status_code == 429:
                raise VerificationUnavailable(f"rate limited: {error}") from error
            raise
