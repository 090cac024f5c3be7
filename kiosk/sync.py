"""Sending the outbox to the backend: on a timer in a daemon thread, or on demand."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from uuid import UUID

from kiosk.backend_client import BackendClient, BackendRejected, BackendUnavailable
from kiosk.background import RepeatingWork
from kiosk.outbox import Outbox

logger = logging.getLogger(__name__)

# Refusals that say "not now" rather than "never": keep the entry and end the round.
_TRANSIENT_REJECTIONS = frozenset({401, 408, 429})


class OutboxSync(RepeatingWork):
    """Sends pending outbox entries, oldest first, and records each answer in the outbox."""

    thread_name = "outbox-sync"

    def __init__(self, outbox: Outbox, client: BackendClient, interval: float = 5.0) -> None:
        super().__init__()
        self._outbox = outbox
        self._client = client
        self.interval = interval
        self._round_lock = threading.Lock()
        self.last_error: str | None = None
        self.last_round_at: datetime | None = None

    def sync_once(self) -> int:
        """Send every pending entry until the backend stops answering; return how many were sent.

        Accepted entries are marked sent, entries refused for good are marked rejected, and the
        first transient failure is recorded as an attempt and ends the round.
        """
        sent = 0
        with self._round_lock:
            self.last_error = None
            for entry in self._outbox.pending():
                submission_id = entry.submission_id
                if entry.submission is None:  # only sent entries are scrubbed
                    continue
                try:
                    accepted = self._client.submit_case(entry.submission)
                except BackendUnavailable as error:
                    self._record_attempt(submission_id, str(error))
                    break
                except BackendRejected as rejection:
                    if rejection.status_code in _TRANSIENT_REJECTIONS:
                        self._record_attempt(submission_id, str(rejection))
                        break
                    logger.error("backend refused submission %s: %s", submission_id, rejection)
                    self._outbox.mark_rejected(submission_id, str(rejection))
                    continue
                self._outbox.mark_sent(submission_id, accepted)
                sent += 1
            self.last_round_at = datetime.now(UTC)
        return sent

    def _record_attempt(self, submission_id: UUID, error: str) -> None:
        self.last_error = error
        logger.warning("outbox sync paused: %s", error)
        self._outbox.mark_attempt(submission_id, error)

    def work_once(self) -> object:
        return self.sync_once()
