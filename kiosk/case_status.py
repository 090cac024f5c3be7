"""Answers "where is my case?": the backend, else this kiosk's own outbox."""

from __future__ import annotations

import logging

from backend.contracts import CaseStatusView, PublicStage
from config.profiles import KioskProfile
from kiosk.backend_client import (
    BackendClient,
    BackendRejected,
    BackendUnavailable,
    CredentialRejected,
)
from kiosk.outbox import Outbox
from kiosk.session import StatusUnavailable

log = logging.getLogger(__name__)


class BackendStatusSource:
    """Looks a case up on the backend; a case still waiting in this kiosk's outbox is
    reported as received, so a citizen can check it even before the network returns."""

    def __init__(
        self, profile: KioskProfile, client: BackendClient | None, outbox: Outbox | None
    ) -> None:
        self._profile = profile
        self._client = client
        self._outbox = outbox

    def lookup(self, case_number: str) -> CaseStatusView | None:
        """The public status of a case; None when no such case exists."""
        try:
            status = self._ask_backend(case_number)
        except StatusUnavailable:
            pending = self._pending(case_number)
            if pending is None:
                raise
            return pending
        return status if status is not None else self._pending(case_number)

    def _ask_backend(self, case_number: str) -> CaseStatusView | None:
        if self._client is None:
            raise StatusUnavailable("this kiosk has no backend credential")
        try:
            return self._client.case_status(case_number)
        except (BackendUnavailable, CredentialRejected, BackendRejected) as error:
            log.warning("case status of %s unavailable: %s", case_number, error)
            raise StatusUnavailable(str(error)) from error

    def _pending(self, case_number: str) -> CaseStatusView | None:
        if self._outbox is None:
            return None
        for entry in self._outbox.pending():
            submission = entry.submission
            if submission is not None and submission.case_number == case_number:
                return CaseStatusView(
                    case_number=case_number,
                    stage=PublicStage.RECEIVED,
                    registered_at=submission.submitted_at,
                    updated_at=submission.submitted_at,
                    service_kind=submission.service_kind,
                    office=self._profile.kiosk.office,
                )
        return None
