"""Sending a submission so that its case number is never another case's.

When the backend answers 409 ``case_number_taken`` (an earlier installation of this kiosk
used the number, and the outbox that knew it is gone), the same submission (same submission
id, so the backend's idempotency still holds) gets a fresh number above the floor the backend
reports, and is sent again.
"""

from __future__ import annotations

import logging
from typing import Protocol

from backend.contracts import (
    CaseAccepted,
    CaseSubmission,
    KioskIdentityView,
    kiosk_code_of,
    make_case_number,
)
from kiosk.backend_client import BackendError, BackendRejected
from kiosk.outbox import Outbox, OutboxState

log = logging.getLogger(__name__)

MAX_RENUMBERS = 3


class SubmittingClient(Protocol):
    def whoami(self) -> KioskIdentityView: ...

    def submit_case(self, submission: CaseSubmission) -> CaseAccepted: ...


def learn_floor(client: SubmittingClient, outbox: Outbox) -> int | None:
    """Ask the backend for this kiosk's identity and sequence floor and keep both; the floor,
    or None when the backend could not tell."""
    try:
        identity = client.whoami()
    except BackendError as error:
        log.info("sequence floor not learned: %s", error)
        return None
    outbox.save_identity(identity)
    if identity.sequence_floor is None:
        return None
    return outbox.learn_sequence_floor(identity.sequence_floor)


def send_numbered(
    client: SubmittingClient, outbox: Outbox, submission: CaseSubmission
) -> tuple[CaseAccepted, CaseSubmission]:
    """Send a stored submission, renumbering it while its number is taken; returns the
    backend's answer and the submission as finally sent (its number is the case's).

    Raises what the client raises; a number still taken after ``MAX_RENUMBERS`` fresh ones
    raises that last ``BackendRejected`` (``number_taken``)."""
    current = submission
    for renumbered in range(MAX_RENUMBERS + 1):
        try:
            return client.submit_case(current), current
        except BackendRejected as rejection:
            if not rejection.number_taken or renumbered == MAX_RENUMBERS:
                raise
            learn_floor(client, outbox)
            number = make_case_number(kiosk_code_of(current.case_number), outbox.next_sequence())
            log.warning(
                "case number %s is another case's; submission %s now has number %s",
                current.case_number,
                current.submission_id,
                number,
            )
            entry = outbox.renumber(current.submission_id, number, replacing=current.case_number)
            # The entry as it is stored now; once sent, only its case number is kept.
            current = entry.submission or current.model_copy(
                update={"case_number": entry.case_number}
            )
            if entry.state is OutboxState.SENT and entry.accepted is not None:
                return entry.accepted, current  # the other thread delivered it
            if entry.state is OutboxState.REJECTED:
                raise
    raise AssertionError("unreachable")
